/** Driving the dashboard the way a person does: by labels, roles and the few test ids the pages expose. */
import { expect, type Locator, type Page } from '@playwright/test';
import { LOGINS, type User } from '../../test/support/users';

export type PageName = 'Warehouse' | 'Marketing' | 'Procurement' | 'Data quality' | 'Event log';

/** Where the app keeps a tab's sign-in (src/common/tab-sign-in.ts). */
export const TAB_SIGN_IN_KEY = 'stockwire.tab-sign-in';

/**
 * Forgets the sign-in this tab kept, without running the app: a reload of the app would sign in with it
 * (docs/security.md#8-a-signed-in-tab), and a spec that signs in again in the same page means a new visit. A
 * static file of the app's origin reaches the tab's sessionStorage.
 */
export async function forgetTabSignIn(page: Page, appUrl: string): Promise<void> {
  await page.goto(new URL('/favicon.svg', appUrl).href);
  await page.evaluate((key) => sessionStorage.removeItem(key), TAB_SIGN_IN_KEY);
}

/** Opens the app at `appUrl` (a page's address too), signs in and waits for the connection badge to say so. */
export async function signIn(
  page: Page,
  appUrl: string,
  user: Exclude<User, 'admin' | 'services'>,
  server?: string,
): Promise<void> {
  await forgetTabSignIn(page, appUrl);
  await page.goto(appUrl);
  if (server !== undefined) await page.getByLabel('Server URL').fill(server);
  await page.getByLabel('User', { exact: true }).fill(LOGINS[user].user);
  await page.getByLabel('Password', { exact: true }).fill(LOGINS[user].password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  // The role comes from the server's account, not from the user name.
  await expect(page.getByTestId('role')).toHaveText(`${LOGINS[user].user} · ${user}`);
}

export function nav(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Pages' });
}

/** The header's link to a page. */
export function pageLink(page: Page, name: PageName): Locator {
  return nav(page).getByRole('link', { name, exact: true });
}

export async function openPage(page: Page, name: PageName): Promise<void> {
  const link = pageLink(page, name);
  await link.click();
  await expect(link).toHaveAttribute('aria-current', 'page');
}

/** The warehouse page's warehouse picker (the form's "Warehouse" is a text box, not a combobox). */
export async function chooseWarehouse(page: Page, warehouse: string): Promise<void> {
  const select = page.getByRole('region', { name: 'Warehouse stock' }).getByRole('combobox', {
    name: 'Warehouse',
  });
  // The option exists only once the warehouse's first event has been folded.
  await expect(select.locator(`option[value="${warehouse}"]`)).toHaveCount(1);
  await select.selectOption(warehouse);
}

export function cell(page: Page, product: string, location: string): Locator {
  return page.getByTestId(`cell-${product}-${location}`);
}

export function salesCell(
  page: Page,
  product: string,
  column: 'hour' | 'day' | 'week' | 'thisWeek' | 'lastWeek',
): Locator {
  return page
    .getByRole('table', { name: 'Sold per product' })
    .locator(`tr[data-row="${product}"] td[data-col="${column}"]`);
}

/**
 * Types into the marketing table's search, which filters every product, not only the top N on screen: with
 * more products than the table shows, a test finds its own this way, as a person would.
 */
export async function searchSales(page: Page, text: string): Promise<void> {
  await page.getByRole('region', { name: 'Sold per product' }).getByLabel('Search products').fill(text);
}

/** The same for the procurement page's stock levels, which show 50 keys a page; a key or a product name. */
export async function searchStockLevels(page: Page, text: string): Promise<void> {
  await page.getByRole('region', { name: 'Stock levels' }).getByLabel('Search products').fill(text);
}

export function stockForm(page: Page): Locator {
  return page.getByRole('region', { name: 'Record a stock event' });
}

export async function chooseOperation(
  page: Page,
  label: 'Sell' | 'Replenish' | 'Move' | 'Correct count' | 'Destroy' | 'Return',
): Promise<void> {
  const button = stockForm(page).getByRole('group', { name: 'Operation' }).getByRole('button', {
    name: label,
    exact: true,
  });
  await button.click();
  await expect(button).toHaveAttribute('aria-pressed', 'true');
}

/** Fills the named inputs of the stock form (names as in src/core/commands.ts) and submits it. */
export async function submitStockForm(page: Page, fields: Record<string, string>): Promise<void> {
  const form = stockForm(page).locator('form');
  for (const [name, value] of Object.entries(fields)) await form.locator(`input[name="${name}"]`).fill(value);
  await form.locator('button[type="submit"]').click();
}

/**
 * Records every `data-state` the connection badge takes from now on, in the page itself, so a state
 * that lasts less than one poll of the test is still seen.
 */
export async function recordConnectionStates(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __states: { state: string; atMs: number }[] };
    w.__states = [];
    const note = () => {
      const state = document.querySelector('[data-testid="connection-state"]')?.getAttribute('data-state');
      const last = w.__states[w.__states.length - 1];
      if (state && state !== last?.state) w.__states.push({ state, atMs: Date.now() });
    };
    note();
    new MutationObserver(note).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-state'],
    });
  });
}

export function connectionStates(page: Page): Promise<{ state: string; atMs: number }[]> {
  return page.evaluate(() => (window as unknown as { __states: { state: string; atMs: number }[] }).__states);
}

/**
 * Notes, in the page, the wall-clock time at which the element with `testId` first shows `text` (read
 * it with seenAt). The MutationObserver runs right after the DOM change, so no poll interval of the
 * test hides in the measurement; page and test share the machine's clock.
 */
export async function watchForText(page: Page, key: string, testId: string, text: string): Promise<void> {
  await page.evaluate(
    ({ key, testId, text }) => {
      const w = window as unknown as { __seen: Record<string, number> };
      w.__seen ??= {};
      const check = () => {
        if (w.__seen[key] !== undefined) return;
        const el = document.querySelector(`[data-testid="${testId}"]`);
        if (el?.textContent === text) w.__seen[key] = Date.now();
      };
      check();
      new MutationObserver(check).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    },
    { key, testId, text },
  );
}

export function seenAt(page: Page, key: string): Promise<number | undefined> {
  return page.evaluate(
    (key) => (window as unknown as { __seen?: Record<string, number> }).__seen?.[key],
    key,
  );
}
