/**
 * When the engine posts a snapshot to the page (docs/architecture.md#batches-and-coalesced-snapshots): every
 * change asks for one, and all that change within the interval share it, because each snapshot costs a
 * structured clone here and a render on the page. A page that has not shown the last one yet is sent no other
 * (docs/architecture.md#one-snapshot-in-flight).
 */

/**
 * Live, an event waits at most this long for the next snapshot; at 1,000 events/s that wait is most of the
 * latency a viewer sees (npm run bench: p50 50 ms with 50 here).
 */
export const LIVE_SNAPSHOT_INTERVAL_MS = 30;
/**
 * While a long replay catches up, the page gains nothing from 20 full snapshots a second (the figures are not
 * final yet).
 */
export const CATCH_UP_SNAPSHOT_INTERVAL_MS = 1000;
/**
 * A page that says nothing for this long after a snapshot is sent the next anyway: it may show nothing that
 * says so (the sign-in form), and a page that is merely slow still gets one a second.
 */
export const UNSHOWN_SNAPSHOT_WAIT_MS = 1000;

export class SnapshotScheduler {
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Set from a post until the page says it has shown it (or the wait ran out). */
  private unshown: ReturnType<typeof setTimeout> | null = null;
  /** Something changed while the page had not shown the last snapshot yet. */
  private wanted = false;
  private stopped = false;

  constructor(
    /**
     * Builds and posts one snapshot: `rendered` when it shows the page something new; `applied` when it did not
     * and only the fold's position was posted (docs/architecture.md#nothing-new-to-show), which needs no render
     * and so no "shown"; `held` when it had something new but `mayRender` was false, and posted nothing.
     */
    private readonly post: (mayRender: boolean) => 'rendered' | 'applied' | 'held',
    /** Whether the replay has caught up, read when a snapshot is asked for. */
    private readonly live: () => boolean,
  ) {}

  /**
   * Something changed: a snapshot follows within the interval, unless one is already due. While the page has
   * not shown the last one, a change that shows it nothing new is still told at once (only the position); one
   * that does waits for the page.
   */
  schedule(): void {
    if (this.timer !== null || this.stopped) return;
    const interval = this.live() ? LIVE_SNAPSHOT_INTERVAL_MS : CATCH_UP_SNAPSHOT_INTERVAL_MS;
    this.timer = setTimeout(() => this.due(), interval);
  }

  private due(): void {
    if (this.unshown === null) {
      this.flush();
      return;
    }
    this.timer = null;
    if (this.stopped) return;
    if (this.post(false) === 'held') this.wanted = true;
  }

  /** Posts now, taking the place of one that was due, whether or not the page has shown the last one. */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped) return;
    this.wanted = false;
    if (this.post(true) !== 'rendered') return;
    if (this.unshown !== null) clearTimeout(this.unshown);
    this.unshown = setTimeout(() => this.shown(), UNSHOWN_SNAPSHOT_WAIT_MS);
  }

  /** The page has shown the last snapshot: what changed meanwhile follows within the interval. */
  shown(): void {
    if (this.unshown !== null) clearTimeout(this.unshown);
    this.unshown = null;
    if (!this.wanted) return;
    this.wanted = false;
    this.schedule();
  }

  /**
   * For good: a sign-out must not be followed by a snapshot of the session it ended, even from a follower that
   * was still folding a batch when it was told to stop.
   */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.unshown !== null) clearTimeout(this.unshown);
    this.timer = null;
    this.unshown = null;
  }
}
