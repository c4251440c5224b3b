/**
 * Reopening the dashboard starts from the views this browser saved (IndexedDB) and reads only the events stored
 * since; a saved copy of another views version, or of a recreated stream, is ignored, never misread; signing out
 * removes it.
 */
import { expect, test, type Page } from '@playwright/test';
import { LEDGER_SNAPSHOT_VERSION } from '../src/core/ledger-snapshot';
import { uniqueToken } from '../test/support/unique';
import { cell, chooseWarehouse, openPage, signIn } from './support/app';
import { e2eEnv } from './support/env';
import { connectAdmin, lastSeq, publishAll, type NatsConnection } from './support/stream';

const { appUrl, clientUrl } = e2eEnv();
let nc: NatsConnection;

test.beforeAll(async () => {
  nc = await connectAdmin(clientUrl);
});
test.afterAll(async () => {
  await nc?.close();
});

const root = (page: Page) => page.locator('#root');

async function caughtUpWithStream(page: Page): Promise<void> {
  const seq = await lastSeq(nc);
  await expect(root(page)).toHaveAttribute('data-caught-up', 'true');
  await expect
    .poll(async () => Number(await root(page).getAttribute('data-applied-seq')), { timeout: 30_000 })
    .toBeGreaterThanOrEqual(seq);
}

/** The saved folds in this browser, as the engine wrote them. */
function savedFolds(page: Page): Promise<{ key: string; lastSeq: number; version: number }[]> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('stockwire');
        open.onerror = () => reject(open.error ?? new Error('IndexedDB request failed'));
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('ledger-snapshots')) return resolve([]);
          const all = db.transaction('ledger-snapshots').objectStore('ledger-snapshots').getAll();
          all.onsuccess = () =>
            resolve(
              (all.result as { key: string; snapshot: { lastSeq: number; version: number } }[]).map((f) => ({
                key: f.key,
                lastSeq: f.snapshot.lastSeq,
                version: f.snapshot.version,
              })),
            );
          all.onerror = () => reject(all.error ?? new Error('IndexedDB request failed'));
        };
      }),
  );
}

/** Rewrites every saved fold as an older version of the app would have written it. */
function ageSavedFolds(page: Page): Promise<void> {
  return page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('stockwire');
        open.onerror = () => reject(open.error ?? new Error('IndexedDB request failed'));
        open.onsuccess = () => {
          const tx = open.result.transaction('ledger-snapshots', 'readwrite');
          const store = tx.objectStore('ledger-snapshots');
          const cursor = store.openCursor();
          cursor.onsuccess = () => {
            const c = cursor.result;
            if (!c) return;
            const fold = c.value as { snapshot: Record<string, unknown> };
            // An older shape: another version number and a view under another name.
            fold.snapshot = {
              ...fold.snapshot,
              version: 0,
              stock: undefined,
              stockByWarehouse: fold.snapshot.stock,
            };
            c.update(fold);
            c.continue();
          };
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error ?? new Error('IndexedDB request failed'));
        };
      }),
  );
}

test('reopening starts from the saved views, reads only what is new, and ignores a copy of another version', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const warehouse = uniqueToken('Warm');
  const product = uniqueToken('Melons');
  const at = (quantity: number) => ({
    warehouse,
    timestampMs: Date.now(),
    event: { type: 'stock.replenished' as const, product_name: product, location: 'A1', quantity },
  });
  await publishAll(nc, [at(10)]);

  await signIn(page, appUrl, 'manager');
  await caughtUpWithStream(page);
  await expect.poll(() => savedFolds(page)).toHaveLength(1);
  const [saved] = await savedFolds(page);
  expect(saved!.lastSeq).toBeGreaterThanOrEqual(await lastSeq(nc));

  // While the dashboard is closed, the warehouse keeps recording.
  await page.goto('about:blank');
  await publishAll(nc, [at(5)]);
  const newer = (await lastSeq(nc)) - saved!.lastSeq;

  await signIn(page, appUrl, 'manager');
  await expect(page.getByTestId('engine-notice')).toContainText(`Started from the views this browser saved`);
  await expect(page.getByTestId('engine-notice')).toContainText(
    `reading the ${newer.toLocaleString('en-US')} stored since`,
  );
  await caughtUpWithStream(page);
  await openPage(page, 'Warehouse');
  await chooseWarehouse(page, warehouse);
  await expect(cell(page, product, 'A1')).toHaveText('15');

  // A copy written by another version of the views is refused and replaced, and the figures stay exact.
  await ageSavedFolds(page);
  expect((await savedFolds(page)).map((f) => f.version)).toEqual([0]);
  // The aged copy is the chain's: opened on a warehouse chosen earlier in this tab, the page would fold that
  // warehouse alone, from a copy of its own (docs/architecture.md#one-warehouse-or-the-chain).
  await page.evaluate(() => sessionStorage.removeItem('stockwire.warehouse'));
  await page.goto('about:blank');
  await publishAll(nc, [at(1)]);
  await signIn(page, appUrl, 'manager');
  await expect(page.getByTestId('engine-notice')).toContainText('were not used (written for views version 0');
  await caughtUpWithStream(page);
  await openPage(page, 'Warehouse');
  await chooseWarehouse(page, warehouse);
  await expect(cell(page, product, 'A1')).toHaveText('16');
  await expect
    .poll(async () => (await savedFolds(page)).map((f) => f.version))
    .toEqual([LEDGER_SNAPSHOT_VERSION]);

  // Signing out removes the saved views.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect.poll(() => savedFolds(page)).toEqual([]);
});
