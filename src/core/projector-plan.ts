/**
 * The projector's decisions, apart from any I/O: what to do with one key of `stock_levels` given the fold of the
 * stream, and in which order to handle a batch the durable consumer delivered.
 *
 * The fold (ledger.ts) is the truth; the bucket is its copy. Every write is a compare-and-set, so the only
 * question per key is whether the stored value is already right, must be replaced, or was written by a peer
 * that has folded further than we have (then we wait until our fold gets there and look again).
 */
import { stockLevelJson, type StockLevel } from './procurement-stock';
import { parseStockLevel } from './stock-level';

export interface PlanContext {
  /** Every stream sequence up to this one is folded. */
  foldedThrough: number;
  /** The stream's last sequence as far as known (a value citing a later event cannot be right). */
  streamLastSeq: number;
  /** Delete keys the fold does not produce (`--rebuild`). */
  deleteStrays: boolean;
}

export type WriteReason =
  /** The key has no value (never written, deleted or purged). */
  | 'missing'
  /** The stored value is from an earlier event of the key. */
  | 'behind'
  /** The stored value cites an event our fold has passed but says something else: a bug fixed, a stray write. */
  | 'differs'
  /** The stored value is not a stock level. */
  | 'unreadable'
  /** The stored value cites an event after the end of the stream (e.g. the stream was recreated). */
  | 'beyond-stream';

export type KeyDecision =
  | { kind: 'keep' }
  | { kind: 'write'; value: string; reason: WriteReason }
  | { kind: 'delete' }
  /** A peer wrote a later state; decide again once the fold has reached `untilSeq`. */
  | { kind: 'wait'; untilSeq: number };

const KEEP: KeyDecision = { kind: 'keep' };
const utf8 = new TextDecoder();

/**
 * Decides one key. `stored` is the bucket's value (null when absent or deleted); `mine` the fold's level for the
 * key (undefined when the stream has no applied stock event for it).
 */
export function planKey(
  stored: Uint8Array | null,
  mine: StockLevel | undefined,
  ctx: PlanContext,
): KeyDecision {
  if (mine === undefined) {
    if (stored === null || !ctx.deleteStrays) return KEEP;
    const parsed = parseStockLevel(stored);
    if (parsed.ok && parsed.last_seq > ctx.foldedThrough && parsed.last_seq <= ctx.streamLastSeq) {
      return { kind: 'wait', untilSeq: parsed.last_seq };
    }
    return { kind: 'delete' };
  }
  const value = stockLevelJson(mine);
  if (stored === null) return { kind: 'write', value, reason: 'missing' };
  if (utf8.decode(stored) === value) return KEEP;
  const parsed = parseStockLevel(stored);
  if (!parsed.ok) return { kind: 'write', value, reason: 'unreadable' };
  if (parsed.last_seq < mine.last_seq) return { kind: 'write', value, reason: 'behind' };
  if (parsed.last_seq <= ctx.foldedThrough) return { kind: 'write', value, reason: 'differs' };
  if (parsed.last_seq > ctx.streamLastSeq) return { kind: 'write', value, reason: 'beyond-stream' };
  return { kind: 'wait', untilSeq: parsed.last_seq };
}

export type DeliveryStep =
  /** Read these sequences from the stream and fold them first: nobody delivered them to us. */
  | { kind: 'fill'; from: number; to: number }
  /** Fold the delivered message at this index of the batch. */
  | { kind: 'fold'; index: number };

export interface DeliveryPlan {
  steps: DeliveryStep[];
  /** Indexes of messages already folded (a redelivery, or a sequence a gap fill covered): acknowledge only. */
  done: number[];
  /** The fold's checkpoint once the steps are carried out. */
  foldedThrough: number;
}

/**
 * Orders a delivered batch against the fold's checkpoint. Each key must see its events in stream order, whatever
 * order the server delivers them in (after a restart it sends new messages before the ones a dead predecessor
 * left unacknowledged), so a hole before a delivered message is filled from the stream first, never skipped.
 */
export function planDelivery(foldedThrough: number, seqs: readonly number[]): DeliveryPlan {
  const order = seqs.map((seq, index) => ({ seq, index })).sort((a, b) => a.seq - b.seq || a.index - b.index);
  const steps: DeliveryStep[] = [];
  const done: number[] = [];
  let through = foldedThrough;
  for (const { seq, index } of order) {
    if (seq <= through) {
      done.push(index);
      continue;
    }
    if (seq > through + 1) steps.push({ kind: 'fill', from: through + 1, to: seq - 1 });
    steps.push({ kind: 'fold', index });
    through = seq;
  }
  return { steps, done, foldedThrough: through };
}
