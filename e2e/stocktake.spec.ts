/**
 * A stocktake import against the shared test server (docs/architecture.md#stocktake-import): 200 counted rows
 * previewed against the figures, the 150 that differ recorded as counts with their ids derived from the file,
 * one refused because its product changed after the preview; the same file again records only what still
 * differs. What is stored is read back from the stream and checked against a count this spec makes itself.
 */
import { expect, test } from '@playwright/test';
import { STREAMS } from '../src/core/resources';
import { readWholeStream } from '../test/support/read-stream';
import { uniqueToken } from '../test/support/unique';
import { cell, chooseWarehouse, openPage, signIn } from './support/app';
import { e2eEnv } from './support/env';
import { expectedStock, shown, type TimedEvent } from './support/expected';
import { saveScreenshot } from './support/screenshots';
import { connectAdmin, publishAll, type NatsConnection } from './support/stream';

const { appUrl, clientUrl, wsUrl } = e2eEnv();
let nc: NatsConnection;

test.beforeAll(async () => {
  nc = await connectAdmin(clientUrl);
});
test.afterAll(async () => {
  await nc?.close();
});

test('a 200-row stocktake: preview, 149 counts recorded, one refused by a racing change, the same file again records only what still differs', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const warehouse = uniqueToken('Count');
  const prefix = uniqueToken('P');
  const products = Array.from({ length: 100 }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
  const seeded: TimedEvent[] = products.flatMap((product, i) =>
    (['A1', 'B1'] as const).map((location, j): TimedEvent => ({
      warehouse,
      event: { type: 'stock.corrected', product_name: product, location, quantity: 10 + i + j },
      timestampMs: Date.now(),
    })),
  );
  await publishAll(nc, seeded);
  const held = (i: number, j: number) => 10 + i + j;
  // Even products: A1 as recorded, B1 one short. Odd products: both one over. 50 unchanged, 150 differ.
  const counted = (i: number, j: number) =>
    i % 2 === 0 ? (j === 0 ? held(i, j) : held(i, j) - 1) : held(i, j) + 1;
  const file = [
    'product,location,counted',
    ...products.flatMap((product, i) =>
      [0, 1].map((j) => `${product},${j === 0 ? 'A1' : 'B1'},${counted(i, j)}`),
    ),
  ].join('\r\n');
  const upload = async () => {
    await page
      .getByLabel('Counted file')
      .setInputFiles({ name: 'count.csv', mimeType: 'text/csv', buffer: Buffer.from(file) });
  };

  await page.setViewportSize({ width: 1400, height: 1600 });
  await signIn(page, appUrl, 'manager', wsUrl);
  await openPage(page, 'Warehouse');
  await chooseWarehouse(page, warehouse);
  const importer = page.getByRole('group', { name: 'Stocktake import' });
  await importer.getByText('Stocktake import (CSV)').click();
  await upload();
  await expect(importer.getByTestId('stocktake-summary')).toHaveText(
    'count.csv: 200 rows · 50 unchanged · 150 differ · 0 unknown products',
  );
  const row = (i: number, j: number) => importer.locator(`tr[data-line="${2 + i * 2 + j}"]`);
  await expect(row(0, 0)).toHaveAttribute('data-status', 'unchanged');
  await expect(row(0, 1)).toContainText('differs by −1');
  await expect(row(1, 0)).toContainText('differs by +1');

  // Someone sells product 0 after the preview: its one differing row must not overwrite that.
  const storedBefore = (await readWholeStream(nc, STREAMS.warehouse)).length;
  const racing: TimedEvent = {
    warehouse,
    event: { type: 'stock.sold', product_name: products[0]!, location: 'A1', quantity: 2 },
    timestampMs: Date.now(),
  };
  await publishAll(nc, [racing]);

  await importer.getByRole('button', { name: 'Record 150 counts' }).click();
  await expect(importer.getByTestId('stocktake-progress')).toHaveText(
    '150 of 150 · 149 recorded · 0 already imported · 1 changed since the preview · 0 failed',
    { timeout: 120_000 },
  );
  await expect(row(0, 1).getByTestId('stocktake-result')).toHaveText(
    'refused: the product changed since the preview; count it again',
  );
  await expect(row(1, 1).getByTestId('stocktake-result')).toHaveText(/^recorded as #\d+$/);
  await saveScreenshot(page, 'stocktake-import');

  // Stored: the racing sale and exactly the 149 counts, each once, as the file said.
  const corrections: TimedEvent[] = [];
  products.forEach((product, i) =>
    [0, 1].forEach((j) => {
      if (counted(i, j) === held(i, j) || (i === 0 && j === 1)) return;
      const location = j === 0 ? 'A1' : 'B1';
      corrections.push({
        warehouse,
        event: { type: 'stock.corrected', product_name: product, location, quantity: counted(i, j) },
        timestampMs: Date.now(),
      });
    }),
  );
  const stored = (await readWholeStream(nc, STREAMS.warehouse)).slice(storedBefore);
  const decoder = new TextDecoder();
  expect(stored).toHaveLength(1 + corrections.length);
  const storedCounts = stored
    .filter((m) => m.header('myorg_type') === 'stock.corrected')
    .map((m) => JSON.parse(decoder.decode(m.data)) as unknown);
  expect(storedCounts).toEqual(
    corrections.map((c) => {
      const { type: _type, ...args } = c.event;
      return args;
    }),
  );
  expect(new Set(stored.map((m) => m.header('myorg_msg_id'))).size).toBe(stored.length);

  const expected = expectedStock([...seeded, racing, ...corrections]);
  const at = (i: number, location: string) => expected.get(warehouse)!.get(products[i]!)!.get(location)!;
  for (const [i, location] of [
    [0, 'A1'],
    [0, 'B1'],
    [1, 'A1'],
    [1, 'B1'],
  ] as const) {
    await expect(cell(page, products[i]!, location)).toHaveText(shown(at(i, location)));
  }

  // The same file again: what was recorded now reads unchanged; only product 0 still differs (its refused
  // row, and the shelf the racing sale emptied), and only those two are recorded.
  const storedBeforeAgain = (await readWholeStream(nc, STREAMS.warehouse)).length;
  await upload();
  await expect(importer.getByTestId('stocktake-summary')).toHaveText(
    'count.csv: 200 rows · 198 unchanged · 2 differ · 0 unknown products',
  );
  await importer.getByRole('button', { name: 'Record 2 counts' }).click();
  await expect(importer.getByTestId('stocktake-progress')).toHaveText(
    '2 of 2 · 2 recorded · 0 already imported · 0 changed since the preview · 0 failed',
  );
  expect((await readWholeStream(nc, STREAMS.warehouse)).length).toBe(storedBeforeAgain + 2);
  await expect(cell(page, products[0]!, 'A1')).toHaveText(shown(held(0, 0)));
  await expect(cell(page, products[0]!, 'B1')).toHaveText(shown(held(0, 1) - 1));
});
