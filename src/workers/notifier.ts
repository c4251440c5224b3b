/**
 * The notifier: watches `stock_levels` and `stock_thresholds` and publishes `stock.low` to
 * `procurement.<warehouse>.product.<product>` once per crossing below the threshold
 * (docs/architecture.md#notifier). How it avoids repeating an alert: src/workers/lib/notification.ts.
 *
 *   tsx src/workers/notifier.ts [--server nats://…] [--user services] [--password …]
 */
import { NOTIFIER_STATUS_KEY } from '../core/worker-status';
import { createLogger } from './lib/log';
import { Notification } from './lib/notification';
import { CONNECTION_USAGE, parseWorkerArgs } from './lib/options';
import { exitWhenDone } from './lib/shutdown';
import { runReportingWorker } from './lib/reporting-worker';

const USAGE = `Usage: tsx src/workers/notifier.ts [options]
  --status-interval-ms N    how often the status is published (default 2000)
${CONNECTION_USAGE}`;

const log = createLogger('notifier');

async function main(): Promise<void> {
  const args = parseWorkerArgs(process.argv.slice(2), {
    switches: [],
    numbers: { 'status-interval-ms': { default: 2000, min: 100 } },
  });
  const notification = new Notification(log, args.headers.names, args.target.user);
  await runReportingWorker({
    work: notification,
    name: 'stockwire-notifier',
    statusKey: NOTIFIER_STATUS_KEY,
    args,
    log,
  });
}

exitWhenDone(main(), log, USAGE);
