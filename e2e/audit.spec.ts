/**
 * "Why is this number what it is?" against the shared test server: the audit trail of a stock cell and of a
 * procurement row, checked line by line against a running balance this spec computes itself from what it
 * published (not with src/core), and a correction made from the trail.
 */
import { randomUUID } from 'node:crypto';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { stockKey, type StockEvent } from '../src/core/events';
import { publishRaw } from '../src/nats/publish';
import { uniqueToken } from '../test/support/unique';
import { cell, chooseWarehouse, openPage, searchStockLevels, signIn } from './support/app';
import { e2eEnv } from './support/env';
import { shown } from './support/expected';
import { LOGINS } from '../test/support/users';
import { startProgram, type RunningProgram } from './support/processes';
import { saveScreenshot } from './support/screenshots';
import {
  connectAdmin,
  lastSeq,
  publishAll,
  publishCopy,
  type NatsConnection,
  type Published,
} from './support/stream';

// The server is named at sign-in: the default comes from dist/config.json, which any other build rewrites.
const { appUrl, clientUrl, wsUrl } = e2eEnv();
let nc: NatsConnection;

test.beforeAll(async () => {
  nc = await connectAdmin(clientUrl);
});
test.afterAll(async () => {
  await nc?.close();
});

/** One message this spec stored on the product's subject, in stream order. */
interface Stored {
  seq: number;
  /** Event id; null for a message no reader can decode. */
  id: string | null;
  event: StockEvent | null;
}

/**
 * The balance after each stored message, for one location or (null) the sum over all: a copy of an id already
 * counted changes nothing, a malformed message changes nothing, a missing location is the pool "-".
 */
function runningBalances(stored: readonly Stored[], location: string | null): number[] {
  const held = new Map<string, number>();
  const seen = new Set<string>();
  const out: number[] = [];
  const sum = () =>
    location === null ? [...held.values()].reduce((a, b) => a + b, 0) : (held.get(location) ?? 0);
  for (const { id, event } of stored) {
    if (event !== null && id !== null && !seen.has(id)) {
      seen.add(id);
      const where = 'location' in event && event.location ? event.location : '-';
      const add = (at: string, delta: number) => held.set(at, (held.get(at) ?? 0) + delta);
      if (event.type === 'stock.corrected') held.set(where, event.quantity);
      else if (event.type === 'stock.replenished' || event.type === 'stock.returned')
        add(where, event.quantity);
      else if (event.type === 'stock.sold' || event.type === 'stock.destroyed') add(where, -event.quantity);
      else if (event.type === 'stock.moved') {
        add(event.from, -event.quantity);
        add(event.to, event.quantity);
      }
    }
    out.push(sum());
  }
  return out;
}

function trailDrawer(page: Page): Locator {
  return page.getByRole('dialog').filter({ hasText: 'Why is this number what it is?' });
}

function trailRows(page: Page): Locator {
  return trailDrawer(page).getByRole('table', { name: 'Audit trail' }).locator('tbody tr');
}

/** Every line of the open trail: its sequence, effect text and balance, in the order shown. */
async function expectTrail(page: Page, stored: readonly Stored[], location: string | null): Promise<void> {
  const balances = runningBalances(stored, location);
  const rows = trailRows(page);
  await expect(rows).toHaveCount(stored.length);
  await expect(rows.last()).toHaveAttribute('data-seq', String(stored[stored.length - 1]!.seq));
  for (const [i, item] of stored.entries()) {
    const row = rows.nth(i);
    await expect(row, `line ${i + 1}`).toHaveAttribute('data-seq', String(item.seq));
    await expect(row.getByTestId('audit-line-balance'), `balance after #${item.seq}`).toHaveText(
      shown(balances[i]!),
    );
  }
  await expect(trailDrawer(page).getByTestId('audit-balance')).toHaveText(
    shown(balances[balances.length - 1]!),
  );
}

const stock = (p: Published): Stored => ({ seq: p.seq, id: p.id, event: p.event });

test('the trail of a cell lists every event of the product with its effect, and ends at the number in the cell; it follows live', async ({
  page,
}) => {
  const warehouse = uniqueToken('Hall');
  const product = uniqueToken('Apples');
  const name = { product_name: product };
  const now = Date.now();
  const on = (event: StockEvent, agoMs: number) => ({ warehouse, event, timestampMs: now - agoMs });
  const first = await publishAll(nc, [
    on({ type: 'stock.corrected', ...name, location: 'A1', quantity: 40 }, 50 * 60_000),
    on({ type: 'stock.replenished', ...name, location: 'B2', quantity: 25 }, 40 * 60_000),
    on({ type: 'stock.sold', ...name, location: 'A1', quantity: 5 }, 30 * 60_000),
    on({ type: 'stock.moved', ...name, from: 'A1', to: 'B2', quantity: 10 }, 20 * 60_000),
  ]);
  const stored: Stored[] = first.map(stock);
  // Another publisher's delivery without a location: it counts in the pool.
  const pool = await publishRaw(
    nc,
    `warehouse.${warehouse}.product.${product}`,
    JSON.stringify({ ...name, quantity: 4 }),
    [
      ['myorg_format', 'application/json'],
      ['myorg_type', 'stock.replenished'],
      ['myorg_msg_id', 'pool-delivery-1'],
    ],
  );
  if (!pool.ok) throw new Error(pool.message);
  stored.push({
    seq: pool.seq,
    id: 'pool-delivery-1',
    event: { type: 'stock.replenished', ...name, location: '-', quantity: 4 },
  });
  // A late copy of the sale (new Nats-Msg-Id, same event id) and a message nobody can read.
  stored.push({ seq: await publishCopy(nc, first[2]!), id: first[2]!.id, event: first[2]!.event });
  const broken = await publishRaw(nc, `warehouse.${warehouse}.product.${product}`, '{"product_name":', [
    ['myorg_format', 'application/json'],
    ['myorg_type', 'stock.sold'],
    ['myorg_msg_id', randomUUID()],
  ]);
  if (!broken.ok) throw new Error(broken.message);
  stored.push({ seq: broken.seq, id: null, event: null });
  const later = await publishAll(nc, [
    on({ type: 'stock.sold', ...name, location: 'A1', quantity: 7 }, 10 * 60_000),
  ]);
  stored.push(...later.map(stock));

  await signIn(page, appUrl, 'marketing', wsUrl);
  await openPage(page, 'Warehouse');
  await chooseWarehouse(page, warehouse);
  const a1 = runningBalances(stored, 'A1');
  await expect(cell(page, product, 'A1')).toHaveText(shown(a1[a1.length - 1]!));

  await cell(page, product, 'A1').click();
  const drawer = trailDrawer(page);
  await expect(drawer.getByRole('heading', { name: `${product} at A1` })).toBeVisible();
  await expectTrail(page, stored, 'A1');
  await expect(drawer.getByTestId('audit-verdict')).toHaveText(
    `✓ Ends at ${shown(a1[a1.length - 1]!)}, the number the page shows.`,
  );
  await expect(drawer.getByTestId('audit-balance')).toHaveText(
    (await cell(page, product, 'A1').textContent())!,
  );
  // Read-only role: no correction offered.
  await expect(drawer.getByRole('button', { name: 'Correct this' })).toHaveCount(0);

  const effects = trailRows(page).getByTestId('audit-effect');
  await expect(effects).toHaveText([
    'set to 40 (was 0)',
    'no effect here (at B2)',
    '−5',
    'moved 10 to B2: −10',
    'no effect here (at the pool (-))',
    `duplicate of #${first[2]!.seq}, not counted`,
    /^malformed: payload is not JSON.*; not counted$/,
    '−7',
  ]);
  await expect(drawer.getByTestId('audit-counts')).toHaveText(
    '8 events: 6 counted · 1 duplicate · 1 malformed',
  );

  // Who published it: every header, and the stream sequence.
  const firstRow = trailRows(page).first();
  await firstRow.locator('summary').click();
  const headers = firstRow.locator('dl');
  await expect(headers).toContainText(`myorg_msg_id${first[0]!.id}`);
  await expect(headers).toContainText(`Nats-Msg-Id${first[0]!.id}`);
  await expect(headers).toContainText('myorg_typestock.corrected');
  await expect(headers).toContainText(`stream sequence${first[0]!.seq}`);
  await expect(headers).toContainText(`myorg_timestamp_ms${now - 50 * 60_000}`);

  // A sale while the trail is open: it appears as the newest line, the cell and the trail agree.
  const live = await publishAll(nc, [on({ type: 'stock.sold', ...name, location: 'A1', quantity: 3 }, 0)]);
  stored.push(...live.map(stock));
  const after = runningBalances(stored, 'A1');
  await expect(cell(page, product, 'A1')).toHaveText(shown(after[after.length - 1]!));
  await expectTrail(page, stored, 'A1');
  await expect(trailRows(page).last().getByTestId('audit-effect')).toHaveText('−3');

  // The product's total tells the same story summed over its locations.
  await page.getByTestId(`total-${product}`).click();
  await expect(drawer.getByRole('heading', { name: `${product}, all locations` })).toBeVisible();
  await expectTrail(page, stored, null);
  await expect(drawer.getByTestId('audit-balance')).toHaveText(
    (await page.getByTestId(`total-${product}`).textContent())!,
  );
  // From the keyboard as well: the number is a button that Enter opens.
  await cell(page, product, 'B2')
    .getByRole('button', { name: `${product} at B2: ${shown(runningBalances(stored, 'B2').at(-1)!)}` })
    .focus();
  await page.keyboard.press('Enter');
  await expectTrail(page, stored, 'B2');
  await cell(page, product, 'A1').click();
  await expectTrail(page, stored, 'A1');
  await saveScreenshot(page, 'audit-trail');

  await page.keyboard.press('Escape');
  await expect(drawer).toHaveCount(0);
});

test('a correction made from the trail becomes its newest line and the cell changes', async ({ page }) => {
  const warehouse = uniqueToken('Hall');
  const product = uniqueToken('Pears');
  const name = { product_name: product };
  const published = await publishAll(nc, [
    {
      warehouse,
      event: { type: 'stock.corrected', ...name, location: 'C3', quantity: 10 },
      timestampMs: Date.now(),
    },
    {
      warehouse,
      event: { type: 'stock.sold', ...name, location: 'C3', quantity: 3 },
      timestampMs: Date.now(),
    },
  ]);
  const stored = published.map(stock);

  await signIn(page, appUrl, 'manager', wsUrl);
  await chooseWarehouse(page, warehouse);
  await expect(cell(page, product, 'C3')).toHaveText('7');
  await cell(page, product, 'C3').click();
  const drawer = trailDrawer(page);
  await expectTrail(page, stored, 'C3');

  await drawer.getByRole('button', { name: 'Correct this' }).click();
  const form = drawer.getByRole('form', { name: 'Correct this count' });
  // Pre-filled with what the records say.
  await expect(form.getByLabel(/^Counted quantity/)).toHaveValue('7');
  await form.getByLabel(/^Counted quantity/).fill('12');
  await form.getByRole('button', { name: 'Record correction' }).click();

  const result = drawer.getByTestId('audit-correction-result');
  await expect(result).toHaveText(/^Recorded: counted 12 as event #\d+, the newest line of the trail\.$/);
  const seq = Number(/#(\d+)/.exec((await result.textContent()) ?? '')?.[1]);
  expect(await lastSeq(nc)).toBe(seq);
  const newest = trailRows(page).last();
  await expect(newest).toHaveAttribute('data-seq', String(seq));
  await expect(newest.getByTestId('audit-effect')).toHaveText('set to 12 (was 7)');
  await expect(newest.getByTestId('audit-line-balance')).toHaveText('12');
  // Who recorded each line: the page names the person signed in; the test seeded the others as admin.
  await expect(newest.getByTestId('audit-user')).toHaveText(`by ${LOGINS.manager.user}`);
  await expect(trailRows(page).first().getByTestId('audit-user')).toHaveText('by admin');
  await expect(cell(page, product, 'C3')).toHaveText('12');
  // The page chose the id; for the balance only its being new matters.
  stored.push({
    seq,
    id: `page-${seq}`,
    event: { type: 'stock.corrected', ...name, location: 'C3', quantity: 12 },
  });
  await expectTrail(page, stored, 'C3');
  await saveScreenshot(page, 'audit-trail-correction');

  // The manager's form below the grid was filled in by the same click, as before.
  const stockForm = page.getByRole('region', { name: 'Record a stock event' }).locator('form');
  await expect(stockForm.locator('input[name="product"]')).toHaveValue(product);
  await expect(stockForm.locator('input[name="location"]')).toHaveValue('C3');
});

test.describe('from the procurement page', () => {
  let projector: RunningProgram | undefined;
  test.beforeAll(() => {
    projector = startProgram('src/workers/projector.ts', ['--server', clientUrl]);
  });
  test.afterAll(async () => {
    await projector?.stop();
  });

  test('the trail of a stock level sums every location and ends at the bucket quantity', async ({ page }) => {
    test.setTimeout(90_000);
    const warehouse = uniqueToken('Hall');
    const product = uniqueToken('Quinces');
    const key = stockKey(warehouse, product);
    const name = { product_name: product };
    const t = Date.now();
    const published = await publishAll(nc, [
      {
        warehouse,
        event: { type: 'stock.corrected', ...name, location: 'A1', quantity: 20 },
        timestampMs: t,
      },
      {
        warehouse,
        event: { type: 'stock.replenished', ...name, location: '-', quantity: 4 },
        timestampMs: t,
      },
      {
        warehouse,
        event: { type: 'stock.moved', ...name, from: 'A1', to: 'B2', quantity: 6 },
        timestampMs: t,
      },
      { warehouse, event: { type: 'stock.corrected', ...name, location: 'B2', quantity: 5 }, timestampMs: t },
      { warehouse, event: { type: 'stock.sold', ...name, location: '-', quantity: 1 }, timestampMs: t },
    ]);
    const stored = published.map(stock);
    const total = runningBalances(stored, null);

    await signIn(page, appUrl, 'procurement', wsUrl);
    await openPage(page, 'Procurement');
    // The shared server holds every spec's keys, more than the table's page of 50.
    await searchStockLevels(page, key);
    const row = page.getByRole('table', { name: 'Stock levels' }).locator(`tr[data-row="${key}"]`);
    await expect(row.locator('td[data-col="quantity"]')).toHaveText(shown(total[total.length - 1]!), {
      timeout: 30_000,
    });
    await page.getByTestId(`why-${key}`).click();
    const drawer = trailDrawer(page);
    await expect(drawer.getByRole('heading', { name: `${product}, all locations` })).toBeVisible();
    await expectTrail(page, stored, null);
    await expect(trailRows(page).getByTestId('audit-effect')).toHaveText([
      'A1 set to 20 (was 0): +20',
      '+4 at the pool (-)',
      'moved 6 between locations: ±0',
      'B2 set to 5 (was 6): −1',
      '−1 at the pool (-)',
    ]);
    await expect(drawer).toContainText(
      `The stock_levels bucket says ${shown(total[total.length - 1]!)} as of event #${stored[stored.length - 1]!.seq}.`,
    );
    await expect(drawer.getByRole('button', { name: 'Correct this' })).toHaveCount(0);
    await saveScreenshot(page, 'audit-trail-procurement');
  });
});
