/**
 * Why a stock number is what it is: the messages of one product subject, oldest first, each with its effect on
 * one location (or on the product's total over all locations) and the balance after it. What an event does
 * to stock is the stock rule's (stock-rule.ts), the one the views apply; the reading rules are the ledger's
 * (ledger.ts), restated line by line, so that the last balance is the number the views show for the same
 * messages: a sequence already handled is ignored, an event id already applied is a duplicate that changes
 * nothing, a malformed message is listed and changes nothing.
 */
import type { Decoded, DecodeError } from './codec';
import { isReversible, stockSubject, type ReversibleEvent, type StockEvent } from './events';
import { applyStockEffect, stockEffectSlots, stockEffects } from './stock-rule';
import { seqOf, subjectOf } from './view';

export interface AuditScope {
  warehouse: string;
  product: string;
  /** One location (a stock cell), or null for the product's total over its locations (a stock level). */
  location: string | null;
}

/** What one message did to the number under audit; `delta` is the change of the balance. */
export type AuditEffect =
  /** Replenished (+), sold or destroyed (−) at `location`. */
  | { kind: 'change'; location: string; delta: number }
  /** A count replaced what the records said. */
  | { kind: 'set'; location: string; quantity: number; was: number; delta: number }
  | { kind: 'move'; from: string; to: string; quantity: number; delta: number }
  /** A counted event that touched only other locations of the product. */
  | { kind: 'elsewhere'; locations: readonly string[]; delta: 0 }
  /** Not counted: a duplicate, an unknown type, a refused reversal or a malformed message. */
  | { kind: 'none'; delta: 0 };

/** `refused`: a reversal that could not take back what it names (docs/architecture.md#undo). */
export type AuditStatus = 'counted' | 'duplicate' | 'unknown_type' | 'refused' | 'malformed';

export interface AuditLine {
  seq: number;
  /** Event time (stream time when the publisher gave none). */
  timestampMs: number;
  status: AuditStatus;
  /** The event type; null for a malformed message (its headers may still say what it claimed to be). */
  type: string | null;
  /** The event id (`seq:<n>` when the publisher gave none); null for a malformed message. */
  id: string | null;
  event: StockEvent | null;
  effect: AuditEffect;
  /** The number under audit after this line. */
  balance: number;
  /** For a duplicate: the sequence of the copy that counted, null when it is not on this subject. */
  duplicateOf?: number | null;
  /** For a malformed message: why it could not be used. */
  error?: DecodeError;
  /** For a counted reversal: the sequence of the line it takes back. */
  undoes?: number;
  /** For a counted event a later reversal took back: that reversal's sequence. */
  undoneBy?: number;
}

export interface AuditTrail {
  scope: AuditScope;
  lines: AuditLine[];
  /** The last line's balance: the number the views show once they have folded the same messages. */
  balance: number;
  /** Highest sequence handled, 0 when none. */
  lastSeq: number;
  counts: Record<AuditStatus, number>;
}

export interface AuditOptions {
  /**
   * Sequences the reader's ledger skipped as duplicates of an id first applied on another subject (the
   * ledger's id set spans the stream; this trail sees one subject). Copies on the same subject need not be
   * listed: the trail finds those itself.
   */
  skippedSeqs?: ReadonlySet<number>;
  /**
   * Sequences of reversals the reader's ledger refused (src/core/undo-memory.ts): it remembers events for the
   * id horizon only, so a reversal of an event older than that changes nothing there, though this trail,
   * which reads the whole subject, still has the event.
   */
  refusedSeqs?: ReadonlySet<number>;
}

const NOT_COUNTED: AuditEffect = { kind: 'none', delta: 0 };
const effects = stockEffectSlots();

/** The trail of `scope` over `decodeds` in stream order; messages on other subjects are ignored. */
export function auditTrail(
  decodeds: Iterable<Decoded>,
  scope: AuditScope,
  options: AuditOptions = {},
): AuditTrail {
  const subject = stockSubject(scope.warehouse, scope.product);
  const skipped = options.skippedSeqs;
  /** Event id → sequence of the copy that counted; null when it counted on another subject. */
  const applied = new Map<string, number | null>();
  const quantities = new Map<string, number>();
  const lines: AuditLine[] = [];
  const counts: Record<AuditStatus, number> = {
    counted: 0,
    duplicate: 0,
    unknown_type: 0,
    refused: 0,
    malformed: 0,
  };
  /** Event id → the counted line of a reversible event, while no reversal has taken it back. */
  const reversible = new Map<string, { line: AuditLine; event: ReversibleEvent }>();
  let balance = 0;
  let lastSeq = 0;

  for (const decoded of decodeds) {
    if (subjectOf(decoded) !== subject) continue;
    const seq = seqOf(decoded);
    if (seq <= lastSeq) continue;
    lastSeq = seq;
    if (decoded.kind === 'malformed') {
      counts.malformed += 1;
      lines.push({
        seq,
        timestampMs: decoded.timestampMs,
        status: 'malformed',
        type: null,
        id: null,
        event: null,
        effect: NOT_COUNTED,
        balance,
        error: decoded.error,
      });
      continue;
    }
    const { meta } = decoded;
    const type = decoded.kind === 'stock' ? decoded.event.type : decoded.type;
    const event = decoded.kind === 'stock' ? decoded.event : null;
    const common = { seq, timestampMs: meta.timestampMs, type, id: meta.id, event };
    const first = applied.get(meta.id);
    if (first !== undefined || skipped?.has(seq)) {
      if (first === undefined) applied.set(meta.id, null);
      counts.duplicate += 1;
      lines.push({
        ...common,
        status: 'duplicate',
        effect: NOT_COUNTED,
        balance,
        duplicateOf: first ?? null,
      });
      continue;
    }
    applied.set(meta.id, seq);
    if (event === null) {
      counts.unknown_type += 1;
      lines.push({ ...common, status: 'unknown_type', effect: NOT_COUNTED, balance });
      continue;
    }
    let undone: { line: AuditLine; event: ReversibleEvent } | undefined;
    if (event.type === 'stock.reversed') {
      undone = options.refusedSeqs?.has(seq) ? undefined : reversible.get(event.reverses);
      if (undone === undefined) {
        counts.refused += 1;
        lines.push({ ...common, status: 'refused', effect: NOT_COUNTED, balance });
        continue;
      }
      reversible.delete(event.reverses);
      undone.line.undoneBy = seq;
    }
    counts.counted += 1;
    const effect = apply(quantities, event, scope.location, undone?.event);
    balance += effect.delta;
    const line: AuditLine = { ...common, status: 'counted', effect, balance };
    if (undone !== undefined) line.undoes = undone.line.seq;
    lines.push(line);
    if (isReversible(event)) reversible.set(meta.id, { line, event });
  }
  return { scope, lines, balance, lastSeq, counts };
}

/**
 * Applies `event` to the quantities per location through the stock rule, and says what that did to the
 * audited number: the sum of the changes at the locations in scope.
 */
function apply(
  quantities: Map<string, number>,
  event: StockEvent,
  location: string | null,
  undone: ReversibleEvent | undefined,
): AuditEffect {
  const count = stockEffects(event, effects, undone);
  let delta = 0;
  let touched = false;
  let was = 0;
  for (let i = 0; i < count; i++) {
    const effect = effects[i]!;
    const before = quantities.get(effect.location) ?? 0;
    const after = applyStockEffect(before, effect);
    quantities.set(effect.location, after);
    if (location !== null && location !== effect.location) continue;
    touched = true;
    delta += after - before;
    was = before;
  }
  const [first, second] = effects;
  if (!touched) {
    return { kind: 'elsewhere', locations: effects.slice(0, count).map((e) => e.location), delta: 0 };
  }
  // The rule's only effect on two locations is a move, out of the first into the second — or, undone, back.
  if (count === 2) {
    return second.amount >= 0
      ? { kind: 'move', from: first.location, to: second.location, quantity: second.amount, delta }
      : { kind: 'move', from: second.location, to: first.location, quantity: -second.amount, delta };
  }
  return first.kind === 'set'
    ? { kind: 'set', location: first.location, quantity: first.amount, was, delta }
    : { kind: 'change', location: first.location, delta };
}
