/**
 * Undo and returns against the shared test server (docs/architecture.md#undo): a manager undoes a sale from the
 * audit trail, and stock, the trail and marketing's net sales all read as if it had not been recorded; a
 * second undo of it is refused from the event log before anything is published; another publisher's undo of
 * a count is counted under data quality and changes nothing. Figures come from e2e/support/expected.ts, a fold
 * written apart from src/core.
 */
import { expect, test, type Page } from '@playwright/test';
import type { StockEvent } from '../src/core/events';
import { uniqueToken } from '../test/support/unique';
import { cell, chooseWarehouse, openPage, signIn } from './support/app';
import { e2eEnv } from './support/env';
import { expectedStock, shown, type TimedEvent } from './support/expected';
import { expectSales } from './support/figures';
import { saveScreenshot } from './support/screenshots';
import { connectAdmin, lastSeq, publishAll, type NatsConnection } from './support/stream';

const { appUrl, clientUrl, wsUrl } = e2eEnv();
let nc: NatsConnection;

test.beforeAll(async () => {
  nc = await connectAdmin(clientUrl);
});
test.afterAll(async () => {
  await nc?.close();
});

function trailRow(page: Page, seq: number) {
  return page
    .getByRole('dialog')
    .getByRole('table', { name: 'Audit trail' })
    .locator(`tbody tr[data-seq="${seq}"]`);
}

test('a sale undone from the audit trail: stock, the trail and net sales as if it had not been recorded; a second undo and a foreign undo of a count are refused', async ({
  page,
}) => {
  const warehouse = uniqueToken('Undo');
  const product = uniqueToken('Pears');
  const name = { product_name: product };
  const now = Date.now();
  const on = (event: StockEvent, agoMs: number) => ({ warehouse, event, timestampMs: now - agoMs });
  const published = await publishAll(nc, [
    on({ type: 'stock.corrected', ...name, location: 'A1', quantity: 20 }, 50 * 60_000),
    on({ type: 'stock.sold', ...name, location: 'A1', quantity: 5 }, 30 * 60_000),
    on({ type: 'stock.returned', ...name, location: 'A1', quantity: 2, reason: 'wrong size' }, 20 * 60_000),
    on({ type: 'stock.sold', ...name, location: 'A1', quantity: 3 }, 10 * 60_000),
  ]);
  const [count, sale] = [published[0]!, published[1]!];
  // Another publisher tries to undo a count: every reader refuses it.
  const [foreign] = await publishAll(nc, [
    on({ type: 'stock.reversed', ...name, reverses: count.id, reason: 'miscounted' }, 5 * 60_000),
  ]);
  const events: TimedEvent[] = [...published, foreign!];
  const expectA1 = async () =>
    expect(cell(page, product, 'A1')).toHaveText(
      shown(expectedStock(events).get(warehouse)!.get(product)!.get('A1')!),
    );

  await signIn(page, appUrl, 'manager', wsUrl);
  await openPage(page, 'Warehouse');
  await chooseWarehouse(page, warehouse);
  await expectA1();
  expect(await cell(page, product, 'A1').textContent()).toBe('14');

  await cell(page, product, 'A1').click();
  const drawer = page.getByRole('dialog');
  await expect(trailRow(page, foreign!.seq)).toHaveAttribute('data-status', 'refused');
  await expect(trailRow(page, foreign!.seq).getByTestId('audit-effect')).toContainText('not counted');
  // A count is fixed by another count: no undo is offered for it, nor for the refused undo.
  await expect(trailRow(page, count.seq).getByRole('button', { name: 'Undo', exact: true })).toHaveCount(0);
  await expect(trailRow(page, foreign!.seq).getByRole('button', { name: 'Undo', exact: true })).toHaveCount(
    0,
  );

  await trailRow(page, sale.seq).getByRole('button', { name: 'Undo', exact: true }).click();
  const form = drawer.getByRole('form', { name: 'Undo this event' });
  await form.getByRole('button', { name: 'Record undo' }).click();
  await expect(form.getByRole('alert')).toHaveText('Reason is required: say what was wrong with it');
  await form.getByLabel('Why').fill('rang up twice');
  await form.getByRole('button', { name: 'Record undo' }).click();
  await expect(form.getByTestId('undo-result')).toHaveText(/^Undone as event #\d+\.$/);
  const undoSeq = await lastSeq(nc);
  events.push({
    warehouse,
    event: { type: 'stock.reversed', ...name, reverses: sale.id, reason: 'rang up twice' },
    timestampMs: Date.now(),
  });

  await expectA1();
  expect(await cell(page, product, 'A1').textContent()).toBe('19');
  // Both lines stay, linked both ways; the sale can no longer be undone.
  await expect(trailRow(page, sale.seq).getByRole('button', { name: `undone by #${undoSeq}` })).toBeVisible();
  await expect(
    trailRow(page, undoSeq).getByRole('button', { name: `takes back #${sale.seq}` }),
  ).toBeVisible();
  await expect(trailRow(page, undoSeq).getByTestId('audit-effect')).toHaveText('+5');
  await expect(trailRow(page, sale.seq).getByRole('button', { name: 'Undo', exact: true })).toHaveCount(0);
  await expect(drawer.getByTestId('audit-verdict')).toHaveText('✓ Ends at 19, the number the page shows.');
  await saveScreenshot(page, 'undo-audit-trail');

  // The same sale again from the event log: the engine refuses before anything is published.
  const before = await lastSeq(nc);
  await openPage(page, 'Event log');
  const region = page.getByRole('region', { name: 'Event log' });
  await region.getByLabel('Warehouse', { exact: true }).fill(warehouse);
  await region.getByTestId(`event-row-${sale.seq}`).click();
  const detail = page.getByRole('complementary', { name: 'Event detail' });
  await detail.getByRole('button', { name: 'Undo this event' }).click();
  await detail.getByLabel('Why').fill('again');
  await detail.getByRole('button', { name: 'Record undo' }).click();
  await expect(detail.getByTestId('undo-result')).toHaveText(
    new RegExp(
      `^Not recorded: this undo reverses event ${sale.id}, already undone by .+ \\(#${undoSeq}\\)\\.$`,
    ),
  );
  expect(await lastSeq(nc)).toBe(before);

  // Marketing's windows are net: the return subtracted, the undone sale gone from the hour it was made in.
  await openPage(page, 'Marketing');
  await expectSales(page, events, product);
  await expect(
    page
      .getByRole('table', { name: 'Sold per product' })
      .locator(`tr[data-row="${product}"] td[data-col="hour"]`),
  ).toHaveText('1');

  await openPage(page, 'Data quality');
  const refusedRow = page.locator(`tr[data-seq="${foreign!.seq}"]`);
  await expect(refusedRow).toContainText('Refused undo');
  await expect(refusedRow).toContainText(
    `reverses event ${count.id}, a count: a count is fixed by another count`,
  );
});
