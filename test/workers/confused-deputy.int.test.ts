/**
 * The confused deputy (docs/security.md#2-two-kinds-of-account): JetStream writes a pull request's messages to whatever reply subject the requester
 * names, with the rights of the account that holds the stream. A person can no longer do it: people's
 * accounts reach JetStream through imports whose replies the server maps (docs/security.md), and this test
 * first checks that `display`, over WebSocket in a child process, stores nothing. Anyone inside the stream
 * account still can (a worker with a bug, an operator's script), so readers must keep ignoring repeated
 * event ids: the same copies made as `admin` change no figure — not the core fold, not the projector's
 * bucket, not the notifier's alerts.
 */
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { nuid } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stockKey } from '../../src/core/events';
import type { LedgerState } from '../../src/core/ledger';
import { durablePosition } from '../../src/nats/durable';
import { STREAMS } from '../../src/core/resources';
import { PROJECTOR_DURABLE } from '../../src/nats/names';
import { streamState } from '../../src/nats/replay';
import { runProbe } from '../support/child-probe';
import { LOGINS } from '../support/users';
import {
  compareWithFold,
  foldStream,
  killWorkers,
  publishEvent,
  readAlerts,
  randomEvent,
  readBucket,
  seededRng,
  spawnWorker,
  startStack,
  waitFor,
  waitForBucketToMatch,
  type TestStack,
  type WorkerProcess,
} from './helpers';

const DUPLICATE_WINDOW_MS = 1000;
const TARGET = { warehouse: 'w1', product: 'Milk' };
const TARGET_SUBJECT = `warehouse.${TARGET.warehouse}.product.${TARGET.product}`;
const TARGET_KEY = stockKey(TARGET.warehouse, TARGET.product);

let stack: TestStack;
let projector: WorkerProcess;
let notifier: WorkerProcess;

beforeAll(async () => {
  stack = await startStack();
  // A short window, so that copies of events published a moment ago are stored as new sequences (with the
  // default 2 minutes, copies of any older event are).
  const jsm = await jetstreamManager(stack.admin);
  const info = await jsm.streams.info(STREAMS.warehouse);
  await jsm.streams.update(STREAMS.warehouse, {
    ...info.config,
    duplicate_window: DUPLICATE_WINDOW_MS * 1e6,
  });
  projector = spawnWorker('projector', stack.server.clientUrl);
  notifier = spawnWorker('notifier', stack.server.clientUrl);
  await projector.waitForLog((l) => l.msg === 'ready', 'ready');
  await notifier.waitForLog((l) => l.msg === 'following stock levels and thresholds', 'live');
}, 60_000);

afterAll(async () => {
  await killWorkers();
  await stack?.close();
});

const alertKeys = async () => (await readAlerts(stack.admin)).map((a) => a.key);

/**
 * A new key published below its threshold, then its alert awaited: the notifier handles bucket changes in
 * revision order, so once this alert is out every alert due to an earlier change is out too.
 */
async function alertBarrier(product: string): Promise<string[]> {
  await publishEvent(stack.admin, {
    warehouse: 'w9',
    event: { type: 'stock.replenished', product_name: product, location: 'A1', quantity: 1 },
  });
  return waitFor(async () => {
    const keys = await alertKeys();
    return keys.includes(stockKey('w9', product)) ? keys : undefined;
  }, `the barrier alert for ${product}`);
}

async function waitForProjectorToSettle(): Promise<void> {
  await waitFor(
    async () => {
      const { lastSeq } = await streamState(stack.admin, STREAMS.warehouse);
      const durable = await durablePosition(stack.admin, STREAMS.warehouse, PROJECTOR_DURABLE);
      return durable !== null && durable.ackFloorSeq === lastSeq && durable.ackPending === 0;
    },
    'the projector to acknowledge the whole stream',
    30_000,
    250,
  );
}

/**
 * The figures a person sees: stock per location, sales, and the levels procurement orders from. The sales
 * view's checkpoint moves past the malformed status message like every reader's; it is not a figure.
 */
function figures(s: LedgerState) {
  const { lastSeq: _checkpoint, ...sales } = s.sales;
  return { stock: s.stock.warehouses, sales, procurement: s.procurement };
}

/** The same pull from inside the stream account, where JetStream still writes where it is told. */
async function deputyPullAsAdmin(fromSeq: number): Promise<void> {
  const jsm = await jetstreamManager(stack.admin);
  const name = `deputy_${nuid.next()}`;
  await jsm.consumers.add(STREAMS.warehouse, {
    name,
    filter_subject: TARGET_SUBJECT,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: fromSeq,
    ack_policy: AckPolicy.None,
    mem_storage: true,
    inactive_threshold: 30_000_000_000,
  });
  stack.admin.publish(
    `$JS.API.CONSUMER.MSG.NEXT.${STREAMS.warehouse}.${name}`,
    JSON.stringify({ batch: 100, no_wait: true }),
    { reply: TARGET_SUBJECT },
  );
  await stack.admin.flush();
}

describe('a consumer told to deliver old events onto a stream subject', () => {
  it('stores nothing when a person asks; copies made inside the stream account change no view, no stock level and no alert', async () => {
    // Traffic on other keys, and on the target a history whose sales, counted twice, would cross below the
    // default threshold of 10: 20 in, 4 and 4 out = 12; with the two sales again it would be 4.
    const rng = seededRng(8274);
    for (let i = 0; i < 300; i++) {
      await publishEvent(
        stack.admin,
        randomEvent(rng, { warehouses: ['w2', 'w3'], products: ['Tea', 'Jam'] }),
      );
    }
    const sale = { type: 'stock.sold' as const, product_name: TARGET.product, location: 'A1', quantity: 4 };
    await publishEvent(stack.admin, {
      warehouse: TARGET.warehouse,
      event: { type: 'stock.replenished', product_name: TARGET.product, location: 'A1', quantity: 20 },
    });
    const firstSale = await publishEvent(stack.admin, { warehouse: TARGET.warehouse, event: sale });
    await publishEvent(stack.admin, { warehouse: TARGET.warehouse, event: sale });
    await waitForBucketToMatch(stack.admin);
    const alertsBefore = await alertBarrier('Before');
    await waitForProjectorToSettle();

    const before = await foldStream(stack.admin);
    const bucketBefore = await readBucket(stack.admin);
    expect(compareWithFold(before, bucketBefore)).toEqual([]);
    expect(JSON.parse(bucketBefore.get(TARGET_KEY)!)).toMatchObject({ quantity: 12 });
    expect(alertsBefore).not.toContain(TARGET_KEY);
    const lastSeqBefore = before.lastSeq;

    // Past the window, the copies' Nats-Msg-Id no longer marks them as duplicates. Time is the window's own
    // unit: there is no sequence to wait for.
    await new Promise((r) => setTimeout(r, DUPLICATE_WINDOW_MS + 500));
    const attack = await runProbe<{ consumer?: string; pending?: number; error?: string; message?: string }>(
      'ws-deputy-pull.ts',
      [
        stack.server.wsUrl,
        LOGINS.display.user,
        STREAMS.warehouse,
        TARGET_SUBJECT,
        TARGET_SUBJECT,
        String(firstSale),
      ],
    );
    // The person's pull reached the consumer (two messages pending) and its replies went back to the person.
    expect(attack.error, attack.message).toBeUndefined();
    expect(attack.pending).toBe(2);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await streamState(stack.admin, STREAMS.warehouse)).lastSeq).toBe(lastSeqBefore);

    await deputyPullAsAdmin(firstSale);
    // The copies must have been stored, or the rest of this test proves nothing: both sales stored again.
    const grown = await waitFor(
      async () => {
        const s = await streamState(stack.admin, STREAMS.warehouse);
        return s.lastSeq >= lastSeqBefore + 3 ? s : undefined;
      },
      'the copies to be stored (if this times out, the server no longer lets a pull reply onto a stream subject: see docs/security.md#2-two-kinds-of-account)',
      10_000,
    );
    // Measured: the two copies, then the server's "404 No Messages" status that ends a no_wait pull, stored
    // as a headers-only message on the same subject.
    expect(grown.lastSeq).toBe(lastSeqBefore + 3);

    const after = await foldStream(stack.admin);
    expect(after.lastSeq).toBe(lastSeqBefore + 3);
    expect(after.skipped - before.skipped).toBe(2);
    expect(after.quality.recent.slice(-3).map((i) => [i.seq, i.subject, i.kind, i.reason])).toEqual([
      [lastSeqBefore + 1, TARGET_SUBJECT, 'duplicate', 'duplicate'],
      [lastSeqBefore + 2, TARGET_SUBJECT, 'duplicate', 'duplicate'],
      [lastSeqBefore + 3, TARGET_SUBJECT, 'malformed', 'missing_header'],
    ]);
    expect(figures(after)).toEqual(figures(before));

    await waitForProjectorToSettle();
    expect(
      projector.lines.filter(
        (l) => l.msg === 'repeated event id skipped' && (l.seq as number) > lastSeqBefore,
      ),
    ).toHaveLength(2);
    const bucketAfter = await readBucket(stack.admin);
    expect(compareWithFold(after, bucketAfter)).toEqual([]);
    expect(bucketAfter).toEqual(bucketBefore);

    const alertsAfter = await alertBarrier('After');
    expect(alertsAfter).toEqual([...alertsBefore, stockKey('w9', 'After')]);
    expect(projector.child.exitCode).toBeNull();
    expect(notifier.child.exitCode).toBeNull();
  }, 90_000);
});
