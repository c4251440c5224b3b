/**
 * What people do in the chain-sized app, timed in Chromium: a first visit with an empty browser profile (sign-in
 * to caught up, with the page's figures on screen), a jump to a moment of the year, and the audit trail of one
 * product. Pages are driven by their labels, as a person would.
 */
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { formatTime } from '../../src/common/ui/format';
import { toLocalInput } from '../../src/common/ui/local-time';
import { startHeapSampler } from './heap';
import { addProbe, longestTask, readProbe, waitUntilCaughtUp } from './page-probe';

export interface Login {
  user: string;
  password: string;
}

export type FirstPage =
  { kind: 'warehouse'; warehouse: string } | { kind: 'marketing' } | { kind: 'procurement' };

export interface FirstVisit {
  page: Page;
  context: BrowserContext;
  ms: number;
  maxLongTaskMs: number;
  longTasks: number;
  /** Page and workers together at their largest between the click and the figures; NaN when not sampled. */
  heapPeakMb: number;
}

/** A fresh context (nothing saved), signed in through the form, timed until the page's figures are shown. */
export async function firstVisit(
  browser: Browser,
  appUrl: string,
  wsUrl: string,
  login: Login,
  first: FirstPage,
  target: number,
  timeoutMs: number,
  options: { sampleHeap: boolean } = { sampleHeap: true },
): Promise<FirstVisit> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const page = await context.newPage();
  await addProbe(page, target);
  const sampler = options.sampleHeap ? await startHeapSampler(page) : null;
  await page.goto(appUrl);
  await page.getByLabel('Server URL').fill(wsUrl);
  await page.getByLabel('User', { exact: true }).fill(login.user);
  await page.getByLabel('Password', { exact: true }).fill(login.password);
  const clickedMs = Date.now();
  await page.getByRole('button', { name: 'Sign in' }).click();
  const shownMs =
    first.kind === 'warehouse'
      ? await warehouseShown(page, first.warehouse, timeoutMs)
      : first.kind === 'marketing'
        ? await salesShown(page, timeoutMs)
        : await levelsShown(page, timeoutMs);
  const caughtUpMs = await waitUntilCaughtUp(page, timeoutMs);
  const doneMs = Math.max(shownMs, caughtUpMs);
  const peakMb = sampler ? (await sampler.stop()).peakMb : Number.NaN;
  const tasks = longestTask(await readProbe(page), clickedMs, doneMs);
  return {
    page,
    context,
    ms: doneMs - clickedMs,
    maxLongTaskMs: tasks.maxMs,
    longTasks: tasks.count,
    heapPeakMb: peakMb,
  };
}

async function openPage(page: Page, name: string, timeoutMs: number): Promise<void> {
  const button = page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name, exact: true });
  await button.click({ timeout: timeoutMs });
  await expect(button).toHaveAttribute('aria-current', 'page', { timeout: timeoutMs });
}

/** The warehouse's grid with its grand total, once the warehouse can be chosen. */
async function warehouseShown(page: Page, warehouse: string, timeoutMs: number): Promise<number> {
  await openPage(page, 'Warehouse', timeoutMs);
  const select = page
    .getByRole('region', { name: 'Warehouse stock' })
    .getByRole('combobox', { name: 'Warehouse' });
  await expect(select.locator(`option[value="${warehouse}"]`)).toHaveCount(1, { timeout: timeoutMs });
  await select.selectOption(warehouse);
  await expect(page.getByTestId('grand-total')).toHaveText(/\d/, { timeout: timeoutMs });
  return Date.now();
}

/** The marketing page's table with at least one product sold. */
async function salesShown(page: Page, timeoutMs: number): Promise<number> {
  await openPage(page, 'Marketing', timeoutMs);
  await expect(
    page.getByRole('table', { name: 'Sold per product' }).locator('tr[data-row]').first(),
  ).toBeVisible({ timeout: timeoutMs });
  return Date.now();
}

/** The procurement page's stock levels (from the projector's bucket) with their first row. */
async function levelsShown(page: Page, timeoutMs: number): Promise<number> {
  await openPage(page, 'Procurement', timeoutMs);
  await expect(
    page
      .getByRole('region', { name: 'Stock levels' })
      .getByRole('button', { name: /^Why is / })
      .first(),
  ).toBeVisible({ timeout: timeoutMs });
  return Date.now();
}

/** "As of" a moment: from the click until the views of that moment are on screen. */
export async function timeTravel(page: Page, atMs: number, timeoutMs: number): Promise<number> {
  // The picker has minute precision.
  const moment = Math.floor(atMs / 60_000) * 60_000;
  await page.getByLabel('As of', { exact: true }).fill(toLocalInput(moment));
  const started = Date.now();
  await page.getByRole('button', { name: 'Show that moment' }).click();
  try {
    await expect(page.getByTestId('as-of')).toContainText(formatTime(moment), { timeout: timeoutMs });
    return Date.now() - started;
  } finally {
    // Also after a jump that took too long: what is measured next must start from the live views.
    await page
      .getByRole('region', { name: 'Time travel' })
      .getByRole('button', { name: /^(Back to live|Cancel)$/ })
      .click();
    await expect(page.getByTestId('as-of')).toHaveCount(0, { timeout: timeoutMs });
  }
}

/**
 * One product's audit trail over the whole history: from the click on its total until the trail has been read
 * to the end and checked against the number on the page.
 */
export async function auditTrail(page: Page, product: string, timeoutMs: number): Promise<number> {
  const grid = page.getByRole('region', { name: 'Warehouse stock' });
  await grid.getByLabel('Search products').fill(product);
  const total = page.getByTestId(`total-${product}`);
  await expect(total).toBeVisible({ timeout: timeoutMs });
  const started = Date.now();
  await total.getByRole('button').click();
  await expect(page.getByTestId('audit-verdict')).toContainText('✓', { timeout: timeoutMs });
  const ms = Date.now() - started;
  await page.getByRole('button', { name: 'Close the audit trail' }).click();
  return ms;
}
