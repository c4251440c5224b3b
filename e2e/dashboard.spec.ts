/**
 * The dashboard against the shared test server: the figures it shows are checked against a fold of the
 * events each test published itself (e2e/support/expected.ts), never against the app's own views.
 * Every test uses its own warehouse and product names, so the tests do not see each other's events.
 */
import { expect, test } from '@playwright/test';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../src/core/sales';
import type { StockEvent } from '../src/core/events';
import { runCli } from '../test/support/cli';
import { uniqueToken } from '../test/support/unique';
import {
  cell,
  chooseOperation,
  chooseWarehouse,
  salesCell,
  openPage,
  searchSales,
  seenAt,
  signIn,
  stockForm,
  submitStockForm,
  watchForText,
} from './support/app';
import { e2eEnv } from './support/env';
import { expectedStock, shown, type TimedEvent } from './support/expected';
import { expectSales, expectWarehouseFigures } from './support/figures';
import { connectAdmin, lastSeq, publishAll, type NatsConnection } from './support/stream';

const { appUrl, clientUrl } = e2eEnv();
let nc: NatsConnection;

test.beforeAll(async () => {
  nc = await connectAdmin(clientUrl);
});
test.afterAll(async () => {
  await nc?.close();
});

test('warehouse and marketing figures equal the published events, replayed and live', async ({ page }) => {
  const warehouse = uniqueToken('Hall');
  const apples = uniqueToken('Apples');
  const pears = uniqueToken('Pears');
  const plums = uniqueToken('Plums');
  const now = Date.now();
  const at = (agoMs: number) => now - agoMs;
  const on = (event: StockEvent, agoMs: number): TimedEvent => ({ warehouse, event, timestampMs: at(agoMs) });
  const name = { product_name: apples };
  const pear = { product_name: pears };

  const history: TimedEvent[] = [
    on({ type: 'stock.corrected', ...name, location: 'A1', quantity: 40 }, 8 * DAY_MS + 2 * HOUR_MS),
    on({ type: 'stock.replenished', ...name, location: 'B2', quantity: 25 }, 8 * DAY_MS + HOUR_MS),
    // Eight days ago: in no sales window.
    on({ type: 'stock.sold', ...name, location: 'A1', quantity: 5 }, 8 * DAY_MS),
    on({ type: 'stock.moved', ...name, from: 'A1', to: 'B2', quantity: 10 }, 3 * DAY_MS + HOUR_MS),
    on({ type: 'stock.sold', ...name, location: 'A1', quantity: 7 }, 3 * DAY_MS),
    on({ type: 'stock.replenished', ...pear, location: '-', quantity: 12 }, 3 * DAY_MS + HOUR_MS),
    on({ type: 'stock.corrected', ...pear, location: 'C3', quantity: 9 }, 3 * DAY_MS),
    on({ type: 'stock.sold', ...pear, location: 'C3', quantity: 2 }, 3 * DAY_MS - HOUR_MS),
    on({ type: 'stock.sold', ...name, location: 'B2', quantity: 4 }, 5 * HOUR_MS),
    on({ type: 'stock.destroyed', ...name, location: 'B2', quantity: 2, reason: 'crushed' }, 5 * HOUR_MS),
    on({ type: 'stock.sold', ...pear, location: '-', quantity: 6 }, 5 * HOUR_MS),
    on({ type: 'stock.sold', ...name, location: 'A1', quantity: 3 }, 30 * MINUTE_MS),
    on({ type: 'stock.corrected', product_name: plums, location: 'A1', quantity: 0 }, 2 * HOUR_MS),
  ];
  // Published after sign-in: they reach the page through the live tail, not the replay.
  const live: TimedEvent[] = [
    // The pool has nothing: this sale takes it to −2, which the grid must show as such.
    on({ type: 'stock.sold', ...name, location: '-', quantity: 2 }, 30 * MINUTE_MS),
    on({ type: 'stock.sold', ...pear, location: 'C3', quantity: 1 }, 30 * MINUTE_MS),
    on({ type: 'stock.moved', ...pear, from: 'C3', to: 'A1', quantity: 3 }, 20 * MINUTE_MS),
    on({ type: 'stock.sold', ...pear, location: 'A1', quantity: 2 }, 10 * MINUTE_MS),
    on({ type: 'stock.sold', ...pear, location: 'C3', quantity: 3 }, 3 * DAY_MS - 2 * HOUR_MS),
  ];
  const products = [apples, pears, plums];

  await publishAll(nc, history);
  await signIn(page, appUrl, 'manager');
  await chooseWarehouse(page, warehouse);
  await expectWarehouseFigures(page, expectedStock(history), warehouse, products);

  await publishAll(nc, live);
  const all = [...history, ...live];
  const stock = expectedStock(all);
  await expectWarehouseFigures(page, stock, warehouse, products);
  await expect(cell(page, apples, '-')).toHaveClass(/cell-negative/);
  await expect(cell(page, plums, 'A1')).toHaveClass(/cell-zero/);
  await expect(cell(page, plums, 'B2')).toHaveClass(/cell-empty/);

  await openPage(page, 'Marketing');
  for (const product of [apples, pears]) await expectSales(page, all, product);
  // Plums were counted, never sold: no sales row, even when searched for by name.
  await searchSales(page, plums);
  await expect(page.getByTestId('sales-summary')).toHaveText(`0 match '${plums}'`);
  await expect(page.locator(`tr[data-row="${plums}"]`)).toHaveCount(0);

  // The same figures for this warehouse alone.
  await page
    .getByRole('region', { name: 'Marketing' })
    .getByRole('combobox', { name: 'Warehouse' })
    .selectOption(warehouse);
  for (const product of [apples, pears]) await expectSales(page, all, product);
});

test('a sale from one browser shows in another within a second; the form says "Recorded" only once it is back', async ({
  browser,
}) => {
  const warehouse = uniqueToken('Hall');
  const product = uniqueToken('Kiwis');
  const [counted] = await publishAll(nc, [
    {
      warehouse,
      event: { type: 'stock.corrected', product_name: product, location: 'A1', quantity: 20 },
      timestampMs: Date.now(),
    },
  ]);
  const sellerContext = await browser.newContext();
  const wallContext = await browser.newContext();
  try {
    const seller = await sellerContext.newPage();
    const wall = await wallContext.newPage();
    await signIn(seller, appUrl, 'manager');
    await signIn(wall, appUrl, 'display');
    for (const page of [seller, wall]) {
      await chooseWarehouse(page, warehouse);
      await expect(cell(page, product, 'A1')).toHaveText('20');
    }

    // Clicking the cell fills in warehouse, product and location.
    await cell(seller, product, 'A1').click();
    const form = stockForm(seller).locator('form');
    await expect(form.locator('input[name="product"]')).toHaveValue(product);
    await expect(form.locator('input[name="warehouse"]')).toHaveValue(warehouse);
    await expect(form.locator('input[name="location"]')).toHaveValue('A1');

    await watchForText(wall, 'sold', `cell-${product}-A1`, '17');
    // When the form first says "Recorded", the seller's own grid must already hold the sale.
    await seller.evaluate(
      ({ product }) => {
        const w = window as unknown as { __recorded?: { atMs: number; cell: string | null } };
        const check = () => {
          const result = document.querySelector('[data-testid="form-result"]');
          if (w.__recorded || !result?.textContent?.startsWith('Recorded')) return;
          const cellText = document.querySelector(`[data-testid="cell-${product}-A1"]`)?.textContent ?? null;
          w.__recorded = { atMs: Date.now(), cell: cellText };
        };
        new MutationObserver(check).observe(document.body, {
          subtree: true,
          childList: true,
          characterData: true,
        });
      },
      { product },
    );
    await form.locator('input[name="quantity"]').fill('3');
    const submittedMs = await seller.evaluate(() => Date.now());
    await form.locator('button[type="submit"]').click();

    const result = seller.getByTestId('form-result');
    await expect(result).toHaveText(
      new RegExp(`^Recorded: 3 ${product} sold in warehouse ${warehouse} \\(event #\\d+\\)\\.$`),
    );
    const eventSeq = Number(/#(\d+)/.exec((await result.textContent()) ?? '')?.[1]);
    expect(eventSeq).toBeGreaterThan(counted!.seq);
    expect(await lastSeq(nc)).toBe(eventSeq);

    const recorded = await seller.evaluate(
      () => (window as unknown as { __recorded?: { atMs: number; cell: string | null } }).__recorded,
    );
    expect(recorded?.cell, 'the seller grid when "Recorded" first showed').toBe('17');

    await expect.poll(() => seenAt(wall, 'sold'), { timeout: 5_000 }).toBeDefined();
    const shownMs = (await seenAt(wall, 'sold'))!;
    const latency = shownMs - submittedMs;
    console.log(
      `[e2e] sale: "Recorded" after ${recorded!.atMs - submittedMs} ms, on the other browser after ${latency} ms`,
    );
    expect(latency).toBeLessThan(1_000);
    await expect(cell(wall, product, 'A1')).toHaveText('17');
    await expect(wall.getByTestId(`total-${product}`)).toHaveText('17');
  } finally {
    await sellerContext.close();
    await wallContext.close();
  }
});

test('the forms refuse what would go below zero or is not a valid name, and publish nothing', async ({
  page,
}) => {
  const warehouse = uniqueToken('Hall');
  const product = uniqueToken('Figs');
  await publishAll(nc, [
    {
      warehouse,
      event: { type: 'stock.corrected', product_name: product, location: 'A1', quantity: 5 },
      timestampMs: Date.now(),
    },
  ]);
  await signIn(page, appUrl, 'manager');
  await chooseWarehouse(page, warehouse);
  await expect(cell(page, product, 'A1')).toHaveText('5');
  const before = await lastSeq(nc);
  const problems = stockForm(page).getByRole('alert', { name: 'What to fix' });
  const field = (name: string) => stockForm(page).locator(`input[name="${name}"]`);

  await chooseOperation(page, 'Sell');
  await submitStockForm(page, { warehouse, product, location: 'A1', quantity: '8' });
  await expect(problems).toHaveText(
    `Only 5 ${product} at A1; to record 8 sold, first correct the count at A1`,
  );
  await expect(field('quantity')).toHaveAttribute('aria-invalid', 'true');

  // The pool was never stocked.
  await submitStockForm(page, { location: '', quantity: '1' });
  await expect(problems).toHaveText(
    `No ${product} at the unassigned pool (-); to record 1 sold, first correct the count at the unassigned pool (-)`,
  );

  await chooseOperation(page, 'Move');
  await submitStockForm(page, { from: 'A1', to: 'B2', quantity: '6' });
  await expect(problems).toContainText(`Only 5 ${product} at A1; to move 6, first correct the count at A1`);

  await chooseOperation(page, 'Sell');
  await submitStockForm(page, { product: 'Red apples!', location: 'A1', quantity: '1' });
  await expect(problems).toContainText(
    'Product "Red apples!" contains space, "!"; allowed are letters A–Z a–z, digits 0–9, "_" and "-", 1 to 64 characters',
  );
  await expect(field('product')).toHaveAttribute('aria-invalid', 'true');
  await expect(stockForm(page).getByTestId('form-result')).toHaveCount(0);
  await expect(cell(page, product, 'A1')).toHaveText('5');

  // A valid sale moves the stream by exactly one: nothing was published before it.
  await submitStockForm(page, { product, location: 'A1', quantity: '2' });
  await expect(page.getByTestId('form-result')).toHaveText(/^Recorded: 2 /);
  await expect(problems).toHaveCount(0);
  expect(await lastSeq(nc)).toBe(before + 1);
  await expect(cell(page, product, 'A1')).toHaveText('3');
});

test('a customer return recorded in the form is stock again and lowers the net sales of the hour', async ({
  page,
}) => {
  const warehouse = uniqueToken('Hall');
  const product = uniqueToken('Kiwis');
  await publishAll(nc, [
    {
      warehouse,
      event: { type: 'stock.corrected', product_name: product, location: 'A1', quantity: 10 },
      timestampMs: Date.now(),
    },
    {
      warehouse,
      event: { type: 'stock.sold', product_name: product, location: 'A1', quantity: 4 },
      timestampMs: Date.now(),
    },
  ]);
  await signIn(page, appUrl, 'manager');
  await chooseWarehouse(page, warehouse);
  await expect(cell(page, product, 'A1')).toHaveText('6');
  const before = await lastSeq(nc);

  await chooseOperation(page, 'Return');
  await submitStockForm(page, { warehouse, product, location: 'A1', quantity: '3', reason: 'wrong size' });
  await expect(page.getByTestId('form-result')).toHaveText(/^Recorded: 3 /);
  expect(await lastSeq(nc)).toBe(before + 1);
  await expect(cell(page, product, 'A1')).toHaveText('9');

  // 4 sold, 3 brought back: the hour sold 1 on balance.
  await openPage(page, 'Marketing');
  await searchSales(page, product);
  await expect(salesCell(page, product, 'hour')).toHaveText('1');
});

test('a malformed event published with the CLI is listed under data quality; the events around it count', async ({
  page,
}) => {
  const warehouse = uniqueToken('Hall');
  const product = uniqueToken('Limes');
  const subject = `warehouse.${warehouse}.product.${product}`;
  await signIn(page, appUrl, 'manager');
  await openPage(page, 'Data quality');
  const counter = (kind: string) =>
    page.getByTestId(kind === 'applied' ? 'applied-count' : `quality-${kind}`);
  // Other specs share this server: compare with the counts before this test's events.
  const count = async (kind: string) => Number(((await counter(kind).textContent()) ?? '').replace(/,/g, ''));
  // Caught up with everything stored so far: each message is either applied or skipped as a duplicate.
  const stored = await lastSeq(nc);
  await expect.poll(async () => (await count('applied')) + (await count('duplicate'))).toBe(stored);
  const malformedBefore = await count('malformed');
  const unknownBefore = await count('unknown');
  const duplicateBefore = await count('duplicate');

  const ours = (type: string) => [
    `myorg_format=application/json`,
    `myorg_type=${type}`,
    `myorg_msg_id=${uniqueToken('id')}`,
    `myorg_timestamp_ms=${Date.now()}`,
  ];
  const raw = async (headers: string[], data: string): Promise<number> => {
    const run = await runCli([
      'raw',
      '--server',
      clientUrl,
      '--subject',
      subject,
      ...headers.flatMap((h) => ['--header', h]),
      '--data',
      data,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const seq = /stored as sequence (\d+)/.exec(run.stdout)?.[1];
    expect(seq, run.stdout).toBeDefined();
    return Number(seq);
  };

  await publishAll(nc, [
    {
      warehouse,
      event: { type: 'stock.replenished', product_name: product, location: 'A1', quantity: 10 },
      timestampMs: Date.now(),
    },
  ]);
  const badJson = await raw(ours('stock.sold'), `{"product_name":"${product}","location":"A1","quantity":`);
  const negative = await raw(
    ours('stock.sold'),
    JSON.stringify({ product_name: product, location: 'A1', quantity: -4 }),
  );
  const unknown = await raw(ours('stock.audited'), JSON.stringify({ product_name: product }));
  // Another publisher's event: no id, no timestamp, no location. Valid: it goes to the pool.
  await raw(
    ['myorg_format=application/json', 'myorg_type=stock.replenished'],
    JSON.stringify({ product_name: product, quantity: 4 }),
  );
  await publishAll(nc, [
    {
      warehouse,
      event: { type: 'stock.sold', product_name: product, location: 'A1', quantity: 3 },
      timestampMs: Date.now(),
    },
  ]);

  await expect(counter('malformed')).toHaveText(shown(malformedBefore + 2));
  await expect(counter('unknown')).toHaveText(shown(unknownBefore + 1));
  await expect(counter('duplicate')).toHaveText(shown(duplicateBefore));
  const skipped = page.getByRole('table', { name: 'Skipped events' });
  const row = (seq: number) => skipped.locator(`tr[data-seq="${seq}"]`);
  await expect(row(badJson)).toContainText('Malformed');
  await expect(row(badJson)).toContainText(subject);
  await expect(row(badJson)).toContainText('payload is not JSON');
  await expect(row(negative)).toContainText('quantity -4 must be at least 1');
  await expect(row(unknown)).toContainText('Unknown type');
  await expect(row(unknown)).toContainText('unknown event type "stock.audited"');

  // The valid events on both sides of them were applied: 10 replenished − 3 sold, the −4 ignored,
  // and the foreign publisher's 4 in the pool.
  await openPage(page, 'Warehouse');
  await chooseWarehouse(page, warehouse);
  await expect(cell(page, product, 'A1')).toHaveText('7');
  await expect(cell(page, product, '-')).toHaveText('4');
  await expect(page.getByTestId(`total-${product}`)).toHaveText('11');
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  // And the reader keeps going.
  await publishAll(nc, [
    {
      warehouse,
      event: { type: 'stock.sold', product_name: product, location: 'A1', quantity: 1 },
      timestampMs: Date.now(),
    },
  ]);
  await expect(cell(page, product, 'A1')).toHaveText('6');
});
