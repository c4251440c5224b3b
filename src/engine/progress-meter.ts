import type { ReplayProgress } from './protocol';

const RATE_WINDOW_MS = 2000;

/** Replay progress with a rate over the last couple of seconds, so the time left reacts to slowdowns. */
export class ProgressMeter {
  private total = 0;
  private replayed = 0;
  private caughtUp = false;
  private samples: { atMs: number; seq: number }[] = [];

  reset(fromSeq: number, total: number): void {
    this.replayed = fromSeq;
    this.total = Math.max(total, fromSeq);
    this.caughtUp = fromSeq >= total;
    this.samples = [];
  }

  advance(seq: number, streamLastSeq: number, caughtUp: boolean, nowMs: number): void {
    this.replayed = seq;
    // The total is fixed at the start of a replay so the bar does not run away from the user while live
    // events keep arriving; once caught up it simply follows the stream.
    if (this.caughtUp || caughtUp) this.total = Math.max(seq, streamLastSeq);
    this.caughtUp = this.caughtUp || caughtUp || seq >= this.total;
    this.samples.push({ atMs: nowMs, seq });
    while (this.samples.length > 2 && (this.samples[0]?.atMs ?? nowMs) < nowMs - RATE_WINDOW_MS)
      this.samples.shift();
  }

  get isCaughtUp(): boolean {
    return this.caughtUp;
  }

  current(): ReplayProgress {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const spanMs = first && last ? last.atMs - first.atMs : 0;
    const eventsPerSecond = first && last && spanMs > 0 ? ((last.seq - first.seq) * 1000) / spanMs : 0;
    const remaining = Math.max(0, this.total - this.replayed);
    return {
      replayed: this.replayed,
      total: this.total,
      eventsPerSecond,
      etaMs: eventsPerSecond > 0 && !this.caughtUp ? (remaining / eventsPerSecond) * 1000 : null,
      caughtUp: this.caughtUp,
    };
  }
}
