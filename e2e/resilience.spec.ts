/**
 * A server restart and a server crash in the middle of a session, on a private nats-server (the shared
 * one stays up for the other specs): the page must say it is offline, come back by itself without a
 * reload, resume where it stopped (nothing counted twice, nothing missed) and show new events within
 * 15 s of the server being back.
 */
import { rmSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { startNatsServer, type NatsServerHandle } from '../scripts/lib/nats-server.mjs';
import type { StockEvent } from '../src/core/events';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../src/core/sales';
import { provision } from '../src/nats/provision';
import { uniqueToken } from '../test/support/unique';
import {
  chooseWarehouse,
  connectionStates,
  openPage,
  recordConnectionStates,
  seenAt,
  signIn,
  watchForText,
} from './support/app';
import { e2eEnv } from './support/env';
import { expectedStock, shown, warehouseTotal, type TimedEvent } from './support/expected';
import { expectSales, expectWarehouseFigures } from './support/figures';
import { saveScreenshot } from './support/screenshots';
import {
  connectAdmin,
  lastSeq,
  publishAll,
  publishCopy,
  type NatsConnection,
  type Published,
} from './support/stream';

const { appUrl } = e2eEnv();
const RECOVERY_BUDGET_MS = 15_000;

let server: NatsServerHandle | undefined;

test.afterEach(async () => {
  if (!server) return;
  await server.stop();
  rmSync(server.storeDir, { recursive: true, force: true });
  server = undefined;
});

async function connectProvisioned(s: NatsServerHandle): Promise<NatsConnection> {
  const nc = await connectAdmin(s.clientUrl);
  await provision(nc);
  return nc;
}

test('nats-server stopped, crashed and restarted mid-session: the page recovers by itself and every figure stays exact', async ({
  page,
}) => {
  test.setTimeout(150_000);
  server = await startNatsServer({ allowedOrigins: [appUrl] });
  let nc = await connectProvisioned(server);

  const warehouse = uniqueToken('Hall');
  const products = [uniqueToken('Melons'), uniqueToken('Grapes'), uniqueToken('Cherries')];
  const now = Date.now();
  let round = 0;
  /** A varied batch: a count, deliveries, moves, sales at several ages, a write-off. */
  const batch = (): TimedEvent[] => {
    round += 1;
    return products.flatMap((product_name, i): TimedEvent[] => {
      const on = (event: StockEvent, agoMs: number): TimedEvent => ({
        warehouse,
        event,
        timestampMs: now - agoMs,
      });
      const events: TimedEvent[] = [
        on({ type: 'stock.replenished', product_name, location: 'A1', quantity: 30 + i + round }, 2 * DAY_MS),
        on(
          { type: 'stock.moved', product_name, from: 'A1', to: 'B2', quantity: 5 + round },
          DAY_MS + HOUR_MS,
        ),
        on({ type: 'stock.sold', product_name, location: 'B2', quantity: 1 + i }, 5 * HOUR_MS),
        on({ type: 'stock.sold', product_name, location: 'A1', quantity: round }, 20 * MINUTE_MS),
        on(
          { type: 'stock.destroyed', product_name, location: 'A1', quantity: 1, reason: 'dropped' },
          HOUR_MS,
        ),
      ];
      if (round === 1) {
        events.unshift(
          on({ type: 'stock.corrected', product_name, location: 'B2', quantity: 3 }, 3 * DAY_MS),
        );
      }
      return events;
    });
  };

  const published: Published[] = [];
  const publish = async (events: TimedEvent[]) => published.push(...(await publishAll(nc, events)));
  let copies = 0;

  // Replayed at sign-in.
  await publish(batch());
  await signIn(page, appUrl, 'manager', server.wsUrl);
  await chooseWarehouse(page, warehouse);
  await expectWarehouseFigures(page, expectedStock(published), warehouse, products);
  // Live.
  await publish(batch());
  await expectWarehouseFigures(page, expectedStock(published), warehouse, products);
  await recordConnectionStates(page);

  const outage = async (how: 'stop' | 'kill', label: string): Promise<void> => {
    await nc.close();
    await (how === 'stop' ? server!.stop() : server!.kill());
    const state = page.getByTestId('connection-state');
    await expect(state).toHaveAttribute('data-state', /^(offline|reconnecting)$/);
    await expect(state).toHaveText(/^(Offline|Reconnecting) since /);
    await expect(page.getByTestId('offline-banner')).toBeVisible();
    // What was folded before the outage stays on screen.
    await expectWarehouseFigures(page, expectedStock(published), warehouse, products);
    if (how === 'stop') await saveScreenshot(page, 'warehouse-offline');

    // The events published once the server is back, and a late copy of an old event (same event id,
    // new Nats-Msg-Id: the server stores it, readers must not count it).
    const next = batch();
    const expected = expectedStock([...published, ...next]);
    const finalTotal = shown(warehouseTotal(expected, warehouse));
    expect(finalTotal).not.toBe(shown(warehouseTotal(expectedStock(published), warehouse)));
    await watchForText(page, label, 'warehouse-total', finalTotal);

    await server!.restart();
    const backMs = Date.now();
    nc = await connectAdmin(server!.clientUrl);
    await publish(next);
    await publishCopy(nc, published[Math.floor(published.length / 2)]!);
    copies += 1;

    await expect(state).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
    await expect.poll(() => seenAt(page, label), { timeout: 30_000 }).toBeDefined();
    const recoveredMs = (await seenAt(page, label))! - backMs;
    console.log(`[e2e] after nats-server ${how}: new events on the page ${recoveredMs} ms after it was back`);
    expect(recoveredMs).toBeLessThan(RECOVERY_BUDGET_MS);
    await expectWarehouseFigures(page, expected, warehouse, products);
  };

  await outage('stop', 'after-stop');
  await outage('kill', 'after-kill');

  const states = (await connectionStates(page)).map((s) => s.state);
  expect(states[0]).toBe('connected');
  expect(states.at(-1)).toBe('connected');
  expect(states.filter((s) => s === 'connected').length, states.join(' → ')).toBe(3);
  expect(
    states.some((s) => s === 'offline' || s === 'reconnecting'),
    states.join(' → '),
  ).toBe(true);

  // Exact, not just plausible: every message of this private stream was folded once, the copies skipped.
  const stored = await lastSeq(nc);
  expect(stored).toBe(published.length + copies);
  await openPage(page, 'Data quality');
  await expect(page.getByTestId('applied-count')).toHaveText(shown(published.length));
  await expect(page.getByTestId('quality-duplicate')).toHaveText(shown(copies));
  await expect(page.getByTestId('quality-malformed')).toHaveText('0');
  await openPage(page, 'Marketing');
  for (const product of products) await expectSales(page, published, product);
  await nc.close();
});

test('a page signed in to a server that is down keeps the figures and says since when', async ({ page }) => {
  server = await startNatsServer({ allowedOrigins: [appUrl] });
  const nc = await connectProvisioned(server);
  const warehouse = uniqueToken('Hall');
  const product = uniqueToken('Lemons');
  await publishAll(nc, [
    {
      warehouse,
      event: { type: 'stock.corrected', product_name: product, location: 'A1', quantity: 12 },
      timestampMs: Date.now(),
    },
  ]);
  await nc.close();
  await signIn(page, appUrl, 'display', server.wsUrl);
  await chooseWarehouse(page, warehouse);
  await expect(page.getByTestId(`total-${product}`)).toHaveText('12');
  await server.stop();
  const offline = page.getByTestId('offline-banner');
  await expect(offline).toHaveText(/^Offline since .+ — figures below are as of then/);
  await expect(page.getByTestId(`total-${product}`)).toHaveText('12');
  // Still trying after several reconnect rounds (nats.js gives up after 10 by default).
  await expectStillTrying(page, 20_000);
});

/** The badge keeps saying offline/reconnecting (never "Disconnected": the client must not give up). */
async function expectStillTrying(page: Page, forMs: number): Promise<void> {
  const deadline = Date.now() + forMs;
  await expect
    .poll(
      async () => {
        const state = await page.getByTestId('connection-state').getAttribute('data-state');
        if (state === 'closed') return 'gave up';
        return Date.now() >= deadline ? 'still trying' : 'waiting';
      },
      { timeout: forMs + 5_000, intervals: [500] },
    )
    .toBe('still trying');
}
