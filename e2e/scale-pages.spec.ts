/**
 * The pages at a size the demo never reaches (the chain has 50 warehouses × 2,000 products): on a private
 * nats-server, 5 warehouses × 400 products = 2,000 keys across 40 locations, folded by the projector into the
 * stock_levels bucket. Checks that marketing shows the top 25 and its search finds any product, that the
 * procurement table pages, searches and filters over every key, and that the warehouse grid reaches its
 * last row and column; every expected figure is computed here, apart from src/core. Screenshots at a wall
 * screen and a phone, for people to look at.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startNatsServer, type NatsServerHandle } from '../scripts/lib/nats-server.mjs';
import { provision } from '../src/nats/provision';
import { chooseWarehouse, openPage, searchSales, searchStockLevels, signIn } from './support/app';
import { e2eEnv } from './support/env';
import {
  expectedStock,
  productTotal,
  shown,
  soldWithin,
  warehouseTotal,
  type TimedEvent,
} from './support/expected';
import { expectSales } from './support/figures';
import { startProgram, type RunningProgram } from './support/processes';
import { SCREENSHOT_DIR, saveScreenshot } from './support/screenshots';
import { connectAdmin, publishAll, type NatsConnection } from './support/stream';

const { appUrl } = e2eEnv();

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WAREHOUSES = ['W1', 'W2', 'W3', 'W4', 'W5'];
const KINDS = ['Apples', 'Gala', 'Pears', 'Plums', 'Figs', 'Kiwis', 'Limes', 'Dates'];
const PRODUCTS = Array.from(
  { length: 400 },
  (_, i) => `${KINDS[i % KINDS.length]}-${String(i).padStart(4, '0')}`,
);
const LOCATIONS = Array.from({ length: 40 }, (_, i) => `L${String(i + 1).padStart(2, '0')}`);
/** The default threshold when the bucket has none (docs/architecture.md#jetstream-resources). */
const THRESHOLD = 10;
const PAGE = 50;

/**
 * One count per key, at a location that walks all 40, and a sale for two keys in three, at event times
 * minutes away from any window edge (1 h, 24 h, 7 days) so the clock moving on during the test changes nothing.
 */
function history(nowMs: number): TimedEvent[] {
  const events: TimedEvent[] = [];
  WAREHOUSES.forEach((warehouse, w) =>
    PRODUCTS.forEach((product, p) => {
      const location = LOCATIONS[(p + w * 7) % LOCATIONS.length]!;
      events.push({
        warehouse,
        event: { type: 'stock.corrected', product_name: product, location, quantity: (p * 7 + w * 13) % 30 },
        timestampMs: nowMs - 7 * DAY,
      });
      if ((p + w) % 3 !== 0) {
        events.push({
          warehouse,
          event: { type: 'stock.sold', product_name: product, location, quantity: 1 + ((p * (w + 1)) % 5) },
          timestampMs: nowMs - ((p + w) % 9) * 20 * HOUR - 5 * 60_000,
        });
      }
    }),
  );
  return events;
}

let server: NatsServerHandle;
let nc: NatsConnection;
let projector: RunningProgram;
let events: TimedEvent[];

test.beforeAll(async () => {
  test.setTimeout(90_000);
  server = await startNatsServer({ allowedOrigins: [appUrl] });
  nc = await connectAdmin(server.clientUrl);
  await provision(nc);
  events = history(Date.now());
  await publishAll(nc, events);
  projector = startProgram('src/workers/projector.ts', ['--server', server.clientUrl]);
});

test.afterAll(async () => {
  await projector?.stop();
  await nc?.close();
  if (server) {
    await server.stop();
    rmSync(server.storeDir, { recursive: true, force: true });
  }
});

const statusOf = (total: number): 'out' | 'low' | 'ok' =>
  total <= 0 ? 'out' : total < THRESHOLD ? 'low' : 'ok';
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function rowKeys(page: Page, table: string): Promise<string[]> {
  return page
    .getByRole('table', { name: table })
    .locator('tbody tr[data-row]')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-row') ?? ''));
}

test('2,000 keys: marketing shows a top 25 and finds any product, procurement pages and filters every key', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const stock = expectedStock(events);
  const levels = WAREHOUSES.flatMap((warehouse) =>
    PRODUCTS.map((product) => {
      const total = productTotal(stock, warehouse, product);
      return { key: `${warehouse}.${product}`, total, status: statusOf(total) };
    }),
  );
  const count = (status: string) => levels.filter((l) => l.status === status).length;

  await page.setViewportSize({ width: 1920, height: 1080 });
  await signIn(page, appUrl, 'manager', server.wsUrl);
  await expect(page.getByTestId('replay-progress')).toHaveCount(0, { timeout: 60_000 });

  // Marketing: the top 25 of 400 products by units sold in 24 hours, ties by name.
  await openPage(page, 'Marketing');
  const now = Date.now();
  const day = PRODUCTS.map((product) => ({ product, sold: soldWithin(events, product, now, DAY) })).sort(
    (a, b) => b.sold - a.sold || byCodePoint(a.product, b.product),
  );
  await expect(page.getByTestId('sales-summary')).toHaveText('showing 25 of 400 products');
  expect(await rowKeys(page, 'Sold per product')).toEqual(day.slice(0, 25).map((d) => d.product));

  // Ten lines at most on the hourly chart: three are charted at first, seven more fill it.
  const boxes = page.getByRole('table', { name: 'Sold per product' }).getByRole('checkbox');
  for (let i = 0, ticked = 3; ticked < 10; i++) {
    if (await boxes.nth(i).isChecked()) continue;
    await boxes.nth(i).check();
    ticked += 1;
  }
  await expect(page.getByTestId('chart-full')).toBeVisible();
  await expect(boxes.and(page.locator(':not(:checked)')).first()).toBeDisabled();
  await page.waitForTimeout(1_000); // Recharts animates its first drawing.
  await saveScreenshot(page, 'scale-marketing-1920');

  // The search reaches every product, not only the 25 on screen: the one that sold least in 24 hours.
  const last = day[day.length - 1]!.product;
  await expectSales(page, events, last);
  await expect(page.getByTestId('sales-summary')).toHaveText(`1 matches '${last}'`);
  await searchSales(page, 'gala');
  await expect(page.getByTestId('sales-summary')).toHaveText("showing 25 of 50 that match 'gala'");
  await page.getByRole('combobox', { name: 'Show top' }).selectOption('100');
  await expect(page.getByTestId('sales-summary')).toHaveText("50 match 'gala'");
  await searchSales(page, '');
  await expect(page.getByTestId('sales-summary')).toHaveText('showing 100 of 400 products');

  // Procurement: 2,000 keys, 50 a page, ordered by status (out, low, ok), then key.
  await openPage(page, 'Procurement');
  const region = page.getByRole('region', { name: 'Stock levels' });
  const range = region.getByTestId('pager-range');
  await expect(range).toHaveText('rows 1–50 of 2,000', { timeout: 30_000 });
  const statusSelect = region.getByRole('combobox', { name: 'Status' });
  // The options count what the bucket says, once the projector has folded everything.
  await expect(statusSelect.locator('option')).toHaveText(
    [
      'All (2,000)',
      `Low (${shown(count('low'))})`,
      `Out of stock (${shown(count('out'))})`,
      'Bucket ≠ replay (0)',
    ],
    { timeout: 30_000 },
  );
  await expect(page.getByTestId('count-low')).toHaveText(String(count('low')));
  await expect(page.getByTestId('count-out')).toHaveText(String(count('out')));
  const rank = { out: 0, low: 1, ok: 2 } as const;
  const ordered = [...levels].sort((a, b) => rank[a.status] - rank[b.status] || byCodePoint(a.key, b.key));
  expect(await rowKeys(page, 'Stock levels')).toEqual(ordered.slice(0, PAGE).map((l) => l.key));
  await saveScreenshot(page, 'scale-procurement-1920');

  await region.getByRole('button', { name: 'Last' }).click();
  await expect(range).toHaveText('rows 1,951–2,000 of 2,000');
  expect(await rowKeys(page, 'Stock levels')).toEqual(ordered.slice(-PAGE).map((l) => l.key));
  await region.getByRole('button', { name: 'Previous' }).click();
  await expect(range).toHaveText('rows 1,901–1,950 of 2,000');

  // A key on no page near the top, found by search, with its figure.
  const far = ordered[1_234]!;
  await searchStockLevels(page, far.key);
  await expect(range).toHaveText('rows 1–1 of 1');
  const row = region.locator(`tr[data-row="${far.key}"]`);
  await expect(row.locator('td[data-col="quantity"]')).toHaveText(shown(far.total));
  await expect(page.getByTestId(`agreement-${far.key}`)).toHaveText('agrees');

  // One warehouse, low only: the filters combine, and the last page is short.
  await searchStockLevels(page, '');
  await region.getByRole('combobox', { name: 'Warehouse' }).selectOption('W2');
  await expect(range).toHaveText('rows 1–50 of 400');
  await statusSelect.selectOption('low');
  const lowInW2 = ordered.filter((l) => l.key.startsWith('W2.') && l.status === 'low');
  await expect(range).toHaveText(`rows 1–${Math.min(PAGE, lowInW2.length)} of ${lowInW2.length}`);
  await region.getByRole('button', { name: 'Last' }).click();
  const from = Math.floor((lowInW2.length - 1) / PAGE) * PAGE;
  expect(await rowKeys(page, 'Stock levels')).toEqual(lowInW2.slice(from).map((l) => l.key));

  // The warehouse grid: 400 rows × 40 locations, scrolled to its last row and column.
  await openPage(page, 'Warehouse');
  await chooseWarehouse(page, 'W1');
  await expect(page.getByTestId('grand-total')).toHaveText(shown(warehouseTotal(stock, 'W1')));
  const grid = page.getByRole('table', { name: 'Stock by product and location' });
  await grid.evaluate((el) => el.scrollTo(el.scrollWidth, el.scrollHeight));
  const lastProduct = [...PRODUCTS].sort(byCodePoint).at(-1)!;
  await expect(page.getByTestId(`total-${lastProduct}`)).toHaveText(
    shown(productTotal(stock, 'W1', lastProduct)),
  );
  await expect(grid.getByRole('columnheader', { name: 'L40' })).toBeVisible();
  await expect(grid.getByRole('rowheader', { name: lastProduct })).toBeVisible();
  // The name and the total stay in view, however far right the locations scroll.
  await expect(page.getByTestId(`total-${lastProduct}`)).toBeInViewport();
  await expect(grid.getByRole('columnheader', { name: 'Total' })).toBeInViewport();
  await saveScreenshot(page, 'scale-warehouse-1920');

  await page.setViewportSize({ width: 390, height: 844 });
  await saveScreenshot(page, 'scale-warehouse-390');
  await openPage(page, 'Marketing');
  await page.waitForTimeout(1_000); // Recharts animates its first drawing.
  await saveScreenshot(page, 'scale-marketing-390');
  // Close-ups at full resolution: a whole phone page is too tall to read.
  await page
    .getByRole('region', { name: 'Hourly sales' })
    .screenshot({ path: join(SCREENSHOT_DIR, 'scale-marketing-390-chart.png') });
  await page
    .getByRole('search', { name: 'Find products' })
    .screenshot({ path: join(SCREENSHOT_DIR, 'scale-marketing-390-filters.png') });
  await openPage(page, 'Procurement');
  await expect(range).toHaveText(/of /);
  await saveScreenshot(page, 'scale-procurement-390');
  await page
    .getByRole('search', { name: 'Filter stock levels' })
    .screenshot({ path: join(SCREENSHOT_DIR, 'scale-procurement-390-filters.png') });
  await page
    .getByRole('group', { name: 'Stock levels pages' })
    .screenshot({ path: join(SCREENSHOT_DIR, 'scale-procurement-390-pager.png') });
});
