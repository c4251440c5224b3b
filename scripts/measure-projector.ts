/**
 * The projector's throughput against the raw consumer rates, in one run on the same data.
 *
 *   npx tsx scripts/measure-projector.ts [--events 100000] [--keys 50] [--batch 1000]
 *
 * Starts a private nats-server (free ports, temporary store), publishes the events, then measures on the same
 * stream: (1) a durable pull consumer that only acknowledges, (2) an ordered consumer that only reads,
 * (3) Stockwire's replay with decoding and the core fold, (4) the projector process from an empty bucket until
 * every event is acknowledged and the bucket equals the fold, (5) the projector's start-up fold of the whole
 * stream after a restart. `npm run bench` records (4) against raw KV puts on demo-shaped data.
 */
import { rmSync } from 'node:fs';
import { UsageError, parseArgs, single, wholeNumber } from '../src/command-line/args';
import { createRng, type DemoEvent } from '../src/core/demo-history';
import type { StockEvent } from '../src/core/events';
import { connectNode } from '../src/nats/connect-node';
import type { NatsConnection } from '../src/nats/connection';
import { consumeDurable, ensureDurable } from '../src/nats/durable';
import { STREAMS } from '../src/core/resources';
import { provision } from '../src/nats/provision';
import { replayStream } from '../src/nats/replay';
import { LOGINS } from '../test/support/users';
import { Cleanup } from './bench/cleanup';
import { fillStream } from './bench/fill';
import { stockwireNodeReplay } from './bench/node-replay';
import { bucketEquals, expectedLevels, runProjector, startProjector } from './bench/projector-run';
import { startNatsServer } from './lib/nats-server.mjs';

const USAGE = 'Usage: npx tsx scripts/measure-projector.ts [--events N] [--keys N] [--batch N]';
let EVENTS = 0;
let KEYS = 0;
/** The projector's batch size (its --batch); the raw consumers pull 1000 at a time either way. */
let BATCH = 0;
try {
  const args = parseArgs(process.argv.slice(2), ['events', 'keys', 'batch']);
  EVENTS = wholeNumber('events', single(args, 'events') ?? '100000', 1);
  KEYS = wholeNumber('keys', single(args, 'keys') ?? '50', 1);
  BATCH = wholeNumber('batch', single(args, 'batch') ?? '1000', 1);
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  console.error(`${err.message}\n${USAGE}`);
  process.exit(2);
}

const say = (line: string) => console.log(line);
const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);

/** Sales, deliveries and counts spread over KEYS (warehouse, product) pairs. */
function events(): DemoEvent[] {
  const rng = createRng(42);
  const locations = ['A1', 'A2', '-'];
  return Array.from({ length: EVENTS }, () => {
    const k = Math.floor(rng() * KEYS);
    const product_name = `P${Math.floor(k / 5)}`;
    const quantity = 1 + Math.floor(rng() * 9);
    const location = locations[Math.floor(rng() * locations.length)]!;
    const r = rng();
    const event: StockEvent =
      r < 0.4
        ? { type: 'stock.replenished', product_name, location, quantity }
        : r < 0.9
          ? { type: 'stock.sold', product_name, location, quantity }
          : { type: 'stock.corrected', product_name, location, quantity: quantity * 10 };
    return { warehouse: `w${k % 5}`, event, timestampMs: Date.now() };
  });
}

async function rawDurable(nc: NatsConnection): Promise<number> {
  await ensureDurable(nc, {
    stream: STREAMS.warehouse,
    name: 'measure_raw',
    ackWaitMs: 30_000,
    maxAckPending: 20_000,
  });
  const controller = new AbortController();
  let seen = 0;
  const started = performance.now();
  for await (const batch of consumeDurable(nc, {
    stream: STREAMS.warehouse,
    name: 'measure_raw',
    signal: controller.signal,
    batchSize: 1000,
  })) {
    for (const m of batch) m.ack();
    seen += batch.length;
    if (seen >= EVENTS) break;
  }
  return performance.now() - started;
}

async function rawOrdered(nc: NatsConnection): Promise<number> {
  const controller = new AbortController();
  let seen = 0;
  const started = performance.now();
  for await (const batch of replayStream(nc, {
    stream: STREAMS.warehouse,
    fromSeq: 1,
    signal: controller.signal,
    batchSize: 1000,
  })) {
    seen += batch.messages.length;
    if (seen >= EVENTS) break;
  }
  controller.abort();
  return performance.now() - started;
}

async function main(cleanup: Cleanup): Promise<void> {
  const server = await startNatsServer();
  cleanup.add('nats-server', async () => {
    await server.stop();
    rmSync(server.storeDir, { recursive: true, force: true });
  });
  const admin = await connectNode({ servers: server.clientUrl, ...LOGINS.admin });
  cleanup.add('admin connection', () => admin.close());
  await provision(admin);
  say(`nats-server ${server.clientUrl}; publishing ${EVENTS} events on ${KEYS} keys`);
  const filled = await fillStream(admin, events(), 'admin');
  say(`published in ${(filled.ms / 1000).toFixed(1)} s`);

  const durableMs = await rawDurable(admin);
  const orderedMs = await rawOrdered(admin);
  const decoded = await stockwireNodeReplay(admin, EVENTS);
  const expected = expectedLevels(decoded.ledger);
  const projector = await runProjector(cleanup, admin, server.clientUrl, expected, EVENTS, 600_000, [
    '--batch',
    String(BATCH),
  ]);
  const second = startProjector(cleanup, server.clientUrl, ['--batch', String(BATCH)]);
  const { foldMs } = await second.ready;
  await second.stop();
  if (!(await bucketEquals(admin, expected)))
    throw new Error('the bucket differs from the fold after the restart');

  const rows: [string, number][] = [
    ['raw durable pull consumer, ack only', durableMs],
    ['raw ordered consumer, no decoding', orderedMs],
    ['ordered consumer + decode + core fold', decoded.ms],
    ['projector: durable → fold → CAS writes → acks', projector.ms],
    ['projector restart: start-up fold of the stream', foldMs],
  ];
  say(
    `\n${EVENTS} events, ${KEYS} keys (${expected.size} levels in the bucket, equal to the fold), projector batch ${BATCH}`,
  );
  for (const [what, ms] of rows) {
    say(
      `  ${what.padEnd(48)} ${String(Math.round(ms)).padStart(6)} ms  ${String(rate(EVENTS, ms)).padStart(7)} events/s`,
    );
  }
  say(`  projector / raw durable: ${(durableMs / projector.ms).toFixed(2)}`);
}

const cleanup = new Cleanup();
cleanup.onSignals(say);
main(cleanup)
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => cleanup.run());
