import { initialLedger, type LedgerState } from '../core/ledger';

/** A fold state kept during replay, so that any moment can be rebuilt from a nearby point. */
export interface Checkpoint {
  /** The ledger after applying every message up to this sequence. */
  seq: number;
  /** Newest event time folded so far (event order may differ from stream order for imports). */
  maxEventMs: number;
  ledger: LedgerState;
}

/**
 * Every CHECKPOINT_EVERY sequences the live fold is kept as it was. Ledger states are immutable and share
 * unchanged branches, so a checkpoint costs what changed since the previous one, not a copy of everything.
 */
export const CHECKPOINT_EVERY = 10_000;

export class Checkpoints {
  private list: Checkpoint[] = [{ seq: 0, maxEventMs: Number.NEGATIVE_INFINITY, ledger: initialLedger() }];
  private maxEventMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly every = CHECKPOINT_EVERY) {}

  /** Records the fold after a batch; takes a checkpoint when enough sequences have passed. */
  afterBatch(ledger: LedgerState, newestEventMsInBatch: number): void {
    this.maxEventMs = Math.max(this.maxEventMs, newestEventMsInBatch);
    const last = this.list[this.list.length - 1];
    if (last && ledger.lastSeq - last.seq >= this.every) {
      this.list.push({ seq: ledger.lastSeq, maxEventMs: this.maxEventMs, ledger });
    }
  }

  /** The latest checkpoint that holds nothing that happened after `atMs`. */
  before(atMs: number): Checkpoint {
    let found = this.list[0] as Checkpoint;
    for (const checkpoint of this.list) {
      if (checkpoint.maxEventMs > atMs) break;
      found = checkpoint;
    }
    return found;
  }

  get count(): number {
    return this.list.length;
  }
}
