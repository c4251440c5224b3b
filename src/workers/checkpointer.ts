/**
 * The checkpointer: folds WAREHOUSE_EVENTS and writes shared checkpoints of the fold into the `checkpoints`
 * object store, so that a browser without a saved copy replays only the tail (docs/architecture.md#checkpoints).
 * How: src/workers/lib/checkpointing.ts.
 *
 *   tsx src/workers/checkpointer.ts [--every-events N] [--every-seconds N] [--server nats://…] [--user services]
 */
import { CHECKPOINTER_STATUS_KEY } from '../core/worker-status';
import { Checkpointing, MARK_EVERY } from './lib/checkpointing';
import { createLogger } from './lib/log';
import { CONNECTION_USAGE, parseWorkerArgs } from './lib/options';
import { exitWhenDone } from './lib/shutdown';
import { runReportingWorker } from './lib/reporting-worker';

const USAGE = `Usage: tsx src/workers/checkpointer.ts [options]
  --every-events N          a checkpoint after N new events (default 100000)…
  --every-seconds N         …or after N seconds with any new event, whichever comes first (default 600)
  --keep N                  the newest N checkpoints are kept (default 3)…
  --keep-days N             …and the newest of each of the last N days of event time (default 7)…
  --keep-weeks N            …and of each of the last N weeks, where time travel starts (default 53)
  --mark-every N            a time mark (where event time stands) every N events at most (default ${MARK_EVERY})
  --status-interval-ms N    how often the status is published (default 2000)
${CONNECTION_USAGE}`;

const log = createLogger('checkpointer');

async function main(): Promise<void> {
  const args = parseWorkerArgs(process.argv.slice(2), {
    switches: [],
    numbers: {
      'every-events': { default: 100_000, min: 1 },
      'every-seconds': { default: 600, min: 1 },
      keep: { default: 3, min: 1 },
      'keep-days': { default: 7, min: 0 },
      'keep-weeks': { default: 53, min: 0 },
      'mark-every': { default: MARK_EVERY, min: 1 },
      'status-interval-ms': { default: 2000, min: 100 },
    },
  });
  const n = args.numbers;
  const settings = {
    everyEvents: n['every-events']!,
    everyMs: n['every-seconds']! * 1000,
    keepLatest: n.keep!,
    keepDays: n['keep-days']!,
    keepWeeks: n['keep-weeks']!,
    markEvery: n['mark-every']!,
  };
  const checkpointing = new Checkpointing(log, settings, args.headers.names);
  await runReportingWorker({
    work: checkpointing,
    name: 'stockwire-checkpointer',
    statusKey: CHECKPOINTER_STATUS_KEY,
    args,
    settings,
    log,
  });
}

exitWhenDone(main(), log, USAGE);
