/**
 * Pictures of every page at a chain's size, into docs/screenshots/chain/: the store `npm run bench -- --chain`
 * filled (.tmp/bench-chain/, with the shared checkpoint and the projector's bucket it left), the built app,
 * headless Chromium at wall, tablet and phone sizes.
 *
 *   npx tsx scripts/chain-screenshots.ts
 */
import { expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LOGINS, SCOPED_MANAGER } from '../test/support/users';
import { freePort, REPO_ROOT } from './lib/nats-server.mjs';
import { buildForRun } from './bench/app-build';
import { launchChromium } from './bench/browser';
import { openChainStore } from './bench/chain-store';
import { Cleanup } from './bench/cleanup';
import { startPreview } from './bench/preview';
import { displayUrl } from './bench/app-replay';
import { toLocalInput } from '../src/common/ui/local-time';

const OUT = join(REPO_ROOT, 'docs', 'screenshots', 'chain');
mkdirSync(OUT, { recursive: true });
const cleanup = new Cleanup();
cleanup.onSignals(console.log);
const log = (...a: unknown[]) => console.log(new Date().toISOString().slice(11, 19), ...a);
try {
  const dir = await buildForRun(cleanup);
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const store = await openChainStore(cleanup, [appUrl], new AbortController().signal);
  await startPreview(cleanup, dir, port);
  const browser = await launchChromium(cleanup);
  const ws = store.server.wsUrl;

  async function signIn(login: { user: string; password: string }, size: { width: number; height: number }) {
    const context = await browser.newContext({ viewport: size });
    const page = await context.newPage();
    await page.goto(appUrl);
    await page.getByLabel('Server URL').fill(ws);
    await page.getByLabel('User', { exact: true }).fill(login.user);
    await page.getByLabel('Password', { exact: true }).fill(login.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForFunction(
      () => document.getElementById('root')?.getAttribute('data-caught-up') === 'true',
      undefined,
      { timeout: 180_000 },
    );
    return page;
  }
  const nav = (page: Page, name: string) =>
    page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name, exact: true }).click();
  const shot = async (page: Page, name: string) => {
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `${OUT}/${name}.png` });
    log('shot', name);
  };

  const WALL = { width: 1920, height: 1080 };
  const bob = await signIn(SCOPED_MANAGER, WALL);
  await nav(bob, 'Warehouse');
  await bob
    .getByRole('region', { name: 'Warehouse stock' })
    .getByRole('combobox', { name: 'Warehouse' })
    .selectOption('46');
  await shot(bob, 'warehouse-46-bob');
  const grid = bob.getByRole('region', { name: 'Warehouse stock' });
  await grid.getByLabel('Search products').fill('Apples_Braeburn_0085');
  const total = bob.getByTestId('total-Apples_Braeburn_0085');
  await expect(total).toBeVisible({ timeout: 60_000 });
  await total.getByRole('button').click();
  await expect(bob.getByTestId('audit-verdict')).toContainText('✓', { timeout: 60_000 });
  await shot(bob, 'audit-trail');
  await bob.getByRole('button', { name: 'Close the audit trail' }).click();
  await grid.getByLabel('Search products').fill('');
  const moment = Date.now() - 200 * 86_400_000;
  await bob.getByLabel('As of', { exact: true }).fill(toLocalInput(Math.floor(moment / 60_000) * 60_000));
  const t0 = Date.now();
  await bob.getByRole('button', { name: 'Show that moment' }).click();
  await bob.waitForTimeout(300);
  await bob.screenshot({ path: `${OUT}/time-travel-reading.png` });
  await expect(bob.getByTestId('as-of')).toBeVisible({ timeout: 120_000 });
  log('time travel ms', Date.now() - t0);
  await shot(bob, 'time-travel');
  await bob.getByRole('button', { name: 'Back to live' }).click();
  await nav(bob, 'Event log');
  await shot(bob, 'event-log');
  await bob.context().close();

  const carol = await signIn(LOGINS.marketing, WALL);
  await nav(carol, 'Marketing');
  await shot(carol, 'marketing');
  await carol.context().close();

  const dave = await signIn(LOGINS.procurement, WALL);
  await nav(dave, 'Procurement');
  await dave.waitForTimeout(15000);
  await shot(dave, 'procurement');
  await dave.context().close();

  const alicePhone = await signIn(LOGINS.manager, { width: 390, height: 844 });
  await nav(alicePhone, 'Warehouse');
  await shot(alicePhone, 'warehouse-phone');
  await alicePhone.context().close();

  const tablet = await signIn(LOGINS.procurement, { width: 1024, height: 768 });
  await nav(tablet, 'Procurement');
  await shot(tablet, 'procurement-tablet');
  await tablet.context().close();

  const wall = await browser.newContext({ viewport: WALL });
  const display = await wall.newPage();
  await display.goto(displayUrl(appUrl, ws).replace('/display?', '/display?warehouse=46&'));
  await display.waitForFunction(
    () => document.getElementById('root')?.getAttribute('data-caught-up') === 'true',
    undefined,
    { timeout: 180_000 },
  );
  await shot(display, 'display-46');
  await wall.close();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await cleanup.run();
}
process.exit();
