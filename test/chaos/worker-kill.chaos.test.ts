/**
 * The projector and the notifier SIGKILLed at random points while events flow, each restarted at once: the
 * bucket ends equal to the fold of the stream (no lost update) and no crossing is alerted twice.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeProcurementMessage, decodeStockMessage } from '../../src/core/codec';
import { stockKey, type StockEvent } from '../../src/core/events';
import { applyDecoded, initialLedger } from '../../src/core/ledger';
import { stockLevel, stockLevelsByKey } from '../../src/core/procurement-stock';
import { DEFAULT_THRESHOLD } from '../../src/core/thresholds';
import type { Rng } from '../../src/core/demo-history';
import { STREAMS } from '../../src/core/resources';
import {
  killWorkers,
  publishEvent,
  seededRng,
  startStack,
  waitFor,
  waitForBucketToMatch,
  type GeneratedEvent,
  type TestStack,
  type WorkerProcess,
} from '../workers/helpers';
import { lowRuns, unmatchedAlerts, type AlertSeen } from './support/low-runs';
import { readWholeStream } from '../support/read-stream';
import { superviseWorker, type SupervisedWorker } from './support/supervised-worker';
import { TEST_HEADER_NAMES } from '../../src/core/testing';

const KILLS_EACH = 6;
const MIN_EVENTS = 6000;
const WINDOW = 20;
const WAREHOUSES = ['w1', 'w2'];
const PRODUCTS = ['Apples', 'Milk', 'Tea', 'Oats'];

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack();
  // A short dedupe window, so that only the notifier's own memory can keep an alert from repeating.
  const jsm = await jetstreamManager(stack.admin);
  const info = await jsm.streams.info(STREAMS.procurement);
  await jsm.streams.update(STREAMS.procurement, { ...info.config, duplicate_window: 1_000_000_000 });
});

afterAll(async () => {
  await killWorkers();
  await stack.close();
  rmSync(stack.server.storeDir, { recursive: true, force: true });
});

/** Levels that keep crossing the default threshold both ways: one location, corrections around it. */
function oscillatingEvent(rng: Rng): GeneratedEvent {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;
  const product_name = pick(PRODUCTS);
  const r = rng();
  let event: StockEvent;
  if (r < 0.4) {
    event = {
      type: 'stock.corrected',
      product_name,
      location: 'A1',
      quantity: Math.floor(rng() * 2 * DEFAULT_THRESHOLD),
    };
  } else {
    const quantity = 1 + Math.floor(rng() * 6);
    event = { type: r < 0.7 ? 'stock.sold' : 'stock.replenished', product_name, location: 'A1', quantity };
  }
  return { warehouse: pick(WAREHOUSES), event };
}

const projectorReady = (w: WorkerProcess) =>
  w.waitForLog((l) => l.msg === 'ready' || l.msg === 'rebuilt stock_levels from the stream', 'ready', 60_000);
const notifierReady = (w: WorkerProcess) =>
  w.waitForLog((l) => l.msg === 'following stock levels and thresholds', 'live', 60_000);

async function readAlerts(): Promise<AlertSeen[]> {
  const out: AlertSeen[] = [];
  for (const m of await readWholeStream(stack.admin, STREAMS.procurement)) {
    const d = decodeProcurementMessage(m, TEST_HEADER_NAMES);
    if (d.kind !== 'low')
      throw new Error(`unexpected message on ${STREAMS.procurement}: ${JSON.stringify(d)}`);
    out.push({
      key: stockKey(d.meta.warehouse, d.meta.product),
      id: d.meta.id,
      quantity: d.low.quantity,
      threshold: d.low.threshold,
    });
  }
  return out;
}

/** Per key, its quantity after each stock event, as the core ledger folds the stream. */
async function foldSequence(): Promise<{ quantities: Map<string, number[]>; finalLow: string[] }> {
  let state = initialLedger();
  const quantities = new Map<string, number[]>();
  for (const m of await readWholeStream(stack.admin, STREAMS.warehouse)) {
    const d = decodeStockMessage(m, TEST_HEADER_NAMES);
    const before = state.procurement;
    state = applyDecoded(state, d);
    if (d.kind !== 'stock' || state.procurement === before) continue;
    const key = stockKey(d.meta.warehouse, d.meta.product);
    const list = quantities.get(key) ?? [];
    list.push(stockLevel(state.procurement, key)!.quantity);
    quantities.set(key, list);
  }
  const finalLow = [...stockLevelsByKey(state.procurement)]
    .filter(([, level]) => level.quantity < DEFAULT_THRESHOLD)
    .map(([key]) => key);
  return { quantities, finalLow };
}

it('given the projector and notifier SIGKILLed at random points during traffic, then no update is lost and no crossing is alerted twice', async () => {
  const { server, admin } = stack;
  const url = server.clientUrl;
  const projector = superviseWorker('projector', url, ['--ack-wait-ms', '2000']);
  const notifier = superviseWorker('notifier', url);
  await projectorReady(projector.current);
  await notifierReady(notifier.current);

  const rng = seededRng(77);
  let published = 0;
  let killing = true;
  const traffic = (async () => {
    while (killing || published < MIN_EVENTS) {
      await Promise.all(Array.from({ length: WINDOW }, () => publishEvent(admin, oscillatingEvent(rng))));
      published += WINDOW;
      // Pacing, so that kills land while events flow; nothing is asserted on time.
      await new Promise((r) => setTimeout(r, 20));
    }
  })();

  const schedule: { target: 'projector' | 'notifier'; after: number }[] = [];
  for (let i = 0; i < KILLS_EACH; i++) {
    for (const target of ['projector', 'notifier'] as const) {
      schedule.push({ target, after: 100 + Math.floor(rng() * 600) });
    }
  }
  schedule.sort(() => rng() - 0.5);
  const killedAt: string[] = [];
  try {
    for (const { target, after } of schedule) {
      const from = published;
      await waitFor(() => published >= from + after, `${after} more events`, 120_000, 10);
      const worker: SupervisedWorker = target === 'projector' ? projector : notifier;
      // Killed once it is doing its job, not while still starting: the interesting crashes are mid-work.
      await (target === 'projector' ? projectorReady(worker.current) : notifierReady(worker.current));
      await worker.killCurrent();
      killedAt.push(`${target}@${published}`);
    }
  } finally {
    killing = false;
    await traffic;
  }

  await projectorReady(projector.current);
  await notifierReady(notifier.current);
  await waitForBucketToMatch(admin, 120_000);

  // A key that ends low must have been alerted at least once (nothing lost); waiting on it also lets the
  // notifier catch up with the last levels before the audit.
  const { quantities, finalLow } = await foldSequence();
  await waitFor(
    async () => {
      const alerted = new Set((await readAlerts()).map((a) => a.key));
      return finalLow.every((k) => alerted.has(k));
    },
    'an alert for every key that ends low',
    60_000,
    250,
  );
  // A barrier: the notifier handles the levels bucket in revision order, so once this key's alert is out,
  // every earlier level has been decided.
  const barrier = { warehouse: 'w9', product_name: 'Barrier' };
  for (const quantity of [2 * DEFAULT_THRESHOLD, 1]) {
    await publishEvent(
      admin,
      {
        warehouse: barrier.warehouse,
        event: { type: 'stock.corrected', product_name: barrier.product_name, location: 'A1', quantity },
      },
      randomUUID(),
    );
  }
  const barrierKey = stockKey(barrier.warehouse, barrier.product_name);
  await waitFor(
    async () => (await readAlerts()).some((a) => a.key === barrierKey),
    'the barrier alert',
    60_000,
    250,
  );

  const alerts = (await readAlerts()).filter((a) => a.key !== barrierKey);
  const runs = lowRuns(quantities, DEFAULT_THRESHOLD);
  const crossings = [...runs.values()].reduce((n, r) => n + r.length, 0);
  const problems = unmatchedAlerts(alerts, runs, DEFAULT_THRESHOLD);
  const projectorKills = projector.generations.filter((w) => w.child.signalCode === 'SIGKILL').length;
  const notifierKills = notifier.generations.filter((w) => w.child.signalCode === 'SIGKILL').length;

  await projector.stop();
  await notifier.stop();
  console.log(
    `[chaos] worker kills: events ${published}, projector kills ${projectorKills}, notifier kills ${notifierKills}, ` +
      `crossings in the fold ${crossings}, alerts ${alerts.length}, duplicate or unmatched alerts ${problems.length}, ` +
      `unexpected exits ${projector.unexpectedExits + notifier.unexpectedExits}; kills at ${killedAt.join(' ')}`,
  );
  expect(problems).toEqual([]);
  expect(projectorKills).toBeGreaterThanOrEqual(5);
  expect(notifierKills).toBeGreaterThanOrEqual(5);
  expect(projector.unexpectedExits + notifier.unexpectedExits).toBe(0);
  expect(published).toBeGreaterThanOrEqual(MIN_EVENTS);
  expect(alerts.length).toBeGreaterThan(0);
  expect(alerts.length).toBeLessThanOrEqual(crossings);
});
