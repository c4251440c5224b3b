/**
 * SIGINT/SIGTERM start a clean shutdown: the signal aborts, the worker finishes the batch in hand and drains its
 * connection. A second signal means the operator does not want to wait.
 */
import { UsageError } from '../../command-line/args';
import { describeNatsError } from '../../nats/errors';
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

/** Runs a worker's main and exits with its verdict: 0 when it stopped cleanly, 2 on bad usage, 1 otherwise. */
export function exitWhenDone(main: Promise<void>, log: Logger, usage: string): void {
  main.then(
    () => process.exit(0),
    (err: unknown) => {
      if (err instanceof UsageError) {
        console.error(`${err.message}\n\n${usage}`);
        process.exit(2);
      }
      log.error('failed', { reason: describeNatsError(err) });
      process.exit(1);
    },
  );
}
