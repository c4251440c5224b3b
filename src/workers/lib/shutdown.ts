/**
 * SIGINT/SIGTERM start a clean shutdown: the signal aborts, the worker finishes the batch in hand and drains its
 * connection. A second signal means the operator does not want to wait.
 */
import type { Logger } from './log';

export function shutdownSignal(log: Logger): AbortSignal {
  const controller = new AbortController();
  for (const name of ['SIGINT', 'SIGTERM'] as const) {
    process.on(name, () => {
      if (controller.signal.aborted) {
        log.warn('second signal: exiting without draining', { signal: name });
        process.exit(130);
      }
      log.info('shutting down', { signal: name });
      controller.abort();
    });
  }
  return controller.signal;
}
