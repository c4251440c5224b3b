/**
 * A fold with what a shared checkpoint carries besides the views: the oldest and newest event time folded and
 * where event time stands along the stream (docs/architecture.md#checkpoints). The checkpointer keeps one for
 * the chain and one per warehouse (docs/architecture.md#one-warehouse-or-the-chain).
 */
import type { CheckpointContent } from './checkpoint-codec';
import { eventTimeSpan, type Decoded } from './codec';
import { applyBatch, initialLedger, type LedgerState } from './ledger';
import { snapshotLedger } from './ledger-snapshot';
import { TimeMarks, type TimeMark } from './time-marks';

export interface TimedFoldStart {
  ledger: LedgerState;
  minEventMs: number;
  maxEventMs: number;
  marks: readonly TimeMark[];
}

export class TimedFold {
  private fold: LedgerState;
  private oldestMs: number;
  private newestMs: number;
  private readonly marks: TimeMarks;

  constructor(markEvery: number, start?: TimedFoldStart) {
    this.fold = start?.ledger ?? initialLedger();
    this.oldestMs = start?.minEventMs ?? Number.POSITIVE_INFINITY;
    this.newestMs = start?.maxEventMs ?? Number.NEGATIVE_INFINITY;
    this.marks = new TimeMarks(markEvery, start?.marks ?? []);
  }

  get ledger(): LedgerState {
    return this.fold;
  }

  get minEventMs(): number {
    return this.oldestMs;
  }

  get maxEventMs(): number {
    return this.newestMs;
  }

  apply(segment: readonly Decoded[]): void {
    if (segment.length === 0) return;
    this.fold = applyBatch(this.fold, segment);
    const { oldest, newest } = eventTimeSpan(segment);
    this.oldestMs = Math.min(this.oldestMs, oldest);
    this.newestMs = Math.max(this.newestMs, newest);
    this.marks.afterBatch(this.fold.lastSeq, oldest, newest);
  }

  /**
   * What a checkpoint of the fold holds, as of now. `coveredSeq`: the stream sequence through which every
   * message of this fold's subjects has been folded, which for one warehouse's fold is usually past its own
   * last message; a reader starts after it.
   */
  content(coveredSeq = this.fold.lastSeq): CheckpointContent {
    const ledger = coveredSeq > this.fold.lastSeq ? { ...this.fold, lastSeq: coveredSeq } : this.fold;
    return {
      snapshot: snapshotLedger(ledger),
      minEventMs: this.oldestMs,
      maxEventMs: this.newestMs,
      // Marks past the ledger would describe events the checkpoint does not hold.
      marks: this.marks.through(ledger.lastSeq),
    };
  }
}
