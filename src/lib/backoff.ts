/**
 * Waiting between attempts: exponential back-off with jitter, cut short by an abort signal. The browser engine
 * and the Node workers both use it, so it needs nothing but timers (docs/architecture.md#code-layout).
 */

export const BACKOFF_MIN_MS = 250;
export const BACKOFF_MAX_MS = 10_000;

/** Delay before attempt `attempt` (0-based): 250 ms doubling up to 10 s, with ±25 % jitter so peers spread out. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(attempt, 16));
  return Math.round(base * (0.75 + random() * 0.5));
}

/**
 * Resolves after `ms`, or at once when the signal aborts (never rejects), so that signing out or shutting down
 * is not held up by a pause nobody needs any more.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Thrown by work that noticed its signal abort, so that a supervisor can tell stopping from failing. */
export class AbortedError extends Error {
  constructor() {
    super('shutting down');
    this.name = 'AbortedError';
  }
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new AbortedError();
}
