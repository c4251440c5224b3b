import { initialLedger, type LedgerState } from '../core/ledger';
import { TimeMarks, type TimeMark } from '../core/time-marks';

/** A fold state kept during replay, so that any moment can be rebuilt from a nearby point. */
export interface Checkpoint {
  /** The ledger after applying every message up to this sequence. */
  seq: number;
  /** Newest event time among the messages up to `seq`. */
  maxEventMs: number;
  /** Oldest event time among the messages after `seq` seen so far (event time need not follow the stream). */
  minEventMsAfter: number;
  ledger: LedgerState;
}

/**
 * Every CHECKPOINT_EVERY sequences the live fold is kept as it was. Ledger states are immutable and share
 * unchanged branches, so a checkpoint costs what changed since the previous one, not a copy of everything.
 */
export const CHECKPOINT_EVERY = 10_000;

export class Checkpoints {
  private readonly list: Checkpoint[] = [
    {
      seq: 0,
      maxEventMs: Number.NEGATIVE_INFINITY,
      minEventMsAfter: Number.POSITIVE_INFINITY,
      ledger: initialLedger(),
    },
  ];
  private maxEventMs = Number.NEGATIVE_INFINITY;
  /** The marks a shared checkpoint brought for the stream before it, kept up as the fold goes on. */
  private shared = new TimeMarks(Number.POSITIVE_INFINITY);

  constructor(private readonly every = CHECKPOINT_EVERY) {}

  /**
   * Starts from a fold restored from storage: moments after its newest event start from it; earlier moments
   * replay from the beginning of the stream, since the checkpoints in between were not kept, and stop as soon
   * as the fold's time marks (when it came with any) say nothing earlier is left.
   */
  resumeFrom(
    ledger: LedgerState,
    minEventMs: number,
    maxEventMs: number,
    marks: readonly TimeMark[] = [],
  ): void {
    this.shared = new TimeMarks(Number.POSITIVE_INFINITY, marks);
    const first = this.list[0] as Checkpoint;
    first.minEventMsAfter = Math.min(first.minEventMsAfter, minEventMs);
    this.maxEventMs = Math.max(this.maxEventMs, maxEventMs);
    this.list.push({ seq: ledger.lastSeq, maxEventMs: this.maxEventMs, minEventMsAfter: Infinity, ledger });
  }

  /** Records the fold after a batch whose event times span [oldestMs, newestMs]. */
  afterBatch(ledger: LedgerState, oldestMs: number, newestMs: number): void {
    for (const checkpoint of this.list) {
      checkpoint.minEventMsAfter = Math.min(checkpoint.minEventMsAfter, oldestMs);
    }
    this.shared.afterBatch(ledger.lastSeq, oldestMs, newestMs);
    this.maxEventMs = Math.max(this.maxEventMs, newestMs);
    const last = this.list[this.list.length - 1];
    if (last && ledger.lastSeq - last.seq >= this.every) {
      this.list.push({
        seq: ledger.lastSeq,
        maxEventMs: this.maxEventMs,
        minEventMsAfter: Number.POSITIVE_INFINITY,
        ledger,
      });
    }
  }

  /** The latest checkpoint holding nothing that happened after `atMs`. */
  before(atMs: number): Checkpoint {
    let found = this.list[0] as Checkpoint;
    for (const checkpoint of this.list) {
      if (checkpoint.maxEventMs > atMs) break;
      found = checkpoint;
    }
    return found;
  }

  /**
   * Whether a reader that has read through `seq` has seen every event that happened at or before `atMs`:
   * true when some checkpoint at or before `seq` has only later events after it.
   */
  complete(seq: number, atMs: number): boolean {
    for (const checkpoint of this.list) {
      if (checkpoint.seq > seq) break;
      if (checkpoint.minEventMsAfter > atMs) return true;
    }
    return this.shared.complete(seq, atMs);
  }

  get count(): number {
    return this.list.length;
  }
}
