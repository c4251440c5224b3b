/**
 * The projector: WAREHOUSE_EVENTS → KV `stock_levels` (docs/architecture.md#projector), through the durable
 * consumer `projector`. How it stays exact across crashes and redeliveries: src/workers/lib/projection.ts.
 *
 *   tsx src/workers/projector.ts [--rebuild] [--server nats://…] [--user services] [--password …]
 */
import { BUCKETS } from '../core/resources';
import { PROJECTOR_STATUS_KEY } from '../core/worker-status';
import { createLogger } from './lib/log';
import { CONNECTION_USAGE, parseWorkerArgs } from './lib/options';
import { Projection } from './lib/projection';
import { exitWhenDone } from './lib/shutdown';
import { runReportingWorker } from './lib/reporting-worker';

const USAGE = `Usage: tsx src/workers/projector.ts [options]
  --rebuild                 make ${BUCKETS.stockLevels} equal to the stream again: rewrite every key that differs from a
                            fresh fold and delete keys the stream does not produce (after fixing a bug in the
                            fold); the bucket stays in place, readers keep watching, live events keep flowing
  --batch N                 messages per batch from the durable consumer (default 1000)
  --ack-wait-ms N           redelivery delay of unacknowledged messages (default 30000)
  --max-ack-pending N       unacknowledged messages the server allows (default 20000)
  --write-concurrency N     compare-and-set writes in flight (default 64)
  --catch-up-batch N        events folded at once while catching up; a durable further behind than this
                            folds the whole backlog before writing (default 50000)
  --status-interval-ms N    how often the status is published (default 2000)
${CONNECTION_USAGE}`;

const log = createLogger('projector');

async function main(): Promise<void> {
  const args = parseWorkerArgs(process.argv.slice(2), {
    switches: ['rebuild'],
    numbers: {
      batch: { default: 1000, min: 1 },
      'ack-wait-ms': { default: 30_000, min: 1000 },
      'max-ack-pending': { default: 20_000, min: 1 },
      'write-concurrency': { default: 64, min: 1 },
      'catch-up-batch': { default: 50_000, min: 1 },
      'status-interval-ms': { default: 2000, min: 100 },
    },
  });
  const n = args.numbers;
  const settings = {
    batchSize: n.batch!,
    ackWaitMs: n['ack-wait-ms']!,
    maxAckPending: Math.max(n['max-ack-pending']!, n.batch!),
    writeConcurrency: n['write-concurrency']!,
    catchUpBatch: n['catch-up-batch']!,
    rebuild: args.switches.has('rebuild'),
  };
  const projection = new Projection(log, settings, args.headers.names);
  await runReportingWorker({
    work: projection,
    name: 'stockwire-projector',
    statusKey: PROJECTOR_STATUS_KEY,
    args,
    settings,
    log,
  });
}

exitWhenDone(main(), log, USAGE);
