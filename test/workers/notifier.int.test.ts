import { jetstreamManager } from '@nats-io/jetstream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stockLevelJson } from '../../src/core/procurement-stock';
import { openCasBucket, type CasBucket } from '../../src/nats/kv-cas';
import { putThreshold } from '../../src/nats/kv-watch';
import { BUCKETS, STREAMS } from '../../src/core/resources';
import {
  killWorkers,
  publishEvent,
  readAlerts,
  spawnWorker,
  startStack,
  waitFor,
  type Alert,
  type TestStack,
  type WorkerProcess,
} from './helpers';

let stack: TestStack;
let levels: CasBucket;
let lastSeq = 0;

beforeEach(async () => {
  stack = await startStack();
  levels = await openCasBucket(stack.admin, BUCKETS.stockLevels);
  // A short dedupe window, so that only the notifier's own memory can prevent a repeated alert.
  const jsm = await jetstreamManager(stack.admin);
  const info = await jsm.streams.info(STREAMS.procurement);
  await jsm.streams.update(STREAMS.procurement, { ...info.config, duplicate_window: 1_000_000_000 });
});

afterEach(async () => {
  await killWorkers();
  await stack.close();
});

/** Writes a level the way the projector would (the notifier only reads the bucket). */
async function setLevel(key: string, quantity: number): Promise<void> {
  const [warehouse = '', product_name = ''] = key.split('.');
  const slot = await levels.get(key);
  lastSeq += 1;
  const value = stockLevelJson({
    warehouse,
    product_name,
    quantity,
    last_seq: lastSeq,
    updated_ms: Date.now(),
  });
  const result = await levels.put(key, value, slot.revision);
  if (!result.ok) throw new Error(`could not write ${key}`);
}

const alerts = () => readAlerts(stack.admin);

const alertsFor = async (key: string) => (await alerts()).filter((a) => a.key === key);

/** Waits until `key` has exactly `count` alerts; the last one is returned. */
async function waitForAlerts(key: string, count: number): Promise<Alert> {
  const found = await waitFor(async () => {
    const mine = await alertsFor(key);
    return mine.length >= count ? mine : undefined;
  }, `${count} alert(s) for ${key}`);
  expect(found).toHaveLength(count);
  return found[count - 1]!;
}

const following = (w: WorkerProcess) =>
  w.waitForLog((l) => l.msg === 'following stock levels and thresholds', 'live');

describe('notifier', () => {
  it('follows the crossing table: a drop fires, staying low does not, recovery re-arms, thresholds count', async () => {
    const A = 'w1.Apples';
    await setLevel(A, 12);
    const notifier = spawnWorker('notifier', stack.server.clientUrl);
    await following(notifier);

    // above → below fires
    await setLevel(A, 8);
    expect(await waitForAlerts(A, 1)).toMatchObject({ quantity: 8, threshold: 10 });

    // below → below does not (a later crossing on another key proves the change was handled)
    await setLevel(A, 5);
    await setLevel('w1.Barrier1', 3);
    await waitForAlerts('w1.Barrier1', 1);
    expect(await alertsFor(A)).toHaveLength(1);

    // recover, then drop: fires again
    await setLevel(A, 15);
    await setLevel(A, 7);
    expect(await waitForAlerts(A, 2)).toMatchObject({ quantity: 7 });

    // a threshold raised above the current level fires
    const C = 'w1.Milk';
    await setLevel(C, 12);
    await putThreshold(stack.admin, C, 20);
    expect(await waitForAlerts(C, 1)).toMatchObject({ quantity: 12, threshold: 20 });

    // lowered again it is not low; another key's threshold change is the barrier
    await putThreshold(stack.admin, C, 5);
    await setLevel('w1.Barrier2', 15);
    await putThreshold(stack.admin, 'w1.Barrier2', 16);
    await waitForAlerts('w1.Barrier2', 1);
    expect(await alertsFor(C)).toHaveLength(1);

    // the default threshold concerns keys without their own
    const E = 'w1.Eggs';
    await setLevel(E, 12);
    await putThreshold(stack.admin, 'default', 15);
    expect(await waitForAlerts(E, 1)).toMatchObject({ quantity: 12, threshold: 15 });
    expect(await alertsFor(C)).toHaveLength(1);

    const ids = (await alerts()).map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    await notifier.kill('SIGTERM');
    expect(await notifier.exited).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('does not repeat an alert after a restart, long after the dedupe window, and re-arms a key that recovered meanwhile', async () => {
    const [A, G, F] = ['w2.Apples', 'w2.Grapes', 'w2.Flour'];
    await setLevel(A, 20);
    await setLevel(G, 20);
    await setLevel(F, 20);
    let notifier = spawnWorker('notifier', stack.server.clientUrl);
    await following(notifier);
    await setLevel(A, 4);
    await setLevel(G, 4);
    await waitForAlerts(A, 1);
    await waitForAlerts(G, 1);
    await notifier.kill('SIGKILL');

    // While it is down: A changes but stays low (a new revision, so a new message id); G recovers.
    await setLevel(A, 2);
    await setLevel(G, 25);
    // Let the server's dedupe window (shortened to 1 s) pass: only the notifier's memory can help now.
    await new Promise((r) => setTimeout(r, 1500));

    notifier = spawnWorker('notifier', stack.server.clientUrl);
    const live = await following(notifier);
    expect(live.alertsNow).toBe(0);
    await setLevel(G, 3);
    await setLevel(F, 3);
    await waitForAlerts(G, 2);
    await waitForAlerts(F, 1);
    expect(await alertsFor(A)).toHaveLength(1);
    expect(notifier.lines.some((l) => l.msg === 'stock.low published' && l.key === A)).toBe(false);
    await notifier.waitForLog(
      (l) => l.msg === 'remembered the last alert of each key' && l.keys === 2,
      'memory',
    );
  }, 60_000);

  it('keeps running through a server restart and decides on what changed meanwhile', async () => {
    const K = 'w3.Tea';
    await setLevel(K, 30);
    const notifier = spawnWorker('notifier', stack.server.clientUrl);
    await following(notifier);
    await stack.server.restart();
    await waitFor(async () => {
      await setLevel(K, 1);
      return true;
    }, 'a write after the restart');
    await waitForAlerts(K, 1);
    expect(notifier.child.exitCode).toBeNull();
  }, 60_000);
});

describe('projector and notifier together', () => {
  it('turns stock events into one stock.low when the projected level drops below the threshold', async () => {
    const url = stack.server.clientUrl;
    const projector = spawnWorker('projector', url);
    const notifier = spawnWorker('notifier', url);
    await following(notifier);
    await projector.waitForLog((l) => l.msg === 'ready', 'ready');
    const key = 'w5.Apples';
    const event = (type: 'stock.replenished' | 'stock.sold', quantity: number) => ({
      warehouse: 'w5',
      event: { type, product_name: 'Apples', location: 'A1', quantity },
    });
    await publishEvent(stack.admin, event('stock.replenished', 20));
    await publishEvent(stack.admin, event('stock.sold', 12));
    await publishEvent(stack.admin, event('stock.sold', 3));
    const alert = await waitForAlerts(key, 1);
    expect(alert.threshold).toBe(10);
    expect([8, 5]).toContain(alert.quantity);
    await publishEvent(stack.admin, event('stock.sold', 1));
    await publishEvent(stack.admin, {
      warehouse: 'w5',
      event: { type: 'stock.sold', product_name: 'Pears', location: '-', quantity: 1 },
    });
    await waitForAlerts('w5.Pears', 1);
    expect(await alertsFor(key)).toHaveLength(1);
  }, 60_000);
});
