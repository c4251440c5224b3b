/**
 * Publishes a worker's status every couple of seconds (KV bucket worker_status, see src/nats/worker-status.ts)
 * and writes it to the log now and then, so the figures are visible even where the bucket is not.
 */
import type { NatsConnection } from '../../nats/connection';
import { BUCKETS } from '../../core/resources';
import type { WorkerStatus } from '../../core/worker-status';
import { putWorkerStatus } from '../../nats/worker-status';
import { sleep } from '../../lib/backoff';
import type { Logger } from './log';

export interface StatusLoopOptions {
  nc: NatsConnection;
  key: string;
  intervalMs: number;
  /** How often the status also goes to the log, when it changed (ms). */
  logEveryMs: number;
  signal: AbortSignal;
  log: Logger;
  snapshot(): Promise<WorkerStatus> | WorkerStatus;
}

export async function runStatusLoop(options: StatusLoopOptions): Promise<void> {
  const { nc, key, signal, log } = options;
  let failing: string | undefined;
  let loggedAt = 0;
  let lastLogged = '';
  while (!signal.aborted) {
    let status: WorkerStatus;
    try {
      status = await options.snapshot();
    } catch (err) {
      log.warn('status not computed', { reason: err });
      await sleep(options.intervalMs, signal);
      continue;
    }
    const result = await putWorkerStatus(nc, key, status);
    if (!result.ok && failing !== result.kind) {
      failing = result.kind;
      log.warn('status not published; it is still logged', {
        bucket: BUCKETS.workerStatus,
        key,
        reason: result.message,
      });
    } else if (result.ok && failing !== undefined) {
      failing = undefined;
      log.info('status published again', { bucket: BUCKETS.workerStatus, key });
    }
    const {
      updatedMs: _u,
      eventsPerSecond: _e,
      ...stable
    } = status as WorkerStatus & { eventsPerSecond?: number };
    const fingerprint = JSON.stringify(stable);
    if (status.updatedMs - loggedAt >= options.logEveryMs && fingerprint !== lastLogged) {
      loggedAt = status.updatedMs;
      lastLogged = fingerprint;
      log.info('status', { ...status });
    }
    await sleep(options.intervalMs, signal);
  }
}

/** Runs `work` with the status loop beside it; the loop stops when the work ends, however it ends. */
export async function withStatusLoop(options: StatusLoopOptions, work: () => Promise<void>): Promise<void> {
  const stopLoop = new AbortController();
  const stop = () => stopLoop.abort();
  options.signal.addEventListener('abort', stop, { once: true });
  const loop = runStatusLoop({ ...options, signal: stopLoop.signal });
  try {
    await work();
  } finally {
    options.signal.removeEventListener('abort', stop);
    stopLoop.abort();
    await loop;
  }
}
