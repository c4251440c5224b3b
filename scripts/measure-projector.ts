/**
 * The projector's throughput against the raw consumer rate, in one run on the same data.
 *
 *   npx tsx scripts/measure-projector.ts [--events 100000] [--keys 50] [--batch 1000]
 *
 * Starts a private nats-server (free ports, temporary store), publishes the events, then measures on the same
 * stream: (1) a durable pull consumer that only acknowledges, (2) an ordered consumer that only reads,
 * (3) the projector process from an empty bucket until every event is acknowledged and the bucket equals the
 * fold, (4) the projector's start-up fold of the whole stream after a restart.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT, startNatsServer } from './lib/nats-server.mjs';
import { UsageError, parseArgs, single, wholeNumber } from '../src/cli/args';
import { decodeStockMessage } from '../src/core/codec';
import { createRng } from '../src/core/demo-history';
import { applyBatch, initialLedger } from '../src/core/ledger';
import { stockLevelJson } from '../src/core/procurement-stock';
import type { StockEvent } from '../src/core/events';
import { connectNode } from '../src/nats/connect-node';
import type { NatsConnection } from '../src/nats/connection';
import { consumeDurable, durablePosition, ensureDurable } from '../src/nats/durable';
import { openCasBucket } from '../src/nats/kv-cas';
import { watchBucket } from '../src/nats/kv-watch';
import { PROJECTOR_DURABLE, STOCK_LEVELS_BUCKET, WAREHOUSE_STREAM } from '../src/nats/names';
import { provision } from '../src/nats/provision';
import { publishStockEvent } from '../src/nats/publish';
import { replayStream } from '../src/nats/replay';

const args = parseArgs(process.argv.slice(2), ['events', 'keys', 'batch']);
const EVENTS = wholeNumber('events', single(args, 'events') ?? '100000', 1);
const KEYS = wholeNumber('keys', single(args, 'keys') ?? '50', 1);
/** The projector's batch size (its --batch); the raw consumers pull 1000 at a time either way. */
const BATCH = wholeNumber('batch', single(args, 'batch') ?? '1000', 1);

const say = (line: string) => console.log(line);
const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);

function connect(url: string, user: string): Promise<NatsConnection> {
  return connectNode({ servers: url, user, password: `stockwire-${user}`, name: `measure-${user}` });
}

async function publishAll(nc: NatsConnection): Promise<void> {
  const rng = createRng(42);
  const locations = ['A1', 'A2', '-'];
  let next = 0;
  const lane = async () => {
    while (next < EVENTS) {
      next++;
      const k = Math.floor(rng() * KEYS);
      const warehouse = `w${k % 5}`;
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
      const result = await publishStockEvent(nc, warehouse, event, {
        id: randomUUID(),
        timestampMs: Date.now(),
      });
      if (!result.ok) throw new Error(`publish failed: ${result.message}`);
    }
  };
  await Promise.all(Array.from({ length: 500 }, lane));
}

async function rawDurable(nc: NatsConnection): Promise<number> {
  await ensureDurable(nc, {
    stream: WAREHOUSE_STREAM,
    name: 'measure_raw',
    ackWaitMs: 30_000,
    maxAckPending: 20_000,
  });
  const controller = new AbortController();
  let seen = 0;
  const started = performance.now();
  for await (const batch of consumeDurable(nc, {
    stream: WAREHOUSE_STREAM,
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

async function rawOrdered(nc: NatsConnection, decode: boolean): Promise<number> {
  const controller = new AbortController();
  let seen = 0;
  let state = initialLedger();
  const started = performance.now();
  for await (const batch of replayStream(nc, {
    stream: WAREHOUSE_STREAM,
    fromSeq: 1,
    signal: controller.signal,
    batchSize: 1000,
  })) {
    if (decode)
      state = applyBatch(
        state,
        batch.messages.map((m) => decodeStockMessage(m)),
      );
    seen += batch.messages.length;
    if (seen >= EVENTS) break;
  }
  controller.abort();
  return performance.now() - started;
}

async function expectedBucket(nc: NatsConnection): Promise<Map<string, string>> {
  const controller = new AbortController();
  let state = initialLedger();
  for await (const batch of replayStream(nc, {
    stream: WAREHOUSE_STREAM,
    fromSeq: 1,
    signal: controller.signal,
  })) {
    state = applyBatch(
      state,
      batch.messages.map((m) => decodeStockMessage(m)),
    );
    if (state.lastSeq >= EVENTS) break;
  }
  controller.abort();
  return new Map([...state.procurement.levels].map(([k, l]) => [k, stockLevelJson(l)]));
}

async function bucketMatches(nc: NatsConnection, expected: Map<string, string>): Promise<boolean> {
  const controller = new AbortController();
  const text = new TextDecoder();
  let same = 0;
  for await (const batch of watchBucket(nc, { bucket: STOCK_LEVELS_BUCKET, signal: controller.signal })) {
    for (const e of batch.entries) if (expected.get(e.key) === text.decode(e.value)) same++;
    if (batch.initialDone) break;
  }
  controller.abort();
  return same === expected.size;
}

async function waitUntilAcknowledged(nc: NatsConnection): Promise<void> {
  for (;;) {
    const d = await durablePosition(nc, WAREHOUSE_STREAM, PROJECTOR_DURABLE);
    if (d && d.ackFloorSeq >= EVENTS) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Projector {
  ready: Promise<{ atMs: number; foldMs: number }>;
  stop(): Promise<void>;
  kill(): void;
}

function startProjector(url: string): Projector {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join('src', 'workers', 'projector.ts'), '--server', url, '--batch', String(BATCH)],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const ready = new Promise<{ atMs: number; foldMs: number }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (text) => {
      try {
        const line = JSON.parse(text) as { msg?: string; ts?: string; foldMs?: number };
        if (line.msg === 'ready') resolve({ atMs: Date.parse(line.ts!), foldMs: line.foldMs ?? 0 });
      } catch {
        // not a log line
      }
    });
    child.once('exit', () => reject(new Error('the projector exited before it was ready')));
  });
  const projector: Projector = {
    ready,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          children.delete(projector);
          resolve();
        });
        child.kill('SIGTERM');
      }),
    kill: () => child.kill('SIGKILL'),
  };
  children.add(projector);
  return projector;
}

const children = new Set<Projector>();
process.on('exit', () => {
  for (const child of children) child.kill();
});

async function main(): Promise<void> {
  const server = await startNatsServer();
  const admin = await connect(server.clientUrl, 'admin');
  try {
    await provision(admin);
    say(`nats-server ${server.clientUrl}; publishing ${EVENTS} events on ${KEYS} keys`);
    const t = performance.now();
    await publishAll(admin);
    say(`published in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const expected = await expectedBucket(admin);

    const durableMs = await rawDurable(admin);
    const orderedMs = await rawOrdered(admin, false);
    const decodedMs = await rawOrdered(admin, true);

    // Done when the key of the last event holds it: one cheap read per poll. Consumer info would be the obvious
    // probe, but on 2.9.10 polling it slows the consumer's deliveries severalfold.
    const levels = await openCasBucket(admin, STOCK_LEVELS_BUCKET);
    const lastKey = [...expected].find(
      ([, json]) => (JSON.parse(json) as { last_seq: number }).last_seq === EVENTS,
    )![0];
    const first = startProjector(server.clientUrl);
    const { atMs } = await first.ready;
    for (;;) {
      const { value } = await levels.get(lastKey);
      if (value && (JSON.parse(new TextDecoder().decode(value)) as { last_seq: number }).last_seq === EVENTS)
        break;
      await new Promise((r) => setTimeout(r, 5));
    }
    // The other keys of the last batch are written in parallel with that one.
    while (!(await bucketMatches(admin, expected))) await new Promise((r) => setTimeout(r, 5));
    const projectorMs = Date.now() - atMs;
    await waitUntilAcknowledged(admin);
    await first.stop();
    const second = startProjector(server.clientUrl);
    const { foldMs } = await second.ready;
    await second.stop();
    if (!(await bucketMatches(admin, expected)))
      throw new Error('the bucket differs from the fold after the restart');

    const rows: [string, number][] = [
      ['raw durable pull consumer, ack only', durableMs],
      ['raw ordered consumer, no decoding', orderedMs],
      ['ordered consumer + decode + core fold', decodedMs],
      ['projector: durable → fold → CAS writes → acks', projectorMs],
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
    say(`  projector / raw durable: ${(durableMs / projectorMs).toFixed(2)}`);
  } finally {
    await admin.close();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(
      `${err.message}\nUsage: npx tsx scripts/measure-projector.ts [--events N] [--keys N] [--batch N]`,
    );
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
