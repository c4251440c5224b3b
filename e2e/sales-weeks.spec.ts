/**
 * This calendar week against the same span of last week on the marketing page (docs/architecture.md#sales-windows),
 * net of returns, with sales up to two weeks old, against the independent count of e2e/support/expected.ts.
 */
import { expect, test } from '@playwright/test';
import { WEEK_MS } from '../src/core/sales';
import { uniqueToken } from '../test/support/unique';
import { openPage, salesCell, signIn } from './support/app';
import { e2eEnv } from './support/env';
import type { TimedEvent } from './support/expected';
import { expectSales } from './support/figures';
import { saveScreenshot } from './support/screenshots';
import { connectAdmin, publishAll } from './support/stream';

const { appUrl, clientUrl, wsUrl } = e2eEnv();

test('this week so far against the same span of last week, net of returns, from sales up to two weeks old', async ({
  page,
}) => {
  const now = Date.now();
  const today = new Date(now);
  // The e2e browser counts weeks in en-US and UTC: from Sunday midnight.
  const thisFrom = Date.UTC(
    today.getUTCFullYear(),
    today.getUTCMonth(),
    today.getUTCDate() - today.getUTCDay(),
  );
  test.skip(
    now - thisFrom < 2 * 3_600_000,
    'too close to the start of the week for sales on both sides of it',
  );
  const lastFrom = thisFrom - WEEK_MS;
  const warehouse = uniqueToken('Week');
  const product = uniqueToken('Plums');
  const sale = (quantity: number, atMs: number): TimedEvent => ({
    warehouse,
    event: { type: 'stock.sold', product_name: product, location: 'A1', quantity },
    timestampMs: atMs,
  });
  const events: TimedEvent[] = [
    sale(40, lastFrom - 30 * 60_000), // the week before last: in no column but "last 7 days" if at all
    sale(7, lastFrom + 30 * 60_000), // last week, inside the span
    sale(11, now - WEEK_MS + 30 * 60_000), // last week, after the span (later in the week than now is)
    sale(5, thisFrom + 30 * 60_000), // this week
    {
      warehouse,
      event: { type: 'stock.returned', product_name: product, location: 'A1', quantity: 2, reason: '' },
      timestampMs: now - 10 * 60_000,
    },
  ];
  const nc = await connectAdmin(clientUrl);
  try {
    await publishAll(nc, events);
  } finally {
    await nc.close();
  }
  await signIn(page, appUrl, 'marketing', wsUrl);
  await openPage(page, 'Marketing');
  await expectSales(page, events, product);
  await expect(salesCell(page, product, 'thisWeek')).toHaveText('3');
  await expect(salesCell(page, product, 'lastWeek')).toHaveText('7 (▼ 57%)');
  await saveScreenshot(page, 'marketing-weeks');
});
