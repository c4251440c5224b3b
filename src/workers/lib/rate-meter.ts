/** Events per second over a sliding window of whole-second buckets, for a worker's status. */
export class RateMeter {
  private readonly buckets = new Map<number, number>();

  constructor(private readonly windowSeconds = 5) {}

  record(count: number, nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    this.buckets.set(second, (this.buckets.get(second) ?? 0) + count);
    for (const s of this.buckets.keys()) if (s <= second - this.windowSeconds - 1) this.buckets.delete(s);
  }

  /** Average over the last complete seconds of the window; the current second is still filling. */
  perSecond(nowMs: number): number {
    const current = Math.floor(nowMs / 1000);
    let total = 0;
    for (const [s, n] of this.buckets) if (s < current && s >= current - this.windowSeconds) total += n;
    return Math.round(total / this.windowSeconds);
  }
}
