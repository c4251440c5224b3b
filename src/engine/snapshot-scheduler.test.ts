import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CATCH_UP_SNAPSHOT_INTERVAL_MS,
  LIVE_SNAPSHOT_INTERVAL_MS,
  SnapshotScheduler,
  UNSHOWN_SNAPSHOT_WAIT_MS,
} from './snapshot-scheduler';

function scheduler(live: boolean) {
  /**
   * `rendered`: whether the next snapshots show something new (a render the page acknowledges). `posts`
   * counts what was sent, a snapshot or only the position; `held` what was kept back for the page.
   */
  const state = { live, posts: 0, held: 0, rendered: true };
  const snapshots = new SnapshotScheduler(
    (mayRender) => {
      if (!state.rendered) {
        state.posts += 1;
        return 'applied';
      }
      if (!mayRender) {
        state.held += 1;
        return 'held';
      }
      state.posts += 1;
      return 'rendered';
    },
    () => state.live,
  );
  return { state, snapshots };
}

describe('SnapshotScheduler', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('given the replay is live, when something changes, then a snapshot follows after 30 ms, not before', () => {
    const { state, snapshots } = scheduler(true);
    snapshots.schedule();
    vi.advanceTimersByTime(LIVE_SNAPSHOT_INTERVAL_MS - 1);
    expect(state.posts).toBe(0);
    vi.advanceTimersByTime(1);
    expect(state.posts).toBe(1);
    expect(LIVE_SNAPSHOT_INTERVAL_MS).toBe(30);
  });

  it('given the replay is catching up, when something changes, then a snapshot follows after a second', () => {
    const { state, snapshots } = scheduler(false);
    snapshots.schedule();
    vi.advanceTimersByTime(CATCH_UP_SNAPSHOT_INTERVAL_MS - 1);
    expect(state.posts).toBe(0);
    vi.advanceTimersByTime(1);
    expect(state.posts).toBe(1);
    expect(CATCH_UP_SNAPSHOT_INTERVAL_MS).toBe(1000);
  });

  it('given many changes within the interval, then they share one snapshot', () => {
    const { state, snapshots } = scheduler(true);
    for (let i = 0; i < 100; i++) {
      snapshots.schedule();
      vi.advanceTimersByTime(0.25);
    }
    vi.advanceTimersByTime(LIVE_SNAPSHOT_INTERVAL_MS);
    expect(state.posts).toBe(1);
  });

  it('given a snapshot was posted and shown, when something changes again, then another one follows', () => {
    const { state, snapshots } = scheduler(true);
    snapshots.schedule();
    vi.advanceTimersByTime(LIVE_SNAPSHOT_INTERVAL_MS);
    snapshots.shown();
    snapshots.schedule();
    vi.advanceTimersByTime(LIVE_SNAPSHOT_INTERVAL_MS);
    expect(state.posts).toBe(2);
  });

  it('given the page has not shown the last snapshot, then changes wait for it and share the next one', () => {
    const { state, snapshots } = scheduler(true);
    snapshots.flush();
    for (let i = 0; i < 20; i++) {
      snapshots.schedule();
      vi.advanceTimersByTime(LIVE_SNAPSHOT_INTERVAL_MS);
    }
    expect(state.posts).toBe(1);
    snapshots.shown();
    expect(state.posts).toBe(1);
    vi.advanceTimersByTime(LIVE_SNAPSHOT_INTERVAL_MS);
    expect(state.posts).toBe(2);
    snapshots.shown();
    vi.advanceTimersByTime(CATCH_UP_SNAPSHOT_INTERVAL_MS);
    expect(state.posts).toBe(2);
  });

  it('given a page that never says it has shown one, then it is still sent one per wait', () => {
    const { state, snapshots } = scheduler(true);
    snapshots.flush();
    snapshots.schedule();
    vi.advanceTimersByTime(UNSHOWN_SNAPSHOT_WAIT_MS - 1);
    expect(state.posts).toBe(1);
    vi.advanceTimersByTime(1 + LIVE_SNAPSHOT_INTERVAL_MS);
    expect(state.posts).toBe(2);
    expect(UNSHOWN_SNAPSHOT_WAIT_MS).toBe(1000);
  });

  it('given a snapshot asked for while catching up, when the replay catches up meanwhile, then it keeps the interval it was asked with', () => {
    const { state, snapshots } = scheduler(false);
    snapshots.schedule();
    state.live = true;
    snapshots.schedule();
    vi.advanceTimersByTime(LIVE_SNAPSHOT_INTERVAL_MS);
    expect(state.posts).toBe(0);
    vi.advanceTimersByTime(CATCH_UP_SNAPSHOT_INTERVAL_MS);
    expect(state.posts).toBe(1);
  });

  it('given a snapshot is due, when one is flushed (the replay caught up), then it is posted at once and the due one is not', () => {
    const { state, snapshots } = scheduler(false);
    snapshots.schedule();
    vi.advanceTimersByTime(500);
    snapshots.flush();
    expect(state.posts).toBe(1);
    vi.advanceTimersByTime(CATCH_UP_SNAPSHOT_INTERVAL_MS);
    expect(state.posts).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('given a flush, when something changes after it was shown, then it is scheduled anew', () => {
    const { state, snapshots } = scheduler(true);
    snapshots.flush();
    snapshots.shown();
    snapshots.schedule();
    vi.advanceTimersByTime(LIVE_SNAPSHOT_INTERVAL_MS);
    expect(state.posts).toBe(2);
  });

  it('given it was stopped (sign-out), then neither a due snapshot nor later asks post anything', () => {
    const { state, snapshots } = scheduler(true);
    snapshots.schedule();
    snapshots.stop();
    expect(vi.getTimerCount()).toBe(0);
    snapshots.schedule();
    snapshots.flush();
    vi.advanceTimersByTime(CATCH_UP_SNAPSHOT_INTERVAL_MS);
    expect(state.posts).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('given a post with nothing new to show, then the next change is not held for a "shown" that never comes', () => {
    const { state, snapshots } = scheduler(true);
    state.rendered = false;
    snapshots.flush();
    snapshots.schedule();
    vi.advanceTimersByTime(LIVE_SNAPSHOT_INTERVAL_MS);
    expect(state.posts).toBe(2);
    // A render again: the one after it waits for the page.
    state.rendered = true;
    snapshots.schedule();
    vi.advanceTimersByTime(LIVE_SNAPSHOT_INTERVAL_MS);
    snapshots.schedule();
    vi.advanceTimersByTime(LIVE_SNAPSHOT_INTERVAL_MS * 3);
    expect(state.posts).toBe(3);
  });

  it('given the page has not shown the last snapshot, then a change that shows it nothing new is told at once', () => {
    const { state, snapshots } = scheduler(true);
    snapshots.flush();
    state.rendered = false;
    snapshots.schedule();
    vi.advanceTimersByTime(LIVE_SNAPSHOT_INTERVAL_MS);
    expect(state.posts).toBe(2);
    // Something new again: held until the page has shown the last one, then sent.
    state.rendered = true;
    snapshots.schedule();
    vi.advanceTimersByTime(LIVE_SNAPSHOT_INTERVAL_MS);
    expect(state).toMatchObject({ posts: 2, held: 1 });
    snapshots.shown();
    vi.advanceTimersByTime(LIVE_SNAPSHOT_INTERVAL_MS);
    expect(state.posts).toBe(3);
  });
});
