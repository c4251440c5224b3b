import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeStockEvent } from '../../src/core/codec';
import { DEDUPE_HEADER, stockKey } from '../../src/core/events';
import { stockLevelJson } from '../../src/core/procurement-stock';
import { consumeDurable, durablePosition, ensureDurable } from '../../src/nats/durable';
import { openCasBucket } from '../../src/nats/kv-cas';
import { BUCKETS, STREAMS } from '../../src/core/resources';
import { PROJECTOR_DURABLE, kvStreamName } from '../../src/nats/names';
import { publishRaw } from '../../src/nats/publish';
import { streamState } from '../../src/nats/replay';
import {
  SERVICES,
  bucketVersusFold,
  connectAs,
  foldStream,
  killWorkers,
  publishEvent,
  publishTraffic,
  readBucket,
  seededRng,
  spawnWorker,
  startStack,
  waitFor,
  waitForBucketToMatch,
  type TestStack,
  type WorkerProcess,
} from './helpers';
import { TEST_HEADER_NAMES } from '../../src/core/testing';

let stack: TestStack;

beforeEach(async () => {
  stack = await startStack();
});

afterEach(async () => {
  await killWorkers();
  await stack.close();
});

const ready = (w: WorkerProcess) =>
  w.waitForLog((l) => l.msg === 'ready' || l.msg === 'rebuilt stock_levels from the stream', 'ready');

/**
 * Resolves once the durable has every stored message acknowledged. Polled slowly: on 2.9.10 each consumer info
 * request noticeably slows the deliveries of that consumer.
 */
async function waitForDurableToSettle(): Promise<void> {
  await waitFor(
    async () => {
      const [stream, durable] = [
        await streamState(stack.admin, STREAMS.warehouse),
        await durablePosition(stack.admin, STREAMS.warehouse, PROJECTOR_DURABLE),
      ];
      return durable !== null && durable.ackFloorSeq === stream.lastSeq && durable.ackPending === 0;
    },
    'the projector durable to acknowledge the whole stream',
    30_000,
    250,
  );
}

describe('projector', () => {
  it('given 10,000 events on 50 keys and two SIGKILLs mid-run, then every key equals the fold byte for byte', async () => {
    const url = stack.server.clientUrl;
    /** Highest sequence in the bucket: how far the running projector has got. */
    const progress = async () =>
      Math.max(
        0,
        ...[...(await readBucket(stack.admin)).values()].map(
          (v) => (JSON.parse(v) as { last_seq: number }).last_seq,
        ),
      );
    // A backlog for the durable, so that each kill lands while messages are delivered and not yet acknowledged.
    // The durable exists before it, as after an earlier run: a projector creating its durable would start it
    // where its fold ends, and deliver no backlog.
    const services = await connectAs(url, SERVICES);
    await ensureDurable(services, {
      stream: STREAMS.warehouse,
      name: PROJECTOR_DURABLE,
      ackWaitMs: 30_000,
      maxAckPending: 20_000,
    });
    await services.close();
    const rng = seededRng(10_000);
    await publishTraffic(stack.admin, rng, 4000, { perSecond: 1e9 });
    const traffic = publishTraffic(stack.admin, rng, 6000, { perSecond: 2000 });
    // Small batches: more steps between delivery and acknowledgement for a kill to land in.
    const args = ['--batch', '200'];
    const killed: WorkerProcess[] = [];
    let current = spawnWorker('projector', url, args);
    for (const advance of [1000, 1000]) {
      const start = (await ready(current)).foldedThrough as number;
      await waitFor(
        async () => (await progress()) >= start + advance,
        'the projector to be halfway',
        30_000,
        20,
      );
      await current.kill('SIGKILL');
      killed.push(current);
      current = spawnWorker('projector', url, args);
    }
    await traffic;
    await ready(current);
    await waitForBucketToMatch(stack.admin);

    const { lastSeq } = await streamState(stack.admin, STREAMS.warehouse);
    expect(lastSeq).toBe(10_000);
    expect((await readBucket(stack.admin)).size).toBe(50);
    for (const w of killed) expect((await w.exited).signal).toBe('SIGKILL');
    // Each successor found deliveries its predecessor never acknowledged, and folded the stream up to them.
    const successors = [...killed.slice(1), current];
    for (const w of successors) {
      const start = await ready(w);
      expect(start.durableDelivered as number).toBeGreaterThan(start.durableAckFloor as number);
      expect(start.foldedThrough).toBe(start.durableDelivered);
    }

    await current.kill('SIGTERM');
    expect(await current.exited).toEqual({ code: 0, signal: null });
    expect(current.lines.some((l) => l.msg === 'stopped')).toBe(true);
  }, 120_000);

  it('given a durable further behind than a catch-up batch, then the backlog is folded first and each key written once', async () => {
    await publishTraffic(stack.admin, seededRng(4000), 4000, { perSecond: 1e9 });
    const projector = spawnWorker('projector', stack.server.clientUrl, ['--catch-up-batch', '500']);
    const start = await ready(projector);
    expect(start.foldedThrough).toBe(4000);
    // Created where the fold ends: it does not deliver the history again to have it acknowledged.
    expect(start.durableDelivered).toBe(4000);
    await waitForBucketToMatch(stack.admin);
    await waitForDurableToSettle();
    expect(projector.lines.some((l) => l.msg === 'delivered again')).toBe(false);
    // Every write is a new sequence of the bucket's stream: one per key means no key was written twice.
    const writes = (await streamState(stack.admin, kvStreamName(BUCKETS.stockLevels))).lastSeq;
    expect((await readBucket(stack.admin)).size).toBe(50);
    expect(writes).toBe(50);
  }, 60_000);

  it("given the checkpointer's shared checkpoint, then a first start folds only the stream after it, to the same bucket", async () => {
    const rng = seededRng(77);
    await publishTraffic(stack.admin, rng, 3000, { perSecond: 1e9 });
    const checkpointer = spawnWorker('checkpointer', stack.server.clientUrl, ['--every-seconds', '3600']);
    await checkpointer.waitForLog(
      (l) => l.msg === 'checkpoint written' && l.seq === 3000,
      'a checkpoint',
      60_000,
    );
    await checkpointer.kill('SIGTERM');
    await publishTraffic(stack.admin, rng, 200, { perSecond: 1e9 });

    const projector = spawnWorker('projector', stack.server.clientUrl);
    const from = await projector.waitForLog((l) => l.msg === 'started from the shared checkpoint', 'a start');
    expect(from.seq).toBe(3000);
    const start = await ready(projector);
    expect(start).toMatchObject({ foldedFrom: 3001, foldedThrough: 3200, durableDelivered: 3200 });
    await waitForBucketToMatch(stack.admin);
    await publishTraffic(stack.admin, rng, 100, { perSecond: 1e9 });
    await waitForBucketToMatch(stack.admin);
    await waitForDurableToSettle();
  }, 90_000);

  it('given messages a dead consumer left unacknowledged, when they are delivered again, then they change nothing', async () => {
    for (let i = 0; i < 3; i++) await publishTraffic(stack.admin, seededRng(7 + i), 600, { perSecond: 1e9 });
    // A predecessor that took messages from the durable and died before acknowledging them.
    const services = await connectAs(stack.server.clientUrl, SERVICES);
    await ensureDurable(services, {
      stream: STREAMS.warehouse,
      name: PROJECTOR_DURABLE,
      ackWaitMs: 1000,
      maxAckPending: 20_000,
    });
    const taken = new AbortController();
    for await (const batch of consumeDurable(services, {
      stream: STREAMS.warehouse,
      name: PROJECTOR_DURABLE,
      signal: taken.signal,
      batchSize: 500,
    })) {
      expect(batch.length).toBeGreaterThan(0);
      break;
    }
    await services.close();
    const left = await durablePosition(stack.admin, STREAMS.warehouse, PROJECTOR_DURABLE);
    expect(left?.ackPending).toBeGreaterThan(0);

    const projector = spawnWorker('projector', stack.server.clientUrl, ['--ack-wait-ms', '1000']);
    const start = await ready(projector);
    // It folded what the dead consumer had been given, so the bucket is right before the redelivery.
    expect(start.foldedThrough).toBe(left?.deliveredSeq);
    await waitForDurableToSettle();
    // With cumulative acks a redelivery may never come (acking a later message covers the earlier ones); any
    // that does come was folded already and is applied again nowhere.
    const again = projector.lines.filter((l) => l.msg === 'delivered again');
    const sum = (field: string) => again.reduce((n, l) => n + (l[field] as number), 0);
    expect(sum('alreadyApplied')).toBe(sum('count'));
    const settled = await durablePosition(stack.admin, STREAMS.warehouse, PROJECTOR_DURABLE);
    expect(settled).toMatchObject({ ackPending: 0, ackPolicy: 'all' });
    expect(settled!.ackFloorSeq).toBeGreaterThanOrEqual(left!.deliveredSeq);
    expect(await bucketVersusFold(stack.admin)).toEqual([]);
  }, 60_000);

  it('given a malformed event in the middle, then it is logged with its sequence, counted, acknowledged and skipped', async () => {
    const projector = spawnWorker('projector', stack.server.clientUrl);
    await ready(projector);
    await publishTraffic(stack.admin, seededRng(3), 500, { perSecond: 1e9 });
    const poison = await publishRaw(stack.admin, 'warehouse.w1.product.Apples', '{"product_name":"Apples",', [
      ['myorg_format', 'application/json'],
      ['myorg_type', 'stock.sold'],
      ['myorg_msg_id', randomUUID()],
    ]);
    if (!poison.ok) throw new Error(poison.message);
    const wrongProduct = await publishRaw(
      stack.admin,
      'warehouse.w1.product.Apples',
      JSON.stringify({ product_name: 'Pears', quantity: 3 }),
      [
        ['myorg_format', 'application/json'],
        ['myorg_type', 'stock.sold'],
      ],
    );
    if (!wrongProduct.ok) throw new Error(wrongProduct.message);
    await publishTraffic(stack.admin, seededRng(4), 500, { perSecond: 1e9 });

    const logged = await projector.waitForLog(
      (l) => l.msg === 'malformed event skipped' && l.seq === poison.seq,
      `malformed event ${poison.seq}`,
    );
    expect(logged).toMatchObject({ level: 'warn', code: 'bad_json', subject: 'warehouse.w1.product.Apples' });
    await projector.waitForLog(
      (l) =>
        l.msg === 'malformed event skipped' && l.seq === wrongProduct.seq && l.code === 'product_mismatch',
      'the product mismatch',
    );
    await waitForDurableToSettle();
    await waitForBucketToMatch(stack.admin);
    expect(projector.child.exitCode).toBeNull();
    await projector.kill('SIGTERM');
    const stopped = await projector.waitForLog((l) => l.msg === 'stopped', 'stopped');
    expect(stopped).toMatchObject({ malformed: 2, lastAppliedSeq: 1002 });
  }, 60_000);

  it('given a copy of an old event stored again under a new sequence, then it changes nothing, also across a restart', async () => {
    let projector = spawnWorker('projector', stack.server.clientUrl);
    await ready(projector);
    const id = randomUUID();
    const sale = {
      warehouse: 'w2',
      event: { type: 'stock.sold' as const, product_name: 'Milk', location: 'A1', quantity: 4 },
    };
    await publishEvent(stack.admin, {
      warehouse: 'w2',
      event: { type: 'stock.replenished', product_name: 'Milk', location: 'A1', quantity: 50 },
    });
    await publishEvent(stack.admin, sale, id);
    await publishTraffic(stack.admin, seededRng(5), 300, { perSecond: 1e9 });
    await waitForDurableToSettle();
    await waitForBucketToMatch(stack.admin);
    const key = stockKey('w2', 'Milk');
    const before = (await readBucket(stack.admin)).get(key);

    // What a consumer delivering onto a stream subject stores once the duplicate window has passed
    // (docs/platform-notes.md#consumers-and-kv): the same headers and body under a new sequence. Sent here
    // without Nats-Msg-Id, which the server then cannot catch either, so the test need not wait out the
    // window.
    const encoded = encodeStockEvent(sale.warehouse, sale.event, {
      names: TEST_HEADER_NAMES,
      user: 'admin',
      id,
      timestampMs: Date.now(),
    });
    const headers = Object.entries(encoded.headers).filter(([name]) => name !== DEDUPE_HEADER);
    const copy = await publishRaw(stack.admin, encoded.subject, encoded.payload, headers);
    if (!copy.ok) throw new Error(copy.message);
    expect(copy.duplicate).toBe(false);
    await projector.waitForLog(
      (l) => l.msg === 'repeated event id skipped' && l.seq === copy.seq,
      'the copy to be skipped',
    );
    await waitForDurableToSettle();
    expect((await readBucket(stack.admin)).get(key)).toBe(before);

    // A projector that starts after the copy must know the id too.
    await projector.kill('SIGKILL');
    const again = await publishRaw(stack.admin, encoded.subject, encoded.payload, headers);
    if (!again.ok) throw new Error(again.message);
    projector = spawnWorker('projector', stack.server.clientUrl);
    await ready(projector);
    await waitForDurableToSettle();
    expect((await readBucket(stack.admin)).get(key)).toBe(before);
    expect(await bucketVersusFold(stack.admin)).toEqual([]);
    const fold = await foldStream(stack.admin);
    expect(fold.skipped).toBe(2);
  }, 60_000);

  it('given wrong values, a stray key and live traffic, when a second projector runs --rebuild, then the bucket converges to the fold', async () => {
    const url = stack.server.clientUrl;
    const live = spawnWorker('projector', url);
    await ready(live);
    await publishTraffic(stack.admin, seededRng(6), 1500, { perSecond: 1e9 });
    await waitForBucketToMatch(stack.admin);

    // Damage: a right-looking value with a wrong quantity, a value that is not a level, a key no event produces.
    const bucket = await openCasBucket(stack.admin, BUCKETS.stockLevels);
    const values = await readBucket(stack.admin);
    const [wrongKey, brokenKey] = [...values.keys()];
    const wrong = JSON.parse(values.get(wrongKey!)!) as { quantity: number };
    wrong.quantity += 1000;
    const slotA = await bucket.get(wrongKey!);
    expect((await bucket.put(wrongKey!, JSON.stringify(wrong), slotA.revision)).ok).toBe(true);
    const slotB = await bucket.get(brokenKey!);
    expect((await bucket.put(brokenKey!, 'not a level', slotB.revision)).ok).toBe(true);
    const stray = stockLevelJson({
      warehouse: 'w9',
      product_name: 'Ghost',
      quantity: 1,
      last_seq: 3,
      updated_ms: 1,
    });
    expect((await bucket.put('w9.Ghost', stray, 0)).ok).toBe(true);

    const rng = seededRng(60);
    await publishTraffic(stack.admin, rng, 1000, { perSecond: 1500 });
    const rebuilder = spawnWorker('projector', url, ['--rebuild']);
    // Traffic goes on until the rebuilder is up (its start-up takes seconds on a busy machine), then some more
    // while both take messages from the shared durable.
    let rebuilderReady = false;
    const readyNow = ready(rebuilder).then(() => {
      rebuilderReady = true;
    });
    while (!rebuilderReady) await publishTraffic(stack.admin, rng, 300, { perSecond: 1500 });
    await readyNow;
    await publishTraffic(stack.admin, rng, 2000, { perSecond: 1500 });
    await waitForBucketToMatch(stack.admin);
    expect((await readBucket(stack.admin)).has('w9.Ghost')).toBe(false);
    expect(
      rebuilder.lines.some(
        (l) => l.msg === 'deleted a key the stream does not produce' && l.key === 'w9.Ghost',
      ),
    ).toBe(true);
    expect(live.child.exitCode).toBeNull();
    // Sharing the durable, each projector read from the stream what the server gave the other one.
    const fills = (w: WorkerProcess) =>
      w.lines.filter(
        (l) => l.msg === 'sequences not delivered to this projector; reading them from the stream',
      ).length;
    expect(fills(live) + fills(rebuilder)).toBeGreaterThan(0);
  }, 90_000);

  it('given a server restart mid-run, then the projector reconnects, never exits, and catches up', async () => {
    // Acks sent while the server goes down are lost: those messages come again after the ack wait.
    const projector = spawnWorker('projector', stack.server.clientUrl, ['--ack-wait-ms', '2000']);
    await ready(projector);
    await publishTraffic(stack.admin, seededRng(8), 1000, { perSecond: 1e9 });
    await stack.server.restart();
    await publishTraffic(stack.admin, seededRng(9), 1000, { perSecond: 1e9 });
    await waitForBucketToMatch(stack.admin);
    await waitForDurableToSettle();
    expect(projector.child.exitCode).toBeNull();
    expect(projector.lines.some((l) => l.msg === 'disconnected' || l.msg === 'reconnected')).toBe(true);
  }, 90_000);
});
