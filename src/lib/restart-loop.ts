/**
 * Runs something that must keep running — a follower in the engine, a Node worker's cycle — again each time
 * it ends, until its signal aborts. Readers end for good on errors they cannot recover from
 * (docs/architecture.md#adapters), and nats.js gives up on an ordered consumer it cannot recreate
 * (docs/platform-notes.md#the-natsjs-client), so restarting is the caller's job. The pause between runs grows
 * while runs keep failing quickly, so a server that is down is not hammered, and starts over after a healthy
 * run, so one failure after hours of work is retried at once.
 */
import { backoffDelay, sleep } from './backoff';

/** How a run ended, for the caller's log or notice. */
export interface RunEnd {
  /** False when the run returned by itself. */
  threw: boolean;
  /** What it threw; undefined when it returned. */
  error: unknown;
  ranMs: number;
}

export interface RestartLoopOptions {
  /** Ends the loop: the current run's signal aborts with it, a pause is cut short and no run starts after it. */
  signal: AbortSignal;
  /**
   * One run, until it returns, throws or its signal aborts (with the loop's, or on `restart()`). Returning
   * `'again'` starts the next run at once, neither paused nor counted: nothing failed.
   */
  run(signal: AbortSignal): Promise<void | 'again'>;
  /** A run that lasted longer than this starts the pauses over from the shortest. */
  healthyRunMs: number;
  /**
   * Whether this failure leaves the next pause as short as this one instead of growing it: a request that
   * timed out has waited already.
   */
  holdsPause?(error: unknown): boolean;
  /** Told of each pause before it starts. */
  onPause?(end: RunEnd, delayMs: number): void;
  /** The jitter's source, for tests. */
  random?: () => number;
}

export interface RestartLoop {
  /** Settles once the signal has aborted and the last run has ended. */
  readonly done: Promise<void>;
  /** Ends the current run so that the next one starts; a pause under way is not cut short. */
  restart(): void;
}

export function startRestartLoop(options: RestartLoopOptions): RestartLoop {
  const { signal } = options;
  let current: AbortController | null = null;

  async function runOnce(): Promise<RunEnd | 'again'> {
    const run = new AbortController();
    const stop = () => run.abort();
    signal.addEventListener('abort', stop, { once: true });
    current = run;
    const startedMs = Date.now();
    try {
      if ((await options.run(run.signal)) === 'again') return 'again';
      return { threw: false, error: undefined, ranMs: Date.now() - startedMs };
    } catch (error) {
      return { threw: true, error, ranMs: Date.now() - startedMs };
    } finally {
      signal.removeEventListener('abort', stop);
      current = null;
    }
  }

  async function loop(): Promise<void> {
    let attempt = 0;
    while (!signal.aborted) {
      const end = await runOnce();
      if (signal.aborted) return;
      if (end === 'again') continue;
      if (end.ranMs > options.healthyRunMs) attempt = 0;
      const delayMs = backoffDelay(attempt, options.random);
      if (!(end.threw && options.holdsPause?.(end.error))) attempt += 1;
      options.onPause?.(end, delayMs);
      await sleep(delayMs, signal);
    }
  }

  return { done: loop(), restart: () => current?.abort() };
}
