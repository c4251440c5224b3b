/**
 * The wall display, unattended: it signs itself in with the credential handed over once in its address's
 * fragment and kept on the device, shows the figures of one warehouse in large type, says "offline since …"
 * while the server is away, and comes back by itself with exact figures — five server restarts in a row, with
 * its memory measured before and after. Its page sends no Referer and runs under a Content-Security-Policy.
 */
import { rmSync } from 'node:fs';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { startNatsServer, type NatsServerHandle } from '../scripts/lib/nats-server.mjs';
import { readPeople } from '../scripts/lib/people.mjs';
import { provision } from '../src/nats/provision';
import { uniqueToken } from '../test/support/unique';
import { LOGINS, SECOND_SCREEN } from '../test/support/users';
import { e2eEnv } from './support/env';
import { expectedStock, productTotal, shown, soldWithin, type TimedEvent } from './support/expected';
import { saveScreenshot } from './support/screenshots';
import { connectAdmin, publishAll, type NatsConnection } from './support/stream';
import { heapAfterGc } from '../scripts/bench/heap';

const { appUrl, clientUrl, wsUrl } = e2eEnv();
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
  const { warehouse, product, events } = await seedDelivery(nc, {
    delivered: 500,
    deliveredAgoMs: 3 * 3600_000,
    sold: 7,
    soldAgoMs: 60_000,
  });

  const query = new URLSearchParams({ server: server.wsUrl, warehouse, panels: 'sales,stock' });
  await page.goto(`${appUrl}/display?${query}#${fragment(LOGINS.display)}`);
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

/** What the administrator appends to a screen's address: `user=…&password=…`, after the `#`. */
function fragment(login: { user: string; password: string }): string {
  return new URLSearchParams(login).toString();
}

const SCREEN_KEY = 'stockwire.screen';

function stored(page: Page): Promise<string | null> {
  return page.evaluate((key) => localStorage.getItem(key), SCREEN_KEY);
}

/** Policy violations the page reports, collected from before its first script runs. */
async function recordViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __violations: string[] }).__violations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return () => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
}

/** Every request of the context (pages and workers) with its Referer, if it had one. */
function recordReferers(context: BrowserContext): { url: string; referer: string | undefined }[] {
  const seen: { url: string; referer: string | undefined }[] = [];
  context.on('request', (request) => {
    void request
      .allHeaders()
      .then((headers) => seen.push({ url: request.url(), referer: headers['referer'] }));
  });
  return seen;
}

/** A product of a new warehouse, delivered to A1 and partly sold there, as the figures a screen must show. */
async function seedDelivery(
  nc: NatsConnection,
  at: { delivered: number; deliveredAgoMs: number; sold: number; soldAgoMs: number },
): Promise<{ warehouse: string; product: string; events: TimedEvent[] }> {
  const warehouse = uniqueToken('Wall');
  const product = uniqueToken('Kiwis');
  const events: TimedEvent[] = [
    {
      warehouse,
      timestampMs: Date.now() - at.deliveredAgoMs,
      event: { type: 'stock.replenished', product_name: product, location: 'A1', quantity: at.delivered },
    },
    {
      warehouse,
      timestampMs: Date.now() - at.soldAgoMs,
      event: { type: 'stock.sold', product_name: product, location: 'A1', quantity: at.sold },
    },
  ];
  await publishAll(nc, events);
  return { warehouse, product, events };
}

function recordSockets(page: Page): string[] {
  const urls: string[] = [];
  page.on('websocket', (ws) => urls.push(ws.url()));
  return urls;
}

test.describe("a screen's credential", () => {
  let nc: NatsConnection;
  test.beforeAll(async () => {
    nc = await connectAdmin(clientUrl);
  });
  test.afterAll(async () => {
    await nc?.close();
  });

  const seed = () =>
    seedDelivery(nc, { delivered: 80, deliveredAgoMs: 2 * 3600_000, sold: 3, soldAgoMs: 120_000 });

  test('is taken from the fragment once: out of the address, kept on the device, live again after a reload', async ({
    page,
  }) => {
    const { warehouse, product, events } = await seed();
    const violations = await recordViolations(page);
    const clean = `${appUrl}/display?warehouse=${warehouse}&panels=sales,stock`;
    await page.goto(`${clean}#${fragment(LOGINS.display)}`);

    const status = page.getByTestId('display-status');
    const tile = page.locator(`.display-tile[data-row="${product}"] strong`);
    await expect(status).toHaveAttribute('data-state', 'live');
    await expect(tile).toHaveText(shown(productTotal(expectedStock(events), warehouse, product)));
    // The address bar, history and a bookmark now hold the settings only, exactly as they were written.
    expect(page.url()).toBe(clean);
    expect(await page.evaluate(() => location.hash)).toBe('');
    expect(JSON.parse((await stored(page)) ?? 'null')).toEqual(LOGINS.display);

    await page.reload();
    await expect(status).toHaveAttribute('data-state', 'live');
    await expect(tile).toHaveText(shown(productTotal(expectedStock(events), warehouse, product)));
    const salesRow = page.locator(`.display-table tr[data-row="${product}"] td`);
    await expect(salesRow.nth(1)).toHaveText(shown(soldWithin(events, product, Date.now(), 3600_000)));
    expect(page.url()).toBe(clean);
    expect(await violations()).toEqual([]);

    // A new address replaces what the device keeps, also when opened on a screen already showing the page:
    // only the fragment changes then, and the page loads itself again.
    await Promise.all([page.waitForEvent('load'), page.goto(`${clean}#${fragment(SECOND_SCREEN)}`)]);
    await expect(status).toHaveAttribute('data-state', 'live');
    expect(JSON.parse((await stored(page)) ?? 'null')).toEqual(SECOND_SCREEN);
    expect(page.url()).toBe(clean);
  });

  test('in the query string is ignored and removed from the address', async ({ page }) => {
    const sockets = recordSockets(page);
    const query = `warehouse=46&user=${LOGINS.display.user}&panels=sales&password=${LOGINS.display.password}`;
    await page.goto(`${appUrl}/display?${query}`);

    await expect(page.getByTestId('display-notices')).toContainText('Credentials belong after "#"');
    await expect(page.getByTestId('display-message')).toContainText('This screen has no credential.');
    expect(page.url()).toBe(`${appUrl}/display?warehouse=46&panels=sales`);
    expect(page.url()).not.toContain(LOGINS.display.password);
    expect(await stored(page)).toBeNull();
    // Nothing was tried with it.
    expect(sockets).toEqual([]);
    await saveScreenshot(page, 'display-query-password');
  });

  test('missing: the screen says how to get one, at wall size and phone size', async ({ page }) => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto(`${appUrl}/display?warehouse=46&panels=sales,low-stock,stock&rotate=30`);
    const message = page.getByTestId('display-message');
    await expect(message).toHaveText(
      'This screen has no credential. Open the address the administrator gave you (it ends in ' +
        '#user=…&password=…) once on this device.',
    );
    await expect(page.getByTestId('display-status')).toHaveAttribute('data-state', 'offline');
    await expect(page.locator('input, select, button, form')).toHaveCount(0);
    await saveScreenshot(page, 'display-no-credential-1920x1080');
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(message).toBeVisible();
    // Nothing runs off the side of a narrow screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await saveScreenshot(page, 'display-no-credential-390x844');
  });

  test('rides on pages that send no Referer and run under a Content-Security-Policy', async ({
    page,
    context,
  }) => {
    const { warehouse, product } = await seed();
    const requests = recordReferers(context);
    const violations = await recordViolations(page);
    const sockets = recordSockets(page);
    await page.goto(`${appUrl}/display?warehouse=${warehouse}&panels=stock#${fragment(LOGINS.display)}`);
    await expect(page.locator(`.display-tile[data-row="${product}"] strong`)).toHaveText('77');

    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(policy).toContain("script-src 'self';");
    // The server of config.json, and the loopback ports the other specs' private servers use.
    expect(policy).toContain(`connect-src 'self' ${wsUrl} ws://127.0.0.1:*`);
    await expect(page.locator('meta[name="referrer"]')).toHaveAttribute('content', 'no-referrer');
    expect(await violations()).toEqual([]);

    // Not vacuous: the page, its script, its stylesheet, config.json and the engine worker were all requested.
    await expect
      .poll(() => requests.map((r) => new URL(r.url).pathname))
      .toEqual(
        expect.arrayContaining([
          '/display',
          '/config.json',
          expect.stringMatching(/^\/assets\/index-.*\.js$/),
          expect.stringMatching(/^\/assets\/index-.*\.css$/),
          expect.stringMatching(/^\/assets\/worker-.*\.js$/),
        ]),
      );
    expect(requests.filter((r) => r.referer !== undefined)).toEqual([]);

    // The policy binds the engine worker too: a server it does not name is never contacted.
    await page.goto(`${appUrl}/display?server=ws://192.0.2.1:9222`);
    await expect(page.getByTestId('display-status')).toContainText('retrying');
    expect(sockets.filter((url) => url.includes('192.0.2.1'))).toEqual([]);
    expect(sockets.length).toBeGreaterThan(0);
  });
});

test('a screen revoked while it shows figures says so, and asks again only every few minutes', async ({
  page,
}) => {
  const { people } = readPeople();
  server = await startNatsServer({ allowedOrigins: [appUrl], people });
  const nc = await connectAdmin(server.clientUrl);
  await provision(nc);
  await nc.close();
  await page.clock.install();
  const sockets = recordSockets(page);
  await page.goto(`${appUrl}/display?server=${server.wsUrl}#${fragment(LOGINS.display)}`);
  const status = page.getByTestId('display-status');
  await expect(status).toHaveAttribute('data-state', 'live');

  await server.setPeople(people.filter((p) => p.user !== LOGINS.display.user));
  const message = page.getByTestId('display-message');
  await expect(message).toContainText(
    "This screen's credential was refused by the server: it may have been revoked. Ask for a new address.",
  );
  await expect(status).toContainText('Credential refused');
  await saveScreenshot(page, 'display-revoked');
  // The kept credential is refused on a reload as well.
  await page.reload();
  await expect(message).toContainText('refused by the server');
  const attempts = () => sockets.filter((url) => url.startsWith(server!.wsUrl)).length;
  const refusedAfter = attempts();
  // Two minutes on the page's clock: a screen retrying every 10 s would have asked again by now.
  await page.clock.fastForward('02:00');
  await page.waitForTimeout(1_500);
  expect(attempts()).toBe(refusedAfter);
  await page.clock.fastForward('04:00');
  await expect.poll(attempts).toBe(refusedAfter + 1);
  await expect(message).toContainText('refused by the server');
});
