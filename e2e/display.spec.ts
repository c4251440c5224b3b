/**
 * The wall display, unattended: it signs itself in from its URL, shows the figures of one warehouse in large
 * type, says "offline since …" while the server is away, and comes back by itself with exact figures — five
 * server restarts in a row, with its memory measured before and after.
 */
import { rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { startNatsServer, type NatsServerHandle } from '../scripts/lib/nats-server.mjs';
import { provision } from '../src/nats/provision';
import { uniqueToken } from '../test/support/unique';
import { PASSWORDS } from '../test/support/users';
import { e2eEnv } from './support/env';
import { expectedStock, productTotal, shown, soldWithin, type TimedEvent } from './support/expected';
import { saveScreenshot } from './support/screenshots';
import { connectAdmin, publishAll, type NatsConnection } from './support/stream';
import { heapAfterGc } from '../scripts/bench/heap';

const { appUrl } = e2eEnv();
// `npm run soak` runs this same spec for longer: SOAK_RESTARTS restarts, SOAK_PAUSE_MS of live traffic between.
const RESTARTS = Number(process.env.SOAK_RESTARTS ?? 5);
const PAUSE_MS = Number(process.env.SOAK_PAUSE_MS ?? 0);
/** Growth of the page's and the engine worker's JS heaps allowed over the restarts, after garbage collection. */
const HEAP_GROWTH_BOUND_MB = 5;

let server: NatsServerHandle | undefined;
test.afterEach(async () => {
  if (!server) return;
  await server.stop();
  rmSync(server.storeDir, { recursive: true, force: true });
  server = undefined;
});

test(`the display survives ${RESTARTS} server restarts with exact figures and flat memory`, async ({
  page,
}) => {
  test.setTimeout(60_000 + RESTARTS * (PAUSE_MS + 30_000));
  server = await startNatsServer({ allowedOrigins: [appUrl] });
  let nc: NatsConnection = await connectAdmin(server.clientUrl);
  await provision(nc);
  const warehouse = uniqueToken('Wall');
  const product = uniqueToken('Kiwis');
  const events: TimedEvent[] = [
    {
      warehouse,
      timestampMs: Date.now() - 3 * 3600_000,
      event: { type: 'stock.replenished', product_name: product, location: 'A1', quantity: 500 },
    },
    {
      warehouse,
      timestampMs: Date.now() - 60_000,
      event: { type: 'stock.sold', product_name: product, location: 'A1', quantity: 7 },
    },
  ];
  await publishAll(nc, events);

  const query = new URLSearchParams({
    server: server.wsUrl,
    user: 'display',
    password: PASSWORDS.display,
    warehouse,
    panels: 'sales,stock',
  });
  await page.goto(`${appUrl}/display?${query}`);
  const status = page.getByTestId('display-status');
  const tile = page.locator(`.display-tile[data-row="${product}"] strong`);
  const salesRow = page.locator(`.display-table tr[data-row="${product}"] td`);
  const expectFigures = async () => {
    const now = Date.now();
    await expect(tile).toHaveText(shown(productTotal(expectedStock(events), warehouse, product)));
    await expect(salesRow.nth(1)).toHaveText(shown(soldWithin(events, product, now, 3600_000)));
    await expect(salesRow.nth(2)).toHaveText(shown(soldWithin(events, product, now, 24 * 3600_000)));
  };
  await expect(status).toHaveAttribute('data-state', 'live');
  await expect(page.locator('input, select, button, nav')).toHaveCount(0);
  await expectFigures();
  await saveScreenshot(page, 'display');
  const heapBefore = await heapAfterGc(page);

  for (let round = 1; round <= RESTARTS; round += 1) {
    // Live traffic between restarts: a sale every couple of seconds, each one checked on the wall.
    for (const pauseEnd = Date.now() + PAUSE_MS; Date.now() < pauseEnd;) {
      const sale: TimedEvent = {
        warehouse,
        timestampMs: Date.now(),
        event: { type: 'stock.sold', product_name: product, location: 'A1', quantity: 1 },
      };
      events.push(sale);
      await publishAll(nc, [sale]);
      await expectFigures();
      await page.waitForTimeout(2_000);
    }
    await nc.close();
    await server.stop();
    await expect(status).toHaveAttribute('data-state', 'offline');
    await expect(status).toContainText('Offline since');
    if (round === 1) await saveScreenshot(page, 'display-offline');
    await server.restart();
    nc = await connectAdmin(server.clientUrl);
    const sale: TimedEvent = {
      warehouse,
      timestampMs: Date.now(),
      event: { type: 'stock.sold', product_name: product, location: 'A1', quantity: round },
    };
    events.push(sale);
    await publishAll(nc, [sale]);
    await expect(status).toHaveAttribute('data-state', 'live', { timeout: 20_000 });
    await expectFigures();
  }

  const heapAfter = await heapAfterGc(page);
  console.log(
    `[e2e] display: ${RESTARTS} restarts; JS heap page ${heapBefore.page.toFixed(1)} → ${heapAfter.page.toFixed(1)} MB, ` +
      `engine worker ${heapBefore.worker.toFixed(1)} → ${heapAfter.worker.toFixed(1)} MB (bound +${HEAP_GROWTH_BOUND_MB} MB)`,
  );
  expect(heapAfter.worker).toBeGreaterThan(0);
  expect(heapAfter.page + heapAfter.worker - heapBefore.page - heapBefore.worker).toBeLessThan(
    HEAP_GROWTH_BOUND_MB,
  );
  await nc.close();
});
