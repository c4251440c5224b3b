/**
 * How every long-running Node worker runs: supervised (reconnecting and restarting its cycle with back-off,
 * supervise.ts) and, for as long as a cycle runs, writing its status into `worker_status` for the procurement
 * page (status-loop.ts). The projector, the notifier and the checkpointer differ only in their work.
 */
import type { WorkerStatus } from '../../core/worker-status';
import type { NatsConnection } from '../../nats/connection';
import type { Logger } from './log';
import type { WorkerTarget } from './options';
import { withStatusLoop } from './status-loop';
import { supervise } from './supervise';

export interface ReportingWork {
  /** One cycle, until its signal aborts; a throw is counted, logged and the cycle started again. */
  run(nc: NatsConnection, signal: AbortSignal): Promise<void>;
  status(): WorkerStatus;
  countError(): void;
  /** Brings what the status says up to date before it is written (the stream's end, for the lag). */
  refreshStreamEnd?(nc: NatsConnection): Promise<void>;
}

export interface ReportingWorkerOptions {
  work: ReportingWork;
  /** Connection name shown in the server's /connz. */
  name: string;
  statusKey: string;
  statusIntervalMs: number;
  target: WorkerTarget;
  signal: AbortSignal;
  log: Logger;
}

/** Settles once the signal has aborted and the last cycle has stopped; logs the final status. */
export async function runReportingWorker(options: ReportingWorkerOptions): Promise<void> {
  const { work, log } = options;
  await supervise({
    target: options.target,
    name: options.name,
    signal: options.signal,
    log,
    onError: () => work.countError(),
    cycle: (nc, cycleSignal) =>
      withStatusLoop(
        {
          nc,
          key: options.statusKey,
          intervalMs: options.statusIntervalMs,
          logEveryMs: 30_000,
          signal: cycleSignal,
          log,
          snapshot: async () => {
            // A stale end only makes the reported lag older; it must not stop the report.
            await work.refreshStreamEnd?.(nc).catch(() => undefined);
            return work.status();
          },
        },
        () => work.run(nc, cycleSignal),
      ),
  });
  log.info('stopped', { ...work.status() });
}
