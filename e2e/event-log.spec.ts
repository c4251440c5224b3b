/**
 * The event log against the shared test server, on events this spec published itself (unique warehouse
 * and product names): filters and their counts, exact paging, a malformed event with its reason, the
 * detail of an event with every header, and CSV / JSON-lines exports read back from the downloads.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expect, test, type Locator, type Page } from '@playwright/test';
import type { StockEvent } from '../src/core/events';
import { publishRaw } from '../src/nats/publish';
import { toLocalInput } from '../src/features/events/filter-input';
import { uniqueToken } from '../test/support/unique';
import { nav, signIn } from './support/app';
import { e2eEnv } from './support/env';
import { saveScreenshot } from './support/screenshots';
import { connectAdmin, publishAll, type NatsConnection } from './support/stream';

const { appUrl, clientUrl } = e2eEnv();
let nc: NatsConnection;

test.beforeAll(async () => {
  nc = await connectAdmin(clientUrl);
});
test.afterAll(async () => {
  await nc?.close();
});

/** What the test knows about each message it stored: enough to check rows and exports independently. */
interface Stored {
  seq: number;
  product: string;
  type: string;
  payload: string;
  malformed: boolean;
  /** Stored after the time boundary of the test. */
  late: boolean;
}

function payloadOf(event: StockEvent): string {
  const { type: _type, ...args } = event;
  return JSON.stringify(args);
}

async function openEventLog(page: Page): Promise<Locator> {
  const button = nav(page).getByRole('link', { name: 'Event log', exact: true });
  await button.click();
  await expect(button).toHaveAttribute('aria-current', 'page');
  return page.getByRole('region', { name: 'Event log' });
}

/** The sequences of the rows on screen, top to bottom (the page is short enough to be rendered whole). */
async function shownSeqs(region: Locator): Promise<number[]> {
  const seqs = await region
    .locator('[role="row"][data-seq]')
    .evaluateAll((rows) =>
      rows.map((r) => ({ seq: Number(r.getAttribute('data-seq')), top: r.getBoundingClientRect().top })),
    );
  return seqs.sort((a, b) => a.top - b.top).map((r) => r.seq);
}

const newestFirst = (stored: readonly Stored[]) => stored.map((s) => s.seq).sort((a, b) => b - a);

/** RFC 4180, written here rather than borrowed from the app: the export must be readable by anyone. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 1;
    } else field += c;
  }
  if (field !== '' || record.length > 0) records.push([...record, field]);
  return records;
}

test('filters, counts, paging, a malformed event, the detail with its headers, and both exports', async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  // Tall enough for a whole page of 50 rows: the list renders only the rows in view.
  await page.setViewportSize({ width: 1400, height: 2400 });
  const warehouse = uniqueToken('Hall');
  const apples = uniqueToken('Apples');
  const pears = uniqueToken('Pears');
  const now = Date.now();
  const stored: Stored[] = [];
  const keep = (
    seq: number,
    product: string,
    type: string,
    payload: string,
    malformed = false,
    late = false,
  ) => stored.push({ seq, product, type, payload, malformed, late });

  const early: StockEvent[] = [
    { type: 'stock.corrected', product_name: apples, location: 'A1', quantity: 40 },
    { type: 'stock.replenished', product_name: apples, location: 'B2', quantity: 25 },
    { type: 'stock.sold', product_name: apples, location: 'A1', quantity: 3 },
    { type: 'stock.moved', product_name: apples, from: 'A1', to: 'B2', quantity: 5 },
    { type: 'stock.destroyed', product_name: apples, location: 'B2', quantity: 2, reason: 'crushed' },
    ...Array.from({ length: 55 }, (_, i): StockEvent => ({
      type: 'stock.sold',
      product_name: pears,
      location: 'C3',
      quantity: i + 1,
    })),
  ];
  for (const p of await publishAll(
    nc,
    early.map((event, i) => ({ warehouse, event, timestampMs: now - (early.length - i) * 60_000 })),
  )) {
    keep(p.seq, p.event.product_name, p.event.type, payloadOf(p.event));
  }
  // A message no reader can use, and a type no reader knows.
  const subject = (product: string) => `warehouse.${warehouse}.product.${product}`;
  const broken = '{"product_name": "' + apples + '", "quantity": ';
  const badId = randomUUID();
  const bad = await publishRaw(nc, subject(apples), broken, [
    ['myorg_format', 'application/json'],
    ['myorg_type', 'stock.sold'],
    ['myorg_msg_id', badId],
    ['X-Origin', 'scanner-7'],
  ]);
  if (!bad.ok) throw new Error(bad.message);
  keep(bad.seq, apples, 'stock.sold', broken, true);
  const weighed = JSON.stringify({ kg: 12.5 });
  const unknown = await publishRaw(nc, subject(pears), weighed, [
    ['myorg_format', 'application/json'],
    ['myorg_type', 'pallet.weighed'],
    ['myorg_msg_id', randomUUID()],
  ]);
  if (!unknown.ok) throw new Error(unknown.message);
  keep(unknown.seq, pears, 'pallet.weighed', weighed);

  // Everything above was stored before `boundary`, everything below after it (server and test share a clock).
  const boundary = Math.ceil((Date.now() + 1) / 1000) * 1000;
  await expect.poll(() => Date.now(), { intervals: [50] }).toBeGreaterThan(boundary);
  const late: StockEvent[] = [
    { type: 'stock.sold', product_name: apples, location: 'A1', quantity: 4 },
    {
      type: 'stock.destroyed',
      product_name: apples,
      location: 'A1',
      quantity: 1,
      reason: 'crushed, by a forklift',
    },
  ];
  for (const p of await publishAll(
    nc,
    late.map((event) => ({ warehouse, event, timestampMs: Date.now() })),
  )) {
    keep(p.seq, p.event.product_name, p.event.type, payloadOf(p.event), false, true);
  }

  await signIn(page, appUrl, 'marketing');
  const region = await openEventLog(page);
  const summary = region.getByTestId('event-summary');
  const paging = region.getByRole('navigation', { name: 'Paging' });
  const form = (label: string) => region.getByLabel(label, { exact: true });
  const chip = (name: string) => region.getByRole('group', { name: 'Type' }).getByRole('button', { name });
  await expect(summary).toHaveText(/^Showing 1–50 of [\d,]+ events · #[\d,]+ – #[\d,]+ · newest first$/);

  // Warehouse: every message of it, newest first, counted exactly by the server.
  await form('Warehouse').fill(warehouse);
  const all = newestFirst(stored);
  await expect(summary).toHaveText(
    `Showing 1–50 of ${all.length} matching events · #${all[0]!.toLocaleString('en-US')} – #${all[49]!.toLocaleString('en-US')} · newest first`,
  );
  expect(await shownSeqs(region)).toEqual(all.slice(0, 50));

  // Paging says which way and how many.
  await expect(paging.getByRole('button', { name: 'Newer', exact: true })).toBeDisabled();
  await paging.getByRole('button', { name: `Older ${all.length - 50}` }).click();
  await expect(summary).toHaveText(new RegExp(`^Showing 51–${all.length} of ${all.length} matching events`));
  expect(await shownSeqs(region)).toEqual(all.slice(50));
  await expect(paging.getByRole('button', { name: 'Older', exact: true })).toBeDisabled();
  await paging.getByRole('button', { name: 'Newer 50' }).click();
  await expect(summary).toHaveText(/^Showing 1–50 of /);

  // Product narrows the subject; still exact.
  await form('Product').fill(apples);
  const appleSeqs = newestFirst(stored.filter((s) => s.product === apples));
  await expect(summary).toHaveText(
    new RegExp(`^Showing 1–${appleSeqs.length} of ${appleSeqs.length} matching events`),
  );
  expect(await shownSeqs(region)).toEqual(appleSeqs);

  // Type is one click; it is checked while reading, so the page says how many it read.
  await chip('sold').click();
  await expect(chip('sold')).toHaveAttribute('aria-pressed', 'true');
  const soldApples = stored.filter((s) => s.product === apples && s.type === 'stock.sold');
  await expect(summary).toHaveText(
    new RegExp(`^${soldApples.length} matched in the ${appleSeqs.length} events scanned `),
  );
  expect(await shownSeqs(region)).toEqual(newestFirst(soldApples));
  await chip('sold').click();

  // Malformed messages, with their reason, highlighted.
  await chip('malformed').click();
  await expect(summary).toHaveText(new RegExp(`^1 matched in the ${appleSeqs.length} events scanned `));
  const badRow = region.getByTestId(`event-row-${bad.seq}`);
  await expect(badRow).toHaveClass(/status-malformed/);
  await expect(badRow.locator('[data-col="summary"]')).toHaveText(/^Malformed: payload is not JSON: /);
  await chip('malformed').click();

  // Free text in the payload, case-insensitive.
  await form('Payload, id or header contains').fill('CRUSHED');
  const crushed = stored.filter((s) => s.product === apples && s.payload.includes('crushed'));
  await expect(summary).toHaveText(
    new RegExp(`^${crushed.length} matched in the ${appleSeqs.length} events scanned `),
  );
  expect(await shownSeqs(region)).toEqual(newestFirst(crushed));
  // An event found by its id, as a receipt or another system gives it, and by any other header value.
  for (const text of [badId.toUpperCase(), 'SCANNER-7']) {
    await form('Payload, id or header contains').fill(text);
    await expect(summary).toHaveText(new RegExp(`^1 matched in the ${appleSeqs.length} events scanned `));
    expect(await shownSeqs(region)).toEqual([bad.seq]);
  }
  await form('Payload, id or header contains').fill('');

  // Time: recorded from the boundary on, then until it; the server seeks, the count stays exact.
  await form('Recorded from').fill(toLocalInput(boundary));
  const lateApples = newestFirst(stored.filter((s) => s.product === apples && s.late));
  await expect(summary).toHaveText(
    new RegExp(`^Showing 1–${lateApples.length} of ${lateApples.length} matching events`),
  );
  expect(await shownSeqs(region)).toEqual(lateApples);
  await form('Recorded from').fill('');
  await form('until').fill(toLocalInput(boundary));
  const earlyApples = newestFirst(stored.filter((s) => s.product === apples && !s.late));
  await expect(summary).toHaveText(
    new RegExp(`^Showing 1–${earlyApples.length} of ${earlyApples.length} matching events`),
  );
  await form('until').fill('');
  await form('Product').fill('');
  await expect(summary).toHaveText(new RegExp(`^Showing 1–50 of ${all.length} matching events`));

  // The detail: every header in order, the payload whole and pretty-printed, and a copy button.
  await paging.getByRole('button', { name: 'Newest' }).click();
  await expect(summary).toHaveText(/^Showing 1–50 of /);
  await region.getByTestId(`event-row-${bad.seq}`).click();
  const detail = page.getByRole('complementary', { name: 'Event detail' });
  await expect(detail.getByTestId('detail-problem')).toHaveText(
    /^Malformed \(bad_json\): payload is not JSON: .*Every reader skips this event\.$/,
  );
  const headerRows = detail.getByRole('table', { name: 'Headers' }).getByRole('row');
  await expect(headerRows).toHaveCount(4);
  await expect(headerRows.nth(1)).toHaveText(/^myorg_typestock\.sold$/);
  await expect(headerRows.nth(3)).toHaveText(/^X-Originscanner-7$/);
  await expect(detail.getByTestId('detail-payload')).toHaveText(broken);
  await detail.getByRole('button', { name: 'Copy payload' }).click();
  await expect(detail.getByRole('status')).toHaveText('Copied the payload.');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(broken);

  const destroyed = stored.find((s) => s.type === 'stock.destroyed' && s.late)!;
  await region.getByTestId(`event-row-${destroyed.seq}`).click();
  await expect(detail.getByRole('heading', { level: 3 })).toHaveText(
    `Event #${destroyed.seq.toLocaleString('en-US')}`,
  );
  await expect(detail.getByTestId('detail-payload')).toHaveText(
    JSON.stringify(JSON.parse(destroyed.payload), null, 2),
  );
  await expect(detail.getByRole('table', { name: 'Headers' })).toContainText('myorg_timestamp_ms');

  // Exports of the filtered events, oldest first, read back from the downloads.
  const oldestFirst = [...stored].sort((a, b) => a.seq - b.seq);
  const [csvDownload] = await Promise.all([
    page.waitForEvent('download'),
    region.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  expect(csvDownload.suggestedFilename()).toMatch(
    new RegExp(`^stockwire-events-${warehouse}-\\d{8}T\\d{6}Z\\.csv$`),
  );
  const csv = parseCsv(await readFile(await csvDownload.path(), 'utf8'));
  const columns = csv[0]!;
  expect(columns).toEqual([
    'seq',
    'recorded_at',
    'time',
    'type',
    'warehouse',
    'product',
    'summary',
    'status',
    'problem',
    'id',
    'user',
    'subject',
    'payload',
  ]);
  const records = csv.slice(1).map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])));
  expect(records.map((r) => [Number(r.seq), r.type, r.warehouse, r.product, r.payload])).toEqual(
    oldestFirst.map((s) => [s.seq, s.type, warehouse, s.product, s.payload]),
  );
  expect(records.filter((r) => r.status === 'malformed').map((r) => Number(r.seq))).toEqual([bad.seq]);
  // Who recorded it: the test's admin connection wrote the header; the two raw messages carry none.
  const sentRaw = new Set([bad.seq, unknown.seq]);
  expect(records.map((r) => [Number(r.seq), r.user])).toEqual(
    oldestFirst.map((s) => [s.seq, sentRaw.has(s.seq) ? '' : 'admin']),
  );
  await expect(region.getByTestId('scan-result')).toHaveText(
    new RegExp(`^Exported ${stored.length} events to stockwire-events-`),
  );

  const [jsonDownload] = await Promise.all([
    page.waitForEvent('download'),
    region.getByRole('button', { name: 'Export JSON lines' }).click(),
  ]);
  expect(jsonDownload.suggestedFilename()).toMatch(/\.jsonl$/);
  const lines = (await readFile(await jsonDownload.path(), 'utf8')).split('\n');
  expect(lines.pop()).toBe('');
  const objects = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(objects.map((o) => [o.seq, o.user])).toEqual(
    oldestFirst.map((s) => [s.seq, sentRaw.has(s.seq) ? null : 'admin']),
  );
  expect(objects.map((o) => [o.seq, o.type, o.warehouse, o.product, o.status])).toEqual(
    oldestFirst.map((s) => [
      s.seq,
      s.type,
      warehouse,
      s.product,
      s.malformed ? 'malformed' : s.type.startsWith('stock.') ? 'stock' : 'unknown',
    ]),
  );
  const payloads = objects.map((o) => (o.payload_format === 'json' ? JSON.stringify(o.payload) : o.payload));
  expect(payloads).toEqual(
    oldestFirst.map((s) => (s.malformed ? s.payload : JSON.stringify(JSON.parse(s.payload)))),
  );
  expect(objects.find((o) => o.seq === bad.seq)?.headers).toMatchObject({ 'X-Origin': 'scanner-7' });
});

test('a screenshot of the event log with a malformed event open', async ({ page }) => {
  const warehouse = uniqueToken('Hall');
  const products = ['Apples', 'Pears', 'Milk'].map((p) => uniqueToken(p));
  const now = Date.now();
  const events: StockEvent[] = products.flatMap((product, i): StockEvent[] => [
    { type: 'stock.corrected', product_name: product, location: 'A1', quantity: 40 + i },
    { type: 'stock.replenished', product_name: product, location: 'B2', quantity: 24 },
    { type: 'stock.moved', product_name: product, from: 'B2', to: 'A1', quantity: 6 },
    { type: 'stock.sold', product_name: product, location: 'A1', quantity: 3 + i },
    { type: 'stock.destroyed', product_name: product, location: 'B2', quantity: 1, reason: 'damaged' },
  ]);
  await publishAll(
    nc,
    events.map((event, i) => ({ warehouse, event, timestampMs: now - (events.length - i) * 7 * 60_000 })),
  );
  const bad = await publishRaw(
    nc,
    `warehouse.${warehouse}.product.${products[0]}`,
    JSON.stringify({ product_name: products[0], location: 'A1', quantity: -3 }),
    [
      ['myorg_format', 'application/json'],
      ['myorg_type', 'stock.sold'],
      ['myorg_msg_id', randomUUID()],
      ['myorg_timestamp_ms', String(now - 60_000)],
    ],
  );
  if (!bad.ok) throw new Error(bad.message);

  await page.setViewportSize({ width: 1600, height: 900 });
  await signIn(page, appUrl, 'manager');
  const region = await openEventLog(page);
  await region.getByLabel('Warehouse', { exact: true }).fill(warehouse);
  await expect(region.getByTestId('event-summary')).toHaveText(/^Showing 1–16 of 16 matching events/);
  await region.getByTestId(`event-row-${bad.seq}`).click();
  await expect(
    page.getByRole('complementary', { name: 'Event detail' }).getByTestId('detail-problem'),
  ).toHaveText(/quantity -3 must be at least 1/);
  await saveScreenshot(page, 'event-log');
});
