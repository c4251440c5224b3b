/**
 * Shared pieces of the worker integration tests: a provisioned server of our own, workers as real child processes
 * (so SIGKILL is real), the core fold of the stream as the expected value, and waiting on conditions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import { REPO_ROOT, startNatsServer, type NatsServerHandle } from '../../scripts/lib/nats-server.mjs';
import { decodeProcurementMessage, decodeStockMessage } from '../../src/core/codec';
import { createRng, type Rng } from '../../src/core/demo-history';
import { stockKey, type StockEvent } from '../../src/core/events';
import { applyBatch, initialLedger, type LedgerState } from '../../src/core/ledger';
import { stockLevelJson, stockLevelsByKey } from '../../src/core/procurement-stock';
import { connectNode } from '../../src/nats/connect-node';
import type { NatsConnection } from '../../src/nats/connection';
import { watchBucket } from '../../src/nats/kv-watch';
import { BUCKETS, STREAMS } from '../../src/core/resources';
import { provision } from '../../src/nats/provision';
import { publishStockEvent } from '../../src/nats/publish';
import { streamState } from '../../src/nats/replay';
import { readWholeStream } from '../support/read-stream';
import { TEST_HEADER_NAMES } from '../../src/core/testing';

export const SERVICES = { user: 'services', password: 'stockwire-services' };
export const ADMIN = { user: 'admin', password: 'stockwire-admin' };

export interface TestStack {
  server: NatsServerHandle;
  /** An admin connection for the test's own reads and writes. */
  admin: NatsConnection;
  close(): Promise<void>;
}

/** A fresh nats-server on free ports with the repository's conf, provisioned. */
export async function startStack(): Promise<TestStack> {
  const server = await startNatsServer();
  const admin = await connectAs(server.clientUrl, ADMIN);
  await provision(admin);
  return {
    server,
    admin,
    async close() {
      await admin.close().catch(() => undefined);
      await server.stop();
    },
  };
}

export function connectAs(url: string, account: { user: string; password: string }): Promise<NatsConnection> {
  return connectNode({
    servers: url,
    user: account.user,
    password: account.password,
    name: `test-${account.user}`,
    maxReconnectAttempts: -1,
    timeoutMs: 5000,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Workers as child processes

export interface LogLine {
  level?: string;
  msg?: string;
  [field: string]: unknown;
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first log line (already seen or coming) that matches. */
  waitForLog(match: (line: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

const running = new Set<WorkerProcess>();

export function spawnWorker(
  name: 'projector' | 'notifier' | 'checkpointer',
  url: string,
  extraArgs: readonly string[] = [],
): WorkerProcess {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join('src', 'workers', `${name}.ts`),
      '--server',
      url,
      '--user',
      SERVICES.user,
      '--password',
      SERVICES.password,
      ...extraArgs,
    ],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', STOCKWIRE_HEADER_PREFIX: undefined },
    },
  );
  const lines: LogLine[] = [];
  const listeners = new Set<() => void>();
  const push = (text: string) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { raw: text };
    }
    lines.push(line);
    // WORKER_LOGS=1 echoes the workers' logs while debugging a test.
    if (process.env.WORKER_LOGS) console.log(`[${name} ${child.pid}] ${text}`);
    for (const l of listeners) l();
  };
  createInterface({ input: child.stdout }).on('line', push);
  createInterface({ input: child.stderr }).on('line', (text) => push(JSON.stringify({ stderr: text })));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const worker: WorkerProcess = {
    child,
    lines,
    exited,
    waitForLog(match, what, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(match);
          if (!found) return false;
          cleanup();
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`${name}: no log line "${what}" within ${timeoutMs} ms; last lines:\n${tail(lines)}`),
          );
        }, timeoutMs);
        const onExit = () => {
          if (check()) return;
          cleanup();
          reject(new Error(`${name} exited before logging "${what}":\n${tail(lines)}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.removeListener('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      running.delete(worker);
    },
  };
  running.add(worker);
  return worker;
}

function tail(lines: readonly LogLine[]): string {
  return lines
    .slice(-12)
    .map((l) => JSON.stringify(l))
    .join('\n');
}

/** Kills every worker this test file started and has not stopped yet (afterEach/afterAll). */
export async function killWorkers(): Promise<void> {
  await Promise.all([...running].map((w) => w.kill('SIGKILL')));
}

// ---------------------------------------------------------------------------------------------------------
// Waiting

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// ---------------------------------------------------------------------------------------------------------
// The expected value: the core fold of the stream

/** Folds WAREHOUSE_EVENTS from sequence 1 to its current end with the core ledger. */
export async function foldStream(nc: NatsConnection): Promise<LedgerState> {
  const messages = await readWholeStream(nc, STREAMS.warehouse);
  return applyBatch(
    initialLedger(),
    messages.map((m) => decodeStockMessage(m, TEST_HEADER_NAMES)),
  );
}

export interface Alert {
  key: string;
  id: string;
  quantity: number;
  threshold: number;
}

/** Every `stock.low` in PROCUREMENT_EVENTS, oldest first. */
export async function readAlerts(nc: NatsConnection): Promise<Alert[]> {
  const alerts: Alert[] = [];
  for (const m of await readWholeStream(nc, STREAMS.procurement)) {
    const d = decodeProcurementMessage(m, TEST_HEADER_NAMES);
    if (d.kind !== 'low') continue;
    alerts.push({
      key: stockKey(d.meta.warehouse, d.meta.product),
      id: d.meta.id,
      quantity: d.low.quantity,
      threshold: d.low.threshold,
    });
  }
  return alerts;
}

/** Every key of a bucket with its value as text (deleted keys left out). */
export async function readBucket(
  nc: NatsConnection,
  bucket: string = BUCKETS.stockLevels,
): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  const controller = new AbortController();
  const text = new TextDecoder();
  try {
    for await (const batch of watchBucket(nc, { bucket, signal: controller.signal })) {
      for (const e of batch.entries) {
        if (e.operation === 'PUT') values.set(e.key, text.decode(e.value));
        else values.delete(e.key);
      }
      if (batch.initialDone) break;
    }
  } finally {
    controller.abort();
  }
  return values;
}

/** Differences between the bucket and the fold, one line each; empty when they agree byte for byte. */
export function compareWithFold(fold: LedgerState, bucket: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  const levels = stockLevelsByKey(fold.procurement);
  for (const [key, level] of levels) {
    const expected = stockLevelJson(level);
    const actual = bucket.get(key);
    if (actual !== expected) problems.push(`${key}: bucket ${actual ?? '(missing)'} fold ${expected}`);
  }
  for (const key of bucket.keys()) {
    if (!levels.has(key)) problems.push(`${key}: in the bucket, not in the fold`);
  }
  return problems;
}

export async function bucketVersusFold(nc: NatsConnection): Promise<string[]> {
  return compareWithFold(await foldStream(nc), await readBucket(nc));
}

/**
 * Waits until the bucket equals the fold of the whole stream. The stream is folded again only when it grew, so
 * that the waiting itself does not load the server the projector shares.
 */
export async function waitForBucketToMatch(nc: NatsConnection, timeoutMs = 60_000): Promise<void> {
  let problems: string[] = [];
  let fold: LedgerState | undefined;
  await waitFor(
    async () => {
      const { lastSeq } = await streamState(nc, STREAMS.warehouse);
      if (fold === undefined || fold.lastSeq !== lastSeq) fold = await foldStream(nc);
      problems = compareWithFold(fold, await readBucket(nc));
      return problems.length === 0;
    },
    'stock_levels to equal the fold of the stream',
    timeoutMs,
    250,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${problems.slice(0, 10).join('\n')}`);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Generated traffic

export const WAREHOUSES = ['w1', 'w2', 'w3', 'w4', 'w5'];
export const PRODUCTS = ['Apples', 'Pears', 'Milk', 'Bread', 'Eggs', 'Rice', 'Tea', 'Salt', 'Jam', 'Oats'];
const LOCATIONS = ['A1', 'A2', 'B1', '-'];

export interface GeneratedEvent {
  warehouse: string;
  event: StockEvent;
}

/** A random stock event on one of 5 × 10 = 50 keys: every type, several locations, counts that reset sums. */
export function randomEvent(rng: Rng, keys = { warehouses: WAREHOUSES, products: PRODUCTS }): GeneratedEvent {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;
  const warehouse = pick(keys.warehouses);
  const product_name = pick(keys.products);
  const quantity = 1 + Math.floor(rng() * 20);
  const r = rng();
  let event: StockEvent;
  if (r < 0.1)
    event = { type: 'stock.corrected', product_name, location: pick(LOCATIONS), quantity: quantity * 3 };
  else if (r < 0.4) event = { type: 'stock.replenished', product_name, location: pick(LOCATIONS), quantity };
  else if (r < 0.75) event = { type: 'stock.sold', product_name, location: pick(LOCATIONS), quantity };
  else if (r < 0.9) {
    const from = pick(LOCATIONS);
    const to = pick(LOCATIONS.filter((l) => l !== from));
    event = { type: 'stock.moved', product_name, from, to, quantity };
  } else
    event = { type: 'stock.destroyed', product_name, location: pick(LOCATIONS), quantity, reason: 'damaged' };
  return { warehouse, event };
}

export function seededRng(seed: number): Rng {
  return createRng(seed);
}

/** Publishes one event with a fresh id, happened now unless said; throws if the server does not store it. */
export async function publishEvent(
  nc: NatsConnection,
  item: GeneratedEvent,
  id = randomUUID(),
  timestampMs?: number,
): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const result = await publishStockEvent(nc, item.warehouse, item.event, {
      names: TEST_HEADER_NAMES,
      user: 'admin',
      id,
      timestampMs: timestampMs ?? Date.now(),
    });
    if (result.ok) return result.seq;
    // A restart of the server under test may time a publish out; the same id makes the retry safe.
    if (result.kind !== 'timeout' || attempt > 20) throw new Error(`publish failed: ${result.message}`);
  }
}

/**
 * Publishes `count` random events, about `perSecond` a second, `window` in flight; calls `onProgress` with the
 * number published so far after every window.
 */
export async function publishTraffic(
  nc: NatsConnection,
  rng: Rng,
  count: number,
  options: { perSecond: number; window?: number; onProgress?: (published: number) => Promise<void> | void },
): Promise<void> {
  const window = options.window ?? 100;
  const started = Date.now();
  for (let done = 0; done < count;) {
    const n = Math.min(window, count - done);
    await Promise.all(Array.from({ length: n }, () => publishEvent(nc, randomEvent(rng))));
    done += n;
    await options.onProgress?.(done);
    // Pacing, so that the workers run while traffic flows; the tests never assert on time.
    const due = started + (done / options.perSecond) * 1000;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
  }
}

export function keyOf(item: GeneratedEvent): string {
  return stockKey(item.warehouse, item.event.product_name);
}
