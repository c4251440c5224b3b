import { rmSync } from 'node:fs';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { startNatsServer, type NatsServerHandle } from '../../scripts/lib/nats-server.mjs';
import type { StockEvent } from '../../src/core/events';
import type { NatsConnection } from '../../src/nats/connection';
import { provision } from '../../src/nats/provision';
import { publishStockEvent } from '../../src/nats/publish';
import { inboxPrefixFor } from '../../src/nats/names';
import { pushReplay } from '../../src/nats/push-replay';
import { replayStream, streamState, type ReplayBatch, type ReplayOptions } from '../../src/nats/replay';
import { rawTcpPublish } from '../support/raw-tcp-publish';
import { LOGINS } from '../support/users';
import { readUntil } from '../support/iterate';
import { connectTcp } from '../support/node-nats';
import { uniqueToken } from '../support/unique';
import { TEST_HEADER_NAMES } from '../../src/core/testing';

const { clientUrl } = inject('nats');
let admin: NatsConnection;

beforeAll(async () => {
  admin = await connectTcp(clientUrl, 'admin');
});
afterAll(async () => {
  await admin?.close();
});

function sold(product: string): StockEvent {
  return { type: 'stock.sold', product_name: product, location: 'A1', quantity: 1 };
}

async function publishMany(
  nc: NatsConnection,
  warehouse: string,
  product: string,
  count: number,
): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = 0; i < count; i++) {
    const r = await publishStockEvent(nc, warehouse, sold(product), {
      names: TEST_HEADER_NAMES,
      user: 'admin',
      id: crypto.randomUUID(),
      timestampMs: i,
    });
    if (!r.ok) throw new Error(r.message);
    seqs.push(r.seq);
  }
  return seqs;
}

const seqsOf = (batches: ReplayBatch[]) => batches.flatMap((b) => b.messages.map((m) => m.seq));

type Replay = (nc: NatsConnection, options: ReplayOptions) => AsyncGenerator<ReplayBatch>;

// The engine's push path and the pull path the tools use keep one contract.
const implementations: [string, Replay][] = [
  ['replayStream (ordered pull consumer)', replayStream],
  [
    'pushReplay (push consumer on a plain subscription)',
    (nc, options) => pushReplay(nc, { ...options, inboxPrefix: inboxPrefixFor('admin') }),
  ],
];

describe.each(implementations)('%s', (_name, replayStream) => {
  test('delivers batches from a sequence, signals caught-up, follows live and stops on abort', async () => {
    const product = uniqueToken('Apples');
    const filterSubject = `warehouse.46.product.${product}`;
    const seqs = await publishMany(admin, '46', product, 25);

    const abort = new AbortController();
    const replay = replayStream(admin, {
      stream: 'WAREHOUSE_EVENTS',
      filterSubject,
      fromSeq: seqs[0]!,
      signal: abort.signal,
      batchSize: 10,
    });
    const initial = await readUntil(replay, (b) => b.at(-1)?.caughtUp === true);
    expect(initial.map((b) => b.messages.length)).toEqual([10, 10, 5]);
    expect(initial.map((b) => b.caughtUp)).toEqual([false, false, true]);
    expect(seqsOf(initial)).toEqual(seqs);
    expect(initial.every((b) => b.messages.every((m) => m.subject === filterSubject))).toBe(true);
    expect(initial.at(-1)!.streamLastSeq).toBeGreaterThanOrEqual(seqs.at(-1)!);

    const [live] = await publishMany(admin, '46', product, 1);
    const followed = await readUntil(replay, (b) => seqsOf(b).includes(live!));
    expect(seqsOf(followed)).toEqual([live]);
    expect(followed.at(-1)!.caughtUp).toBe(true);

    abort.abort();
    const rest = await readUntil(replay, () => false, 5000).catch((e: Error) => e);
    // The generator ends (no timeout error) and hands out nothing after the abort.
    expect(rest).toEqual([]);
  });

  test('starts at the given sequence, not at the beginning', async () => {
    const product = uniqueToken('Pears');
    const seqs = await publishMany(admin, '9', product, 6);
    const abort = new AbortController();
    const batches = await readUntil(
      replayStream(admin, {
        stream: 'WAREHOUSE_EVENTS',
        filterSubject: `warehouse.9.product.${product}`,
        fromSeq: seqs[3]!,
        signal: abort.signal,
      }),
      (b) => b.at(-1)?.caughtUp === true,
    );
    abort.abort();
    expect(seqsOf(batches)).toEqual(seqs.slice(3));
  });

  test('says caught-up at once when nothing matches', async () => {
    const abort = new AbortController();
    const [first] = await readUntil(
      replayStream(admin, {
        stream: 'WAREHOUSE_EVENTS',
        filterSubject: `warehouse.${uniqueToken('none')}.product.*`,
        fromSeq: 1,
        signal: abort.signal,
      }),
      (b) => b.length === 1,
    );
    abort.abort();
    expect(first).toMatchObject({ messages: [], caughtUp: true });
  });

  test('an unfiltered replay reports the stream last sequence', async () => {
    const product = uniqueToken('Figs');
    const [seq] = await publishMany(admin, '3', product, 1);
    const abort = new AbortController();
    const batches = await readUntil(
      replayStream(admin, { stream: 'WAREHOUSE_EVENTS', fromSeq: seq!, signal: abort.signal }),
      (b) => b.at(-1)?.caughtUp === true,
    );
    abort.abort();
    const state = await streamState(admin, 'WAREHOUSE_EVENTS');
    expect(batches.at(-1)!.streamLastSeq).toBe(state.lastSeq);
    expect(seqsOf(batches)[0]).toBe(seq);
  });

  test('a header block nats.js cannot parse does not stop the replay', async () => {
    const product = uniqueToken('Limes');
    const subject = `warehouse.5.product.${product}`;
    const [before] = await publishMany(admin, '5', product, 1);
    await rawTcpPublish({
      clientUrl,
      ...LOGINS.admin,
      subject,
      headerLines: ['myorg_type: stock.sold', 'bad name: x'],
      payload: '{}',
    });
    const [after] = await publishMany(admin, '5', product, 1);
    const abort = new AbortController();
    const batches = await readUntil(
      replayStream(admin, {
        stream: 'WAREHOUSE_EVENTS',
        filterSubject: subject,
        fromSeq: before!,
        signal: abort.signal,
      }),
      (b) => seqsOf(b).includes(after!),
    );
    abort.abort();
    const messages = batches.flatMap((b) => b.messages);
    expect(messages.map((m) => m.seq)).toEqual([before, after! - 1, after]);
    expect(messages[1]!.header('myorg_type')).toBe('stock.sold');
    expect(messages[1]!.headerEntries()).toEqual([
      ['myorg_type', 'stock.sold'],
      ['bad name', 'x'],
    ]);
  });
});

describe('against a restarting server', () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connectTcp(server.clientUrl, 'admin');
    await provision(nc);
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
    if (server) rmSync(server.storeDir, { recursive: true, force: true });
  });

  test('a live replay resumes within seconds after the server is killed and restarted', async () => {
    const product = uniqueToken('Kiwis');
    const abort = new AbortController();
    const replay = replayStream(nc, {
      stream: 'WAREHOUSE_EVENTS',
      filterSubject: `warehouse.1.product.${product}`,
      fromSeq: 1,
      signal: abort.signal,
    });
    await readUntil(replay, (b) => b.at(-1)?.caughtUp === true);

    await server.kill();
    await server.restart();
    const restartedAt = Date.now();
    // Publish once the client is back (the publish itself retries on the reconnected connection).
    let seq: number | undefined;
    while (seq === undefined) {
      const r = await publishStockEvent(nc, '1', sold(product), {
        names: TEST_HEADER_NAMES,
        user: 'admin',
        id: 'after-restart',
        timestampMs: 1,
        timeoutMs: 1000,
      });
      if (r.ok) seq = r.seq;
    }
    const batches = await readUntil(replay, (b) => seqsOf(b).includes(seq), 20_000);
    expect(seqsOf(batches)).toEqual([seq]);
    expect(Date.now() - restartedAt).toBeLessThan(10_000);
    abort.abort();
  });

  test('the push replay reports a consumer deleted under it instead of waiting forever', async () => {
    const product = uniqueToken('Dates');
    const abort = new AbortController();
    const replay = pushReplay(nc, {
      stream: 'WAREHOUSE_EVENTS',
      filterSubject: `warehouse.2.product.${product}`,
      fromSeq: 1,
      signal: abort.signal,
      inboxPrefix: inboxPrefixFor('admin'),
      heartbeatMs: 500,
    });
    await readUntil(replay, (b) => b.at(-1)?.caughtUp === true);
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.consumers.list('WAREHOUSE_EVENTS')) {
      if (name.name.startsWith('sw_')) await jsm.consumers.delete('WAREHOUSE_EVENTS', name.name);
    }
    const outcome = await readUntil(replay, () => false, 10_000).catch((e: Error) => e);
    expect(outcome).toBeInstanceOf(Error);
    abort.abort();
  });

  test('the push replay gives up within three heartbeats when the server dies, so its caller restarts it', async () => {
    const product = uniqueToken('Plums');
    const abort = new AbortController();
    const replay = pushReplay(nc, {
      stream: 'WAREHOUSE_EVENTS',
      filterSubject: `warehouse.1.product.${product}`,
      fromSeq: 1,
      signal: abort.signal,
      inboxPrefix: inboxPrefixFor('admin'),
      heartbeatMs: 500,
    });
    await readUntil(replay, (b) => b.at(-1)?.caughtUp === true);
    await server.kill();
    const killedAt = Date.now();
    const outcome = await readUntil(replay, () => false, 10_000).catch((e: Error) => e);
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toMatch(/heartbeat|lost its place/);
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    await server.restart();
    // Leave the connection usable for the next test.
    await expect
      .poll(
        () =>
          streamState(nc, 'WAREHOUSE_EVENTS').then(
            () => true,
            () => false,
          ),
        { timeout: 15_000 },
      )
      .toBe(true);
  });

  test('streamState tells a recreated stream by its creation time', async () => {
    const before = await streamState(nc, 'WAREHOUSE_EVENTS');
    expect(before.created).toMatch(/^\d{4}-\d\d-\d\dT/);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete('WAREHOUSE_EVENTS');
    await provision(nc);
    const after = await streamState(nc, 'WAREHOUSE_EVENTS');
    expect(after.created).not.toBe(before.created);
    expect(after).toMatchObject({ lastSeq: 0, messages: 0 });
    expect(before.lastSeq).toBeGreaterThan(0);
  });
});
