/**
 * Time travel against the shared test server: the views as of a moment equal a fold, done here, of the events
 * this test published that had happened by then; playing forward reaches the present and hands back to live.
 */
import { expect, test, type Page } from '@playwright/test';
import { toLocalInput } from '../src/common/ui/local-time';
import { DAY_MS, HOUR_MS } from '../src/core/sales';
import { uniqueToken } from '../test/support/unique';
import { cell, chooseWarehouse, openPage, salesCell, signIn } from './support/app';
import { e2eEnv } from './support/env';
import { expectedStock, shown, soldWithin, type TimedEvent } from './support/expected';
import { saveScreenshot } from './support/screenshots';
import { connectAdmin, publishAll, type NatsConnection } from './support/stream';

const { appUrl, clientUrl } = e2eEnv();
let nc: NatsConnection;

test.beforeAll(async () => {
  nc = await connectAdmin(clientUrl);
});
test.afterAll(async () => {
  await nc?.close();
});

async function travelTo(page: Page, atMs: number): Promise<void> {
  await page.getByLabel('As of', { exact: true }).fill(toLocalInput(atMs));
  await page.getByRole('button', { name: 'Show that moment' }).click();
  await expect(page.getByTestId('as-of')).toContainText('Viewing the past');
}

test('the views as of a moment show exactly what had happened by then; play forward returns to live', async ({
  page,
}) => {
  const warehouse = uniqueToken('Past');
  const product = uniqueToken('Figs');
  // Whole minutes, so the minute-precision picker lands exactly between events.
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const at = (ms: number) => now - ms;
  const events: TimedEvent[] = [
    {
      warehouse,
      timestampMs: at(5 * DAY_MS),
      event: { type: 'stock.replenished', product_name: product, location: 'A1', quantity: 100 },
    },
    {
      warehouse,
      timestampMs: at(4 * DAY_MS),
      event: { type: 'stock.sold', product_name: product, location: 'A1', quantity: 10 },
    },
    {
      warehouse,
      timestampMs: at(3 * DAY_MS),
      event: { type: 'stock.sold', product_name: product, location: 'A1', quantity: 20 },
    },
    {
      warehouse,
      timestampMs: at(2 * DAY_MS),
      event: { type: 'stock.corrected', product_name: product, location: 'A1', quantity: 50 },
    },
    {
      warehouse,
      timestampMs: at(2 * HOUR_MS),
      event: { type: 'stock.sold', product_name: product, location: 'A1', quantity: 5 },
    },
  ];
  // Stored out of time order, as an import would: the moment decides which events count; the stream's
  // order decides how they fold (a later count overrides what was stored before it), live and in the past.
  const stored = [events[4]!, events[0]!, events[2]!, events[1]!, events[3]!];
  await publishAll(nc, stored);
  const happenedBy = (ms: number) => stored.filter((e) => e.timestampMs <= ms);
  const quantityBy = (ms: number) =>
    expectedStock(happenedBy(ms)).get(warehouse)?.get(product)?.get('A1') ?? 0;

  await signIn(page, appUrl, 'manager');
  await chooseWarehouse(page, warehouse);
  const figs = cell(page, product, 'A1');
  await expect(figs).toHaveText(shown(quantityBy(now)));

  const moment = at(3 * DAY_MS - HOUR_MS);
  await travelTo(page, moment);
  await expect(figs).toHaveText(shown(quantityBy(moment)));
  expect(quantityBy(moment)).toBe(70);
  await expect(page.getByRole('region', { name: 'Record a stock event' })).toHaveCount(0);
  await saveScreenshot(page, 'time-travel');

  await openPage(page, 'Marketing');
  await page.getByRole('combobox', { name: 'Warehouse' }).selectOption(warehouse);
  await expect(salesCell(page, product, 'week')).toHaveText(
    shown(soldWithin(happenedBy(moment), product, moment, 7 * DAY_MS)),
  );
  await expect(salesCell(page, product, 'day')).toHaveText(
    shown(soldWithin(happenedBy(moment), product, moment, DAY_MS)),
  );

  await openPage(page, 'Warehouse');
  await chooseWarehouse(page, warehouse);
  await page.getByRole('button', { name: 'Back to live' }).click();
  await expect(page.getByTestId('as-of')).toHaveCount(0);
  await expect(figs).toHaveText(shown(quantityBy(now)));

  // A day per second from just before the correction: the count passes 70 → 50 → 45, then live again.
  await travelTo(page, at(2 * DAY_MS + HOUR_MS));
  await expect(figs).toHaveText(shown(70));
  await page.getByRole('button', { name: '▶ 1 day/s' }).click();
  await expect(figs).toHaveText(shown(50), { timeout: 5_000 });
  await expect(page.getByTestId('as-of')).toHaveCount(0, { timeout: 10_000 });
  await expect(figs).toHaveText(shown(quantityBy(now)));
});
