/**
 * The browser roles over WebSocket, as the dashboard connects. This file uses only the WebSocket
 * transport (its own process); the stock level it needs is written by the CLI in a child process.
 */
import { AckPolicy, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { WebSocket } from 'ws';
import type { StockEvent } from '../../src/core/events';
import type { NatsConnection } from '../../src/nats/connection';
import { classifyNatsError, describeNatsError } from '../../src/nats/errors';
import { putThreshold, watchBucket } from '../../src/nats/kv-watch';
import { checkResources } from '../../src/nats/provision';
import { publishStockEvent } from '../../src/nats/publish';
import { replayStream } from '../../src/nats/replay';
import { runCli } from '../support/cli';
import { readUntil } from '../support/iterate';
import { BROWSER_USERS, type User } from '../support/users';
import { uniqueToken } from '../support/unique';
import { connectWs, connectWsError } from '../support/ws-nats';
import { TEST_HEADER_NAMES } from '../../src/core/testing';

const { wsUrl, clientUrl } = inject('nats');
const connections = new Map<User, NatsConnection>();
const product = uniqueToken('Apples');
const levelKey = `46.${product}`;
let publishedSeq = 0;

beforeAll(async () => {
  for (const user of BROWSER_USERS) connections.set(user, await connectWs(wsUrl, user));
  // Only the projector (services, TCP) writes stock levels; the CLI does it from its own process.
  const seeded = await runCli([
    'raw',
    '--server',
    clientUrl,
    '--user',
    'services',
    '--subject',
    `$KV.stock_levels.${levelKey}`,
    '--data',
    '{"quantity":12}',
  ]);
  expect(seeded.code, seeded.stderr).toBe(0);
});
afterAll(async () => {
  for (const nc of connections.values()) await nc.close();
});

const nc = (user: User) => connections.get(user)!;
const sold = (p: string): StockEvent => ({
  type: 'stock.sold',
  product_name: p,
  location: 'A1',
  quantity: 1,
});

describe('publishing stock events', () => {
  test('manager can publish over WebSocket', async () => {
    const result = await publishStockEvent(nc('manager'), '46', sold(product), {
      names: TEST_HEADER_NAMES,
      user: 'admin',
      id: crypto.randomUUID(),
      timestampMs: 1,
    });
    expect(result).toMatchObject({ ok: true, duplicate: false, stream: 'WAREHOUSE_EVENTS' });
    publishedSeq = result.ok ? result.seq : 0;
  });

  test.each(['display', 'marketing', 'procurement'] as const)(
    '%s gets a plain permission refusal',
    async (user) => {
      const result = await publishStockEvent(nc(user), '46', sold(product), {
        names: TEST_HEADER_NAMES,
        user: 'admin',
        id: crypto.randomUUID(),
        timestampMs: 1,
      });
      expect(result).toEqual({
        ok: false,
        kind: 'permission',
        message: `Permission denied: this user may not publish to warehouse.46.product.${product}.`,
      });
    },
  );
});

describe.each(BROWSER_USERS)('reading as %s', (user) => {
  test('finds every resource', async () => {
    await expect(checkResources(nc(user))).resolves.toBeUndefined();
  });

  test('replays WAREHOUSE_EVENTS', async () => {
    expect(publishedSeq).toBeGreaterThan(0);
    const abort = new AbortController();
    const batches = await readUntil(
      replayStream(nc(user), {
        stream: 'WAREHOUSE_EVENTS',
        fromSeq: 1,
        signal: abort.signal,
        batchSize: 1000,
      }),
      (b) => b.at(-1)?.caughtUp === true,
    );
    abort.abort();
    const mine = batches
      .flatMap((b) => b.messages)
      .filter((m) => m.subject === `warehouse.46.product.${product}`);
    expect(mine.map((m) => m.seq)).toEqual([publishedSeq]);
  });

  test('replays PROCUREMENT_EVENTS', async () => {
    const abort = new AbortController();
    const [first] = await readUntil(
      replayStream(nc(user), { stream: 'PROCUREMENT_EVENTS', fromSeq: 1, signal: abort.signal }),
      (b) => b.at(-1)?.caughtUp === true,
    );
    abort.abort();
    expect(first).toBeDefined();
  });

  test('watches stock_levels and stock_thresholds', async () => {
    const abort = new AbortController();
    const levels = await readUntil(
      watchBucket(nc(user), { bucket: 'stock_levels', signal: abort.signal }),
      (b) => b.at(-1)?.initialDone === true,
    );
    expect(levels.flatMap((b) => b.entries).find((e) => e.key === levelKey)?.value).toEqual(
      new TextEncoder().encode('{"quantity":12}'),
    );
    const thresholds = await readUntil(
      watchBucket(nc(user), { bucket: 'stock_thresholds', key: 'default', signal: abort.signal }),
      (b) => b.at(-1)?.initialDone === true,
    );
    abort.abort();
    expect(thresholds.flatMap((b) => b.entries).map((e) => e.key)).toEqual(['default']);
  });
});

describe('least privilege', () => {
  test('procurement may set thresholds, display may not', async () => {
    const key = `46.${uniqueToken('Pears')}`;
    await expect(putThreshold(nc('procurement'), key, 3)).resolves.toBeGreaterThan(0);
    const err = await putThreshold(nc('display'), key, 99).catch((e: unknown) => e);
    expect(describeNatsError(err)).toBe(
      `Permission denied: this user may not write key "${key}" of bucket stock_thresholds.`,
    );
  });

  test.each(BROWSER_USERS)('%s may not create a worker durable nor delete a stream', async (user) => {
    const jsm = await jetstreamManager(nc(user), { checkAPI: false });
    const durable = await jsm.consumers
      .add('WAREHOUSE_EVENTS', {
        durable_name: 'projector',
        ack_policy: AckPolicy.Explicit,
        filter_subject: 'warehouse.*.product.>',
      })
      .catch((e: unknown) => e);
    expect(classifyNatsError(durable).kind).toBe('permission');
    const deleted = await jsm.streams.delete('WAREHOUSE_EVENTS').catch((e: unknown) => e);
    expect(classifyNatsError(deleted).kind).toBe('permission');
  });

  test.each(BROWSER_USERS)("%s may not pull from a worker's durable", async (user) => {
    const pull = (name: string) =>
      nc(user)
        .request(
          `JS.STOCK.API.CONSUMER.MSG.NEXT.WAREHOUSE_EVENTS.${name}`,
          '{"batch":1,"expires":500000000}',
          {
            timeout: 2000,
          },
        )
        .catch((e: unknown) => e);
    expect(classifyNatsError(await pull('projector')).kind).toBe('permission');
    expect(classifyNatsError(await pull('notifier')).kind).toBe('permission');
    if (user === 'display') {
      // Control: another name passes the permission check (and finds no consumer).
      expect(classifyNatsError(await pull(uniqueToken('oc'))).kind).not.toBe('permission');
    }
  });

  test.each(BROWSER_USERS)('%s may only subscribe to its own inbox', async (user) => {
    for (const subject of ['_INBOX_services.>', 'warehouse.>', '_INBOX.>']) {
      const sub = nc(user).subscribe(subject);
      const closed = await sub.closed;
      expect(classifyNatsError(closed).kind, subject).toBe('permission');
    }
  });
});

describe('signing in on the WebSocket port', () => {
  /** Resolves 'open' or the HTTP status the server refused the handshake with. */
  const handshake = (origin: string) =>
    new Promise<string>((resolve) => {
      const socket = new WebSocket(wsUrl, { origin });
      socket.on('open', () => {
        socket.close();
        resolve('open');
      });
      socket.on('unexpected-response', (_req, res) => {
        resolve(String(res.statusCode));
        socket.terminate();
      });
      socket.on('error', (e) => resolve(e.message));
    });

  test('pages from other origins are refused before sign-in', async () => {
    expect(await handshake('http://localhost:5173')).toBe('open');
    expect(await handshake('http://127.0.0.1:5173')).toBe('open');
    expect(await handshake('http://evil.example')).toBe('403');
    expect(await handshake('http://localhost:5174')).toBe('403');
    expect(await handshake('https://localhost:5173')).toBe('403');
  });

  test('an anonymous connect is refused', async () => {
    expect(classifyNatsError(await connectWsError(wsUrl, {})).kind).toBe('auth');
  });

  test('admin and services may not use WebSocket', async () => {
    for (const user of ['admin', 'services']) {
      const err = await connectWsError(wsUrl, { user, password: `stockwire-${user}` });
      expect(classifyNatsError(err).kind).toBe('auth');
    }
  });

  test('a wrong password is refused fast', async () => {
    const started = Date.now();
    const err = await connectWsError(wsUrl, { user: 'display', password: 'nope' });
    expect(describeNatsError(err)).toMatch(/^The server refused the sign-in/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
