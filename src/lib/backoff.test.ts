import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AbortedError, BACKOFF_MAX_MS, BACKOFF_MIN_MS, backoffDelay, sleep, throwIfAborted } from './backoff';

describe('backoffDelay', () => {
  const middle = () => 0.5;

  it('given no jitter, when attempts fail in a row, then the pause doubles from 250 ms up to 10 s', () => {
    const delays = Array.from({ length: 9 }, (_, attempt) => backoffDelay(attempt, middle));
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('given the extremes of the random source, then the pause is within ±25 %', () => {
    expect(backoffDelay(0, () => 0)).toBe(Math.round(BACKOFF_MIN_MS * 0.75));
    expect(backoffDelay(0, () => 1)).toBe(Math.round(BACKOFF_MIN_MS * 1.25));
    expect(backoffDelay(40, () => 0)).toBe(BACKOFF_MAX_MS * 0.75);
    expect(backoffDelay(40, () => 1)).toBe(BACKOFF_MAX_MS * 1.25);
  });

  it('given a very large attempt count, then the pause stays finite and capped', () => {
    expect(backoffDelay(Number.MAX_SAFE_INTEGER, middle)).toBe(BACKOFF_MAX_MS);
  });
});

describe('sleep', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('resolves once the time has passed, not before', async () => {
    let done = false;
    void sleep(1000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });

  it('given the signal aborts during the pause, then it resolves at once and leaves no timer behind', async () => {
    const abort = new AbortController();
    let done = false;
    void sleep(10_000, abort.signal).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(100);
    abort.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('given an aborted signal, then it resolves without starting a timer', async () => {
    const abort = new AbortController();
    abort.abort();
    await sleep(10_000, abort.signal);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('throwIfAborted', () => {
  it('throws an AbortedError only once the signal has aborted', () => {
    const abort = new AbortController();
    expect(() => throwIfAborted(abort.signal)).not.toThrow();
    abort.abort();
    expect(() => throwIfAborted(abort.signal)).toThrow(AbortedError);
  });
});
