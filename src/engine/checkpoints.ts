import { initialLedger, type LedgerState } from '../core/ledger';
import { TimeMarks, type TimeMark } from '../core/time-marks';

/** A fold state kept during replay, so that any moment can be rebuilt from a nearby point. */
export interface Checkpoint {
  /** The ledger after applying every message up to this sequence. */
  seq: number;
  /** Newest event time among the messages up to `seq`. */
  maxEventMs: number;
  ledger: LedgerState;
}

/**
 * Every CHECKPOINT_EVERY sequences the live fold is kept as it was. Ledger states are immutable and share
 * unchanged branches, so a checkpoint costs what changed since the previous one, not a copy of everything.
 */
export const CHECKPOINT_EVERY = 10_000;

/** Before anything is folded: no event yet, and none seen after. */
const START: TimeMark = {
  seq: 0,
  maxEventMs: Number.NEGATIVE_INFINITY,
  minEventMsAfter: Number.POSITIVE_INFINITY,
};

export class Checkpoints {
  private readonly list: Checkpoint[] = [{ seq: 0, maxEventMs: START.maxEventMs, ledger: initialLedger() }];
  /**
   * Where event time stands along the stream (src/core/time-marks.ts): a mark at each checkpoint, plus those a
   * shared checkpoint brought for the stretch before it.
   */
  private marks: TimeMarks;
  private maxEventMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly every = CHECKPOINT_EVERY) {
    this.marks = new TimeMarks(every, [START]);
  }

  /**
   * Starts from a fold restored from storage: moments after its newest event start from it; earlier moments
   * replay from the beginning of the stream, since the checkpoints in between were not kept, and stop as soon
   * as the marks the fold came with (if any) say nothing earlier is left.
   */
  resumeFrom(
    ledger: LedgerState,
    minEventMs: number,
    maxEventMs: number,
    marks: readonly TimeMark[] = [],
  ): void {
    this.maxEventMs = Math.max(this.maxEventMs, maxEventMs);
    this.marks = new TimeMarks(this.every, [
      { ...START, minEventMsAfter: minEventMs },
      ...marks,
      { seq: ledger.lastSeq, maxEventMs: this.maxEventMs, minEventMsAfter: Number.POSITIVE_INFINITY },
    ]);
    this.list.push({ seq: ledger.lastSeq, maxEventMs: this.maxEventMs, ledger });
  }

  /** Records the fold after a batch whose event times span [oldestMs, newestMs]. */
  afterBatch(ledger: LedgerState, oldestMs: number, newestMs: number): void {
    this.marks.afterBatch(ledger.lastSeq, oldestMs, newestMs);
    this.maxEventMs = Math.max(this.maxEventMs, newestMs);
    const last = this.list[this.list.length - 1];
    if (last && ledger.lastSeq - last.seq >= this.every) {
      this.list.push({ seq: ledger.lastSeq, maxEventMs: this.maxEventMs, ledger });
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

  /** Whether a reader that has read through `seq` has seen every event that happened at or before `atMs`. */
  complete(seq: number, atMs: number): boolean {
    return this.marks.complete(seq, atMs);
  }

  get count(): number {
    return this.list.length;
  }
}
