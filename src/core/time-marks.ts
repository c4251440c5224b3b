/**
 * Where event time stands along the stream (docs/architecture.md#time-travel-at-a-chains-size). Event time need
 * not follow stream order, so a reader rebuilding a moment cannot stop at the first later event it meets. A mark
 * says, for a sequence, the newest event time up to it and the oldest event time seen after it: once a reader has
 * read through a mark whose oldest-after is later than the moment, nothing it has not read can belong to it.
 *
 * The checkpointer keeps marks over the whole stream and writes them into each shared checkpoint, so a browser
 * that starts from one can still stop early when it rebuilds a moment of the year before it.
 */
export interface TimeMark {
  readonly seq: number;
  /** Newest event time among the messages up to `seq`. */
  readonly maxEventMs: number;
  /** Oldest event time among the messages after `seq` seen so far. */
  minEventMsAfter: number;
}

export class TimeMarks {
  private readonly list: TimeMark[];
  private newestMs: number;

  /** A mark every `every` sequences at most; `marks` continue a list kept earlier (copied, then kept up). */
  constructor(
    private readonly every: number,
    marks: readonly TimeMark[] = [],
  ) {
    this.list = marks.map((m) => ({ ...m }));
    this.newestMs = marks.reduce((newest, m) => Math.max(newest, m.maxEventMs), Number.NEGATIVE_INFINITY);
  }

  /** After folding the messages through `lastSeq` whose event times span [oldestMs, newestMs]. */
  afterBatch(lastSeq: number, oldestMs: number, newestMs: number): void {
    for (const mark of this.list) {
      if (oldestMs < mark.minEventMsAfter) mark.minEventMsAfter = oldestMs;
    }
    this.newestMs = Math.max(this.newestMs, newestMs);
    const lastMarked = this.list[this.list.length - 1]?.seq ?? 0;
    if (lastSeq - lastMarked >= this.every) {
      this.list.push({ seq: lastSeq, maxEventMs: this.newestMs, minEventMsAfter: Number.POSITIVE_INFINITY });
    }
  }

  /** Whether a reader that has read through `seq` has seen every event that happened at or before `atMs`. */
  complete(seq: number, atMs: number): boolean {
    for (const mark of this.list) {
      if (mark.seq > seq) return false;
      if (mark.minEventMsAfter > atMs) return true;
    }
    return false;
  }

  /** The marks at or before a sequence, as written into a checkpoint that holds the fold through it. */
  through(seq: number): TimeMark[] {
    return this.list.filter((m) => m.seq <= seq).map((m) => ({ ...m }));
  }
}
