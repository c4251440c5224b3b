/**
 * Numbers and times in the browser's language (src/common/ui/format.ts): the same figures a German browser
 * reads with a point between thousands, an American one with a comma.
 */
import { expect, test } from '@playwright/test';
import { uniqueToken } from '../test/support/unique';
import { cell, chooseWarehouse, openPage, signIn } from './support/app';
import { e2eEnv } from './support/env';
import { publishRaw } from '../src/nats/publish';
import { connectAdmin, publishAll } from './support/stream';

const { appUrl, clientUrl, wsUrl } = e2eEnv();

test.use({ locale: 'de-DE', timezoneId: 'Europe/Berlin' });

test('a German browser reads 12.345 units and German dates; a foreign event at a Unicode location counts', async ({
  page,
}) => {
  const warehouse = uniqueToken('Lager');
  const product = uniqueToken('Aepfel');
  const atMs = Date.UTC(2026, 11, 7, 18, 30, 5);
  const nc = await connectAdmin(clientUrl);
  try {
    await publishAll(nc, [
      {
        warehouse,
        event: { type: 'stock.corrected', product_name: product, location: 'Kühlraum ❄', quantity: 12_345 },
        timestampMs: atMs,
      },
    ]);
    // Another publisher's delivery to a place named as people name it: counted, not discarded as malformed.
    const foreign = await publishRaw(
      nc,
      `warehouse.${warehouse}.product.${product}`,
      JSON.stringify({ product_name: product, location: 'Gang 3 / Fach 2', quantity: 1_000 }),
      [
        ['myorg_format', 'application/json'],
        ['myorg_type', 'stock.replenished'],
        ['myorg_msg_id', `foreign-${warehouse}`],
        ['myorg_timestamp_ms', String(atMs)],
      ],
    );
    if (!foreign.ok) throw new Error(foreign.message);
  } finally {
    await nc.close();
  }
  await signIn(page, appUrl, 'manager', wsUrl);
  await openPage(page, 'Warehouse');
  await chooseWarehouse(page, warehouse);
  await expect(cell(page, product, 'Kühlraum ❄')).toHaveText('12.345');
  await expect(cell(page, product, 'Gang 3 / Fach 2')).toHaveText('1.000');
  await expect(page.getByTestId(`total-${product}`)).toHaveText('13.345');
  await cell(page, product, 'Kühlraum ❄').click();
  const line = page.getByRole('table', { name: 'Audit trail' }).locator('tbody tr').first();
  // 18:30:05 UTC is 19:30:05 in Berlin in December.
  await expect(line.locator('time')).toHaveText('07. Dez., 19:30:05');
});
