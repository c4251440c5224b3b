/**
 * Hostile input against the built app and the shared test server: the bundle carries no credential, and a
 * "malformed zoo" (markup in payloads and headers, broken JSON, non-UTF-8, oversized, wrong types, unknown
 * types, missing headers) is counted and listed with its reason, shown as text and never run as HTML,
 * while the dashboard stays connected and keeps applying the valid events around it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { randomUUID } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { publishRaw } from '../src/nats/publish';
import { LOGINS, SCOPED_MANAGER, SECOND_SCREEN } from '../test/support/users';
import { uniqueToken } from '../test/support/unique';
import { cell, chooseWarehouse, nav, openPage, signIn } from './support/app';
import { e2eEnv } from './support/env';
import { shown } from './support/expected';
import { connectAdmin, lastSeq, publishAll, type NatsConnection } from './support/stream';
import { rawTcpPublish } from '../test/support/raw-tcp-publish';

const { appUrl, clientUrl, wsUrl } = e2eEnv();
const DIST = join(process.cwd(), 'dist');
let nc: NatsConnection;

test.beforeAll(async () => {
  nc = await connectAdmin(clientUrl);
});
test.afterAll(async () => {
  await nc?.close();
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test('the built bundle holds no password, hash, key, seed, token or server configuration', () => {
  const files = filesUnder(DIST);
  // Not vacuous: the build the global setup made is there, scripts and source maps included.
  expect(files.map((f) => relative(DIST, f))).toContain('index.html');
  expect(files.filter((f) => f.endsWith('.js')).length).toBeGreaterThan(0);

  const conf = ['nats-server.conf', 'people.json']
    .map((file) => readFileSync(join(process.cwd(), file), 'utf8'))
    .join('\n');
  const hashes = [...conf.matchAll(/\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}/g)].map((m) => m[0]);
  const demoLogins = [...Object.values(LOGINS), SCOPED_MANAGER, SECOND_SCREEN];
  expect(hashes.length).toBe(demoLogins.length);
  const literals: [string, string][] = [
    ...demoLogins.map((l): [string, string] => ['demo password', l.password]),
    ...hashes.map((h): [string, string] => ['password hash from nats-server.conf', h]),
    // Words only the server configuration uses.
    ...['allowed_connection_types', 'READ_PUBLISH_ALLOW', 'WORKER_CONSUMERS_DENY', 'no_auth_user'].map(
      (w): [string, string] => ['nats-server.conf', w],
    ),
  ];
  const patterns: [string, RegExp][] = [
    ['bcrypt hash', /\$2[abxy]\$\d\d\$[./A-Za-z0-9]{53}/],
    ['PEM block', /-----BEGIN/],
    ['NATS seed', /S[UO][A-Z2-7]{54}/],
    ['JWT', /eyJ[A-Za-z0-9_-]{10,}\./],
  ];
  const found: string[] = [];
  for (const file of files) {
    const text = readFileSync(file).toString('latin1');
    const where = relative(DIST, file);
    for (const [what, literal] of literals)
      if (text.includes(literal)) found.push(`${where}: ${what} "${literal}"`);
    for (const [what, pattern] of patterns) {
      const hit = pattern.exec(text);
      if (hit) found.push(`${where}: ${what} "${hit[0].slice(0, 24)}…"`);
    }
  }
  expect(found).toEqual([]);
});

/** Every sign that markup from the stream was interpreted: a handler ran, a dialog opened, an element exists. */
async function expectNothingRan(page: Page, dialogs: string[]): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
  await expect(page.locator('img[src="x"], b[data-zoo], script:has-text("__pwned")')).toHaveCount(0);
}

test('a malformed zoo is counted, listed with reasons and shown as text; the dashboard keeps applying valid events', async ({
  page,
}) => {
  test.setTimeout(150_000);
  await page.setViewportSize({ width: 1500, height: 2000 });
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  const warehouse = uniqueToken('Zoo');
  const product = uniqueToken('Eggs');
  const subject = `warehouse.${warehouse}.product.${product}`;

  await signIn(page, appUrl, 'manager', wsUrl);
  await openPage(page, 'Data quality');
  const counter = (kind: string) =>
    page.getByTestId(kind === 'applied' ? 'applied-count' : `quality-${kind}`);
  const count = async (kind: string) => Number(((await counter(kind).textContent()) ?? '').replace(/,/g, ''));
  // Other specs share this server: count from where this page has caught up to.
  const storedBefore = await lastSeq(nc);
  await expect.poll(async () => (await count('applied')) + (await count('duplicate'))).toBe(storedBefore);
  const malformedBefore = await count('malformed');
  const unknownBefore = await count('unknown');

  const headers = (type: string): [string, string][] => [
    ['myorg_format', 'application/json'],
    ['myorg_type', type],
    ['myorg_msg_id', randomUUID()],
    ['myorg_timestamp_ms', String(Date.now())],
  ];
  const raw = async (data: Uint8Array | string, h: [string, string][]): Promise<number> => {
    const result = await publishRaw(nc, subject, data, h);
    if (!result.ok) throw new Error(result.message);
    return result.seq;
  };

  await publishAll(nc, [
    {
      warehouse,
      event: { type: 'stock.replenished', product_name: product, location: 'A1', quantity: 10 },
      timestampMs: Date.now(),
    },
  ]);

  const imgName = `<img src=x onerror="window.__pwned=1;alert('pwned')">`;
  const scriptReason = `<script>window.__pwned=2</script><img src=x onerror="window.__pwned=2;alert(2)">`;
  // Shorter than the 64 characters of a type the data quality reason quotes.
  const markupType = `<b data-zoo>"bold" 'type'</b><img src=x onerror=alert(3)>`;
  const markupHeader = `<b data-zoo>"quoted" & 'single'</b><img src=x onerror=alert(4)>`;
  const big = JSON.stringify({
    product_name: product,
    location: 'A1',
    quantity: 1,
    // Over the readers' 16 KiB, yet under what the stream stores (16 KiB plus room for headers): a publisher
    // with a larger limit of its own is exactly who the readers' check is for.
    padding: 'x'.repeat(16 * 1024 + 200),
  });

  // Each entry: its sequence, what the reader must say about it, and the literal markup it carries.
  const zoo: {
    name: string;
    seq: number;
    kind: 'malformed' | 'unknown';
    reason: RegExp;
    literal?: string;
  }[] = [
    {
      name: 'markup as product name',
      seq: await raw(
        JSON.stringify({ product_name: imgName, location: 'A1', quantity: 1 }),
        headers('stock.sold'),
      ),
      kind: 'malformed',
      reason: /differs from subject product/,
      literal: imgName,
    },
    {
      name: 'markup in the type header and another header',
      seq: await raw(JSON.stringify({ product_name: product }), [
        ...headers(markupType),
        ['X-Note', markupHeader],
      ]),
      kind: 'unknown',
      reason: /unknown event type/,
      literal: markupType,
    },
    {
      name: 'bad JSON',
      seq: await raw(`{"product_name":"${product}","location":"A1","quantity":`, headers('stock.sold')),
      kind: 'malformed',
      reason: /payload is not JSON/,
    },
    {
      name: 'non-UTF-8 bytes',
      seq: await raw(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]), headers('stock.sold')),
      kind: 'malformed',
      reason: /not valid UTF-8/,
    },
    {
      name: '200 KB payload',
      seq: await raw(big, headers('stock.replenished')),
      kind: 'malformed',
      reason: new RegExp(`payload is ${new TextEncoder().encode(big).byteLength} bytes; at most \\d+`),
    },
    {
      name: 'negative quantity',
      seq: await raw(
        JSON.stringify({ product_name: product, location: 'A1', quantity: -4 }),
        headers('stock.sold'),
      ),
      kind: 'malformed',
      reason: /quantity -4 must be at least 1/,
    },
    {
      name: 'quantity of the wrong type',
      seq: await raw(
        JSON.stringify({ product_name: product, location: 'A1', quantity: '3' }),
        headers('stock.sold'),
      ),
      kind: 'malformed',
      reason: /quantity must be a number/,
    },
    {
      name: 'unknown type',
      seq: await raw(JSON.stringify({ product_name: product }), headers('stock.audited')),
      kind: 'unknown',
      reason: /unknown event type "stock\.audited"/,
    },
    {
      // nats.js throws when it parses this header block; the old replay stopped here for good.
      name: 'a header name nats.js refuses to parse',
      seq: await (async () => {
        await rawTcpPublish({
          clientUrl,
          ...LOGINS.admin,
          subject,
          headerLines: headers('stock.counted')
            .map(([k, v]) => `${k}: ${v}`)
            .concat('bad name: <b data-zoo>x</b>'),
          payload: JSON.stringify({ product_name: product }),
        });
        return lastSeq(nc);
      })(),
      kind: 'unknown',
      reason: /unknown event type "stock\.counted"/,
    },
    {
      name: 'no headers at all',
      seq: await raw(JSON.stringify({ product_name: product, location: 'A1', quantity: 1 }), []),
      kind: 'malformed',
      reason: /header myorg_type is missing/,
    },
  ];
  // Valid events after the zoo: a destroyed one whose reason is markup, and a sale.
  const [destroyed, sold] = await publishAll(nc, [
    {
      warehouse,
      event: {
        type: 'stock.destroyed',
        product_name: product,
        location: 'A1',
        quantity: 1,
        reason: scriptReason,
      },
      timestampMs: Date.now(),
    },
    {
      warehouse,
      event: { type: 'stock.sold', product_name: product, location: 'A1', quantity: 2 },
      timestampMs: Date.now(),
    },
  ]);

  // Data quality: every zoo member counted and listed with its reason, the markup as plain text.
  const malformed = zoo.filter((z) => z.kind === 'malformed').length;
  await expect(counter('malformed')).toHaveText(shown(malformedBefore + malformed));
  await expect(counter('unknown')).toHaveText(shown(unknownBefore + zoo.length - malformed));
  const skipped = page.getByRole('table', { name: 'Skipped events' });
  for (const z of zoo) {
    const row = skipped.locator(`tr[data-seq="${z.seq}"]`);
    await expect(row, z.name).toContainText(z.kind === 'malformed' ? 'Malformed' : 'Unknown type');
    await expect(row, z.name).toContainText(subject);
    await expect(row, z.name).toContainText(z.reason);
    if (z.literal) await expect(row, z.name).toContainText(z.literal);
  }
  await expectNothingRan(page, dialogs);

  // The valid events around the zoo were applied: 10 replenished − 1 destroyed − 2 sold.
  await openPage(page, 'Warehouse');
  await chooseWarehouse(page, warehouse);
  await expect(cell(page, product, 'A1')).toHaveText('7');
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');

  // The audit trail of that cell shows the destroyed event's reason as text.
  await cell(page, product, 'A1').click();
  const drawer = page.getByRole('dialog').filter({ hasText: 'Why is this number what it is?' });
  const trailLine = drawer
    .getByRole('table', { name: 'Audit trail' })
    .locator(`tr[data-seq="${destroyed!.seq}"]`);
  await expect(trailLine).toContainText(scriptReason);
  await expect(
    drawer.getByRole('table', { name: 'Audit trail' }).locator(`tr[data-seq="${sold!.seq}"]`),
  ).toBeVisible();
  await expectNothingRan(page, dialogs);
  await page.keyboard.press('Escape');
  await expect(drawer).toHaveCount(0);

  // The event log: each zoo member and the destroyed event opened in the detail view, shown literally.
  const logButton = nav(page).getByRole('link', { name: 'Event log', exact: true });
  await logButton.click();
  await expect(logButton).toHaveAttribute('aria-current', 'page');
  const region = page.getByRole('region', { name: 'Event log' });
  await region.getByLabel('Warehouse', { exact: true }).fill(warehouse);
  await expect(region.getByTestId('event-summary')).toHaveText(
    new RegExp(`^Showing 1–${zoo.length + 3} of ${zoo.length + 3} matching events`),
  );
  const detail = page.getByRole('complementary', { name: 'Event detail' });
  for (const z of zoo) {
    await region.getByTestId(`event-row-${z.seq}`).click();
    await expect(detail.getByRole('heading', { level: 3 }), z.name).toHaveText(
      `Event #${z.seq.toLocaleString('en-US')}`,
    );
    if (z.kind === 'malformed')
      await expect(detail.getByTestId('detail-problem'), z.name).toContainText(z.reason);
    if (z.literal) await expect(detail, z.name).toContainText(z.literal);
    await expectNothingRan(page, dialogs);
  }
  const withHeader = zoo[1]!;
  await region.getByTestId(`event-row-${withHeader.seq}`).click();
  await expect(detail.getByRole('table', { name: 'Headers' })).toContainText(markupHeader);
  await expect(detail.getByRole('table', { name: 'Headers' })).toContainText(markupType);
  await region.getByTestId(`event-row-${destroyed!.seq}`).click();
  await expect(detail).toContainText(scriptReason);
  // Inside the JSON the quotes are escaped; everything else stays as it was sent.
  await expect(detail.getByTestId('detail-payload')).toContainText(JSON.stringify(scriptReason).slice(1, -1));
  await expectNothingRan(page, dialogs);

  // Still connected, and still applying: one more valid sale after all of it.
  await publishAll(nc, [
    {
      warehouse,
      event: { type: 'stock.sold', product_name: product, location: 'A1', quantity: 1 },
      timestampMs: Date.now(),
    },
  ]);
  await openPage(page, 'Warehouse');
  await expect(cell(page, product, 'A1')).toHaveText('6');
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  await expectNothingRan(page, dialogs);
});
