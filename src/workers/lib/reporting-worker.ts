/**
 * How every long-running Node worker runs: supervised (reconnecting and restarting its cycle with back-off,
 * supervise.ts) and, for as long as a cycle runs, writing its status into `worker_status` for the procurement
 * page (status-loop.ts). The projector, the notifier and the checkpointer differ only in their work.
 */
import type { WorkerStatus } from '../../core/worker-status';
import type { NatsConnection } from '../../nats/connection';
import type { Logger } from './log';
import type { WorkerArgs } from './options';
import { shutdownSignal } from './shutdown';
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
  /** The worker's parsed command line; its spec must define `status-interval-ms`. */
  args: WorkerArgs;
  /** What the worker was started with, for the first line of its log. */
  settings?: Record<string, unknown>;
  log: Logger;
}

/** Settles once SIGINT/SIGTERM has stopped the last cycle; logs how it starts and the final status. */
export async function runReportingWorker(options: ReportingWorkerOptions): Promise<void> {
  const { work, log, args } = options;
  const signal = shutdownSignal(log);
  log.info('starting', {
    servers: args.target.servers,
    user: args.target.user,
    headerPrefix: args.headers.prefix,
    ...options.settings,
  });
  await supervise({
    target: args.target,
    name: options.name,
    signal,
    log,
    onError: () => work.countError(),
    cycle: (nc, cycleSignal) =>
      withStatusLoop(
        {
          nc,
          key: options.statusKey,
          intervalMs: args.numbers['status-interval-ms']!,
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
