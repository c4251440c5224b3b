/**
 * Every page and view has an address (docs/architecture.md#addresses): a link opened before signing in lands
 * where it points, Back and Forward walk the views, a reload keeps the tab signed in
 * (docs/security.md#8-a-signed-in-tab) and signing out ends that, and the stock grid works from the keyboard.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { DAY_MS } from '../src/core/sales';
import { uniqueToken } from '../test/support/unique';
import { LOGINS } from '../test/support/users';
import { cell, chooseWarehouse, pageLink, signIn, TAB_SIGN_IN_KEY } from './support/app';
import { e2eEnv } from './support/env';
import { connectAdmin, publishAll, type NatsConnection } from './support/stream';

const { appUrl, clientUrl } = e2eEnv();
let nc: NatsConnection;

test.beforeAll(async () => {
  nc = await connectAdmin(clientUrl);
});
test.afterAll(async () => {
  await nc?.close();
});

function trailDrawer(page: Page): Locator {
  return page.getByRole('dialog').filter({ hasText: 'Why is this number what it is?' });
}

function warehousePicker(page: Page): Locator {
  return page.getByRole('region', { name: 'Warehouse stock' }).getByRole('combobox', { name: 'Warehouse' });
}

function search(page: Page): URLSearchParams {
  return new URL(page.url()).searchParams;
}

async function fillSignIn(page: Page, user: 'manager' | 'marketing'): Promise<void> {
  await page.getByLabel('User', { exact: true }).fill(LOGINS[user].user);
  await page.getByLabel('Password', { exact: true }).fill(LOGINS[user].password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
}

/** A product with 100 units at A1 five days ago, 70 since yesterday. */
async function publishHistory(): Promise<{ warehouse: string; product: string; nowMs: number }> {
  const warehouse = uniqueToken('Addr');
  const product = uniqueToken('Pears');
  const nowMs = Date.now();
  await publishAll(nc, [
    {
      warehouse,
      timestampMs: nowMs - 5 * DAY_MS,
      event: { type: 'stock.replenished', product_name: product, location: 'A1', quantity: 100 },
    },
    {
      warehouse,
      timestampMs: nowMs - DAY_MS,
      event: { type: 'stock.sold', product_name: product, location: 'A1', quantity: 30 },
    },
  ]);
  return { warehouse, product, nowMs };
}

test('a link to a page, warehouse, audit trail and moment, opened before signing in, lands there; Back and Forward walk the views; a reload stays signed in; signing out ends it', async ({
  page,
}) => {
  const { warehouse, product, nowMs } = await publishHistory();
  const asOf = new Date(Math.floor((nowMs - 2 * DAY_MS) / 60_000) * 60_000).toISOString();
  const link = `${appUrl}/warehouse?warehouse=${warehouse}&product=${product}&location=A1&asOf=${asOf}`;

  // A fresh tab: the sign-in form, and the address left as it is.
  await page.goto(link);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await fillSignIn(page, 'manager');

  expect(new URL(page.url()).pathname).toBe('/warehouse');
  await expect(pageLink(page, 'Warehouse')).toHaveAttribute('aria-current', 'page');
  await expect(warehousePicker(page)).toHaveValue(warehouse);
  await expect(page.getByTestId('as-of')).toContainText('Viewing the past');
  await expect(cell(page, product, 'A1')).toHaveText('100');
  await expect(trailDrawer(page)).toBeVisible();
  await expect(trailDrawer(page)).toContainText(product);
  expect(search(page).get('asOf')).toBe(new Date(asOf).toISOString());

  // Each step is an address of its own.
  await page.getByRole('button', { name: 'Back to live' }).click();
  await expect(page.getByTestId('as-of')).toHaveCount(0);
  await expect(cell(page, product, 'A1')).toHaveText('70');
  await expect.poll(() => search(page).has('asOf')).toBe(false);
  await page.getByRole('button', { name: 'Close the audit trail' }).click();
  await expect(trailDrawer(page)).toHaveCount(0);
  await expect.poll(() => search(page).has('product')).toBe(false);
  await pageLink(page, 'Event log').click();
  await expect(page.getByRole('region', { name: 'Event log' })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe('/events');

  await page.goBack();
  await expect(page.getByRole('region', { name: 'Warehouse stock' })).toBeVisible();
  await expect(trailDrawer(page)).toHaveCount(0);
  await page.goBack();
  await expect(trailDrawer(page)).toBeVisible();
  await expect(cell(page, product, 'A1')).toHaveText('70');
  await page.goBack();
  await expect(page.getByTestId('as-of')).toContainText('Viewing the past');
  await expect(cell(page, product, 'A1')).toHaveText('100');
  await page.goForward();
  await expect(page.getByTestId('as-of')).toHaveCount(0);
  await expect(cell(page, product, 'A1')).toHaveText('70');
  await expect(trailDrawer(page)).toBeVisible();

  // A reload signs the tab in again and shows the same view; the password is in no address.
  const before = page.url();
  await page.reload();
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  await expect(page.getByRole('button', { name: 'Sign in' })).toHaveCount(0);
  expect(page.url()).toBe(before);
  expect(page.url()).not.toContain(LOGINS.manager.password);
  await expect(warehousePicker(page)).toHaveValue(warehouse);
  await expect(cell(page, product, 'A1')).toHaveText('70');
  await expect(trailDrawer(page)).toBeVisible();
  expect(await page.evaluate(() => Object.keys(localStorage).join(','))).not.toContain('tab-sign-in');

  // Signing out forgets it: the next reload asks for the password.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  expect(await page.evaluate((key) => sessionStorage.getItem(key), TAB_SIGN_IN_KEY)).toBeNull();
  await page.reload();
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByTestId('connection-state')).toHaveCount(0);
});

test('a kept sign-in the server refuses shows the sign-in page with the reason', async ({ page }) => {
  await signIn(page, appUrl, 'manager');
  await page.evaluate((key) => {
    const kept = JSON.parse(sessionStorage.getItem(key)!) as { password: string };
    sessionStorage.setItem(key, JSON.stringify({ ...kept, password: 'no-longer-valid' }));
  }, TAB_SIGN_IN_KEY);
  await page.reload();
  await expect(page.getByRole('form', { name: 'Sign in' }).getByRole('alert')).toContainText(
    "no longer accepts this tab's sign-in",
  );
  await expect(page.getByLabel('User', { exact: true })).toHaveValue(LOGINS.manager.user);
  expect(await page.evaluate((key) => sessionStorage.getItem(key), TAB_SIGN_IN_KEY)).toBeNull();
});

test('bad values in an address are dropped, and a page the role does not offer leads to its first page', async ({
  page,
}) => {
  await page.goto(`${appUrl}/procurement?warehouse=a.b&product=x&asOf=tomorrow&junk=1`);
  await fillSignIn(page, 'marketing');
  // Marketing is offered no procurement page: its first page is marketing.
  await expect(pageLink(page, 'Marketing')).toHaveAttribute('aria-current', 'page');
  await expect.poll(() => new URL(page.url()).pathname).toBe('/marketing');

  await page.goto(
    `${appUrl}/warehouse?warehouse=not%20a%20name&product=*&location=A1&asOf=2999-01-01T00:00:00Z`,
  );
  await expect(page.getByRole('region', { name: 'Warehouse stock' })).toBeVisible();
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  await expect(trailDrawer(page)).toHaveCount(0);
  await expect.poll(() => new URL(page.url()).search).toBe('');

  await page.goto(`${appUrl}/events?types=stock.sold,bogus&event=-1&from=yesterday&product=Figs`);
  const log = page.getByRole('region', { name: 'Event log' });
  await expect(log.getByLabel('Product', { exact: true })).toHaveValue('Figs');
  await expect(log.getByRole('button', { name: 'sold', exact: true })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expect.poll(() => search(page).toString()).toBe('product=Figs&types=stock.sold');

  await page.goto(`${appUrl}/nowhere`);
  await expect.poll(() => new URL(page.url()).pathname).toBe('/marketing');
});

test('a stock cell is reached and opened with the keyboard alone', async ({ page }) => {
  const { warehouse, product } = await publishHistory();
  await signIn(page, appUrl, 'manager');
  await chooseWarehouse(page, warehouse);
  await expect(cell(page, product, 'A1')).toHaveText('70');

  // From the warehouse picker, Tab reaches the grid once (search, the checkbox, then the grid's one stop).
  await warehousePicker(page).focus();
  const focusedLabel = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
  for (let i = 0; i < 6 && !(await focusedLabel()).startsWith('Why does'); i++)
    await page.keyboard.press('Tab');
  expect(await focusedLabel()).toMatch(/^Why does .* total/);
  await page.keyboard.press('ArrowRight');
  for (let i = 0; i < 5 && !(await focusedLabel()).startsWith(`${product} at A1`); i++)
    await page.keyboard.press('ArrowDown');
  await expect(cell(page, product, 'A1').getByRole('button')).toBeFocused();

  await page.keyboard.press('Enter');
  await expect(trailDrawer(page)).toBeVisible();
  await expect(trailDrawer(page).getByTestId('audit-balance')).toHaveText('70');
  expect(search(page).get('product')).toBe(product);
  expect(search(page).get('location')).toBe('A1');
  // Escape closes it, and the focus style is visible on the cell the keyboard is on.
  await page.keyboard.press('Escape');
  await expect(trailDrawer(page)).toHaveCount(0);
  await cell(page, product, 'A1').getByRole('button').focus();
  await page.keyboard.press('Space');
  await expect(trailDrawer(page)).toBeVisible();
});
