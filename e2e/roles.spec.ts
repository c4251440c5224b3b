/**
 * Roles: what each browser user is offered, and that the server, not the UI, refuses a publish from a
 * read-only user (a hand-crafted one from inside the page, and one from the CLI over WebSocket).
 */
import { expect, test, type Page } from '@playwright/test';
import { runCli } from '../test/support/cli';
import { uniqueToken } from '../test/support/unique';
import { LOGINS } from '../test/support/users';
import { cell, chooseWarehouse, nav, openPage, signIn, stockForm, type PageName } from './support/app';
import { e2eEnv } from './support/env';
import { rawPublishFromPage } from './support/raw-nats';
import { connectAdmin, lastSeq, publishAll, type NatsConnection } from './support/stream';

const { appUrl, wsUrl, clientUrl } = e2eEnv();
let nc: NatsConnection;

test.beforeAll(async () => {
  nc = await connectAdmin(clientUrl);
});
test.afterAll(async () => {
  await nc?.close();
});

async function seed(): Promise<{ warehouse: string; product: string }> {
  const warehouse = uniqueToken('Hall');
  const product = uniqueToken('Dates');
  await publishAll(nc, [
    {
      warehouse,
      event: { type: 'stock.corrected', product_name: product, location: 'A1', quantity: 4 },
      timestampMs: Date.now(),
    },
  ]);
  return { warehouse, product };
}

/** A well-formed sale, so that only the permission can be the reason for a refusal. */
function handCraftedSale(page: Page, user: keyof typeof LOGINS, warehouse: string, product: string) {
  const id = crypto.randomUUID();
  return rawPublishFromPage(page, {
    wsUrl,
    ...LOGINS[user],
    subject: `warehouse.${warehouse}.product.${product}`,
    headers: {
      myorg_format: 'application/json',
      myorg_type: 'stock.sold',
      myorg_msg_id: id,
      myorg_timestamp_ms: String(Date.now()),
      'Nats-Msg-Id': id,
    },
    payload: JSON.stringify({ product_name: product, location: 'A1', quantity: 1 }),
  });
}

const READ_ONLY: { user: 'display' | 'marketing'; pages: PageName[] }[] = [
  { user: 'display', pages: ['Warehouse', 'Marketing', 'Procurement', 'Data quality', 'Event log'] },
  { user: 'marketing', pages: ['Marketing', 'Warehouse', 'Data quality', 'Event log'] },
];

for (const { user, pages } of READ_ONLY) {
  test(`${user} sees no forms, and the server refuses its hand-crafted publishes`, async ({ page }) => {
    const { warehouse, product } = await seed();
    await signIn(page, appUrl, user);
    await expect(nav(page).getByRole('link')).toHaveText(pages);

    await openPage(page, 'Warehouse');
    await chooseWarehouse(page, warehouse);
    await expect(cell(page, product, 'A1')).toHaveText('4');
    await expect(stockForm(page)).toHaveCount(0);
    await expect(page.locator('input[name="quantity"]')).toHaveCount(0);
    for (const label of ['Sell', 'Replenish', 'Move', 'Correct count', 'Destroy']) {
      await expect(page.getByRole('button', { name: label, exact: true })).toHaveCount(0);
    }
    if (pages.includes('Procurement')) {
      await openPage(page, 'Procurement');
      await expect(page.getByRole('form', { name: 'Threshold editor' })).toHaveCount(0);
      await expect(page.getByRole('button', { name: 'Set threshold' })).toHaveCount(0);
    }

    const before = await lastSeq(nc);
    const report = await handCraftedSale(page, user, warehouse, product);
    expect(report).toEqual({
      errors: [`Permissions Violation for Publish to "warehouse.${warehouse}.product.${product}"`],
      pong: true,
    });

    const cli = await runCli([
      'publish',
      'sold',
      '--server',
      wsUrl,
      '--user',
      LOGINS[user].user,
      '--warehouse',
      warehouse,
      '--product',
      product,
      '--location',
      'A1',
      '--quantity',
      '1',
    ]);
    expect(cli.code, cli.stdout + cli.stderr).toBe(1);
    expect(cli.stderr).toContain(
      `publish refused (permission): Permission denied: this user may not publish to warehouse.${warehouse}.product.${product}.`,
    );

    expect(await lastSeq(nc)).toBe(before);
    await openPage(page, 'Warehouse');
    await chooseWarehouse(page, warehouse);
    await expect(cell(page, product, 'A1')).toHaveText('4');
  });
}

test('procurement gets the threshold editor but no stock forms', async ({ page }) => {
  const { warehouse, product } = await seed();
  await signIn(page, appUrl, 'procurement');
  await expect(nav(page).getByRole('link')).toHaveText([
    'Procurement',
    'Warehouse',
    'Marketing',
    'Data quality',
    'Event log',
  ]);
  await expect(page.getByRole('form', { name: 'Threshold editor' })).toBeVisible();
  await openPage(page, 'Warehouse');
  await chooseWarehouse(page, warehouse);
  await expect(cell(page, product, 'A1')).toHaveText('4');
  await expect(stockForm(page)).toHaveCount(0);
});

test('manager: the same hand-crafted publish is accepted and shows up (the control for the refusals)', async ({
  page,
}) => {
  const { warehouse, product } = await seed();
  await signIn(page, appUrl, 'manager');
  await chooseWarehouse(page, warehouse);
  await expect(stockForm(page)).toBeVisible();
  await expect(cell(page, product, 'A1')).toHaveText('4');
  const before = await lastSeq(nc);
  const report = await handCraftedSale(page, 'manager', warehouse, product);
  expect(report).toEqual({ errors: [], pong: true });
  await expect(cell(page, product, 'A1')).toHaveText('3');
  expect(await lastSeq(nc)).toBe(before + 1);
});
