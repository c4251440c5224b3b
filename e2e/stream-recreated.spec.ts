/**
 * WAREHOUSE_EVENTS deleted and provisioned again with a different history while a page is signed in, on a
 * private nats-server (the shared one keeps its stream for the other specs). The page must say that the
 * stream was recreated and end with the figures of the new stream; in between it may show the old figures
 * or a part of the new history, never the old figures with new events applied on top of them.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startNatsServer, type NatsServerHandle } from '../scripts/lib/nats-server.mjs';
import type { StockEvent } from '../src/core/events';
import { MINUTE_MS } from '../src/core/sales';
import { STREAMS } from '../src/core/resources';
import { provision } from '../src/nats/provision';
import { streamState } from '../src/nats/replay';
import { deleteStream } from '../test/support/stream-admin';
import { uniqueToken } from '../test/support/unique';
import { chooseWarehouse, signIn } from './support/app';
import { e2eEnv } from './support/env';
import { expectedStock, shown, warehouseTotal, type TimedEvent } from './support/expected';
import { expectWarehouseFigures } from './support/figures';
import { connectAdmin, publishAll, type NatsConnection } from './support/stream';

const { appUrl } = e2eEnv();

let server: NatsServerHandle | undefined;
let nc: NatsConnection | undefined;

test.afterEach(async () => {
  await nc?.close().catch(() => undefined);
  nc = undefined;
  if (!server) return;
  await server.stop();
  rmSync(server.storeDir, { recursive: true, force: true });
  server = undefined;
});

const RECORDED = ['warehouse-total', 'engine-notice'] as const;
type Recorded = (typeof RECORDED)[number];

/**
 * Records, in the page, every text the warehouse total and the engine's notice take from now on: a mixed
 * total that lasts one render, or a notice that the next one replaces at once, is still seen.
 */
async function recordTexts(page: Page): Promise<void> {
  await page.evaluate((ids) => {
    const w = window as unknown as { __texts: Record<string, string[]> };
    w.__texts = Object.fromEntries(ids.map((id) => [id, []]));
    const note = () => {
      for (const id of ids) {
        const text = document.querySelector(`[data-testid="${id}"]`)?.textContent;
        const seen = w.__texts[id]!;
        if (text != null && text !== seen[seen.length - 1]) seen.push(text);
      }
    };
    note();
    new MutationObserver(note).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  }, RECORDED);
}

function recordedTexts(page: Page, id: Recorded): Promise<string[]> {
  return page.evaluate((id) => (window as unknown as { __texts: Record<string, string[]> }).__texts[id]!, id);
}

const REBUILT = 'The event stream was recreated or rewound on the server; rebuilding every view from it.';

interface Histories {
  warehouse: string;
  /** In both histories. */
  shared: string[];
  /** Only in the old one: its row must go. */
  gone: string;
  /** Only in the new one. */
  added: string;
  old: TimedEvent[];
  replacement: TimedEvent[];
}

/**
 * Two histories of one warehouse whose totals cannot be confused: the old one counts hundreds, every prefix
 * of the new one a few dozen, and every event of the new one after its first changes the total, so the old
 * figures with any new events applied on top match neither.
 */
function histories(newLonger: boolean): Histories {
  const warehouse = uniqueToken('Hall');
  const [p1, p2, gone, added] = [
    uniqueToken('Figs'),
    uniqueToken('Kiwis'),
    uniqueToken('Quinces'),
    uniqueToken('Limes'),
  ];
  const now = Date.now();
  let minutesAgo = 60;
  const on = (event: StockEvent): TimedEvent => ({
    warehouse,
    event,
    timestampMs: now - (minutesAgo -= 1) * MINUTE_MS,
  });
  const oldEvents: StockEvent[] = [
    { type: 'stock.corrected', product_name: p1, location: 'A1', quantity: 100 },
    { type: 'stock.corrected', product_name: p2, location: 'A1', quantity: 200 },
    { type: 'stock.corrected', product_name: gone, location: 'B1', quantity: 300 },
    { type: 'stock.sold', product_name: p1, location: 'A1', quantity: 1 },
  ];
  const padding: StockEvent[] = Array.from({ length: newLonger ? 0 : 8 }, (_, i) => ({
    type: 'stock.replenished',
    product_name: gone,
    location: 'B1',
    quantity: 10 + i,
  }));
  const newEvents: StockEvent[] = [
    { type: 'stock.corrected', product_name: p1, location: 'A1', quantity: 7 },
    { type: 'stock.replenished', product_name: p2, location: 'B2', quantity: 11 },
    { type: 'stock.replenished', product_name: added, location: 'A1', quantity: 13 },
    ...(newLonger
      ? ([
          { type: 'stock.sold', product_name: p2, location: 'B2', quantity: 3 },
          { type: 'stock.replenished', product_name: p1, location: 'B2', quantity: 5 },
          { type: 'stock.destroyed', product_name: added, location: 'A1', quantity: 2, reason: 'bruised' },
          { type: 'stock.replenished', product_name: added, location: '-', quantity: 4 },
          { type: 'stock.sold', product_name: p1, location: 'A1', quantity: 1 },
          { type: 'stock.replenished', product_name: p2, location: 'A1', quantity: 6 },
        ] satisfies StockEvent[])
      : []),
  ];
  return {
    warehouse,
    shared: [p1, p2],
    gone,
    added,
    old: [...oldEvents, ...padding].map(on),
    replacement: newEvents.map(on),
  };
}

const CASES = [
  {
    title: 'stream deleted and recreated with a longer history (the tail would land on the old figures)',
    newLonger: true,
    wipe: false,
  },
  {
    title: 'stream deleted and recreated with a shorter history (every new sequence is below the cursor)',
    newLonger: false,
    wipe: false,
  },
  {
    title: 'server stopped, store wiped, restarted on the same ports and provisioned again',
    newLonger: true,
    wipe: true,
  },
];

for (const { title, newLonger, wipe } of CASES) {
  test(`${title}: the page says so and shows the new figures only`, async ({ page }) => {
    test.setTimeout(120_000);
    server = await startNatsServer({ allowedOrigins: [appUrl] });
    nc = await connectAdmin(server.clientUrl);
    await provision(nc);
    const h = histories(newLonger);

    await publishAll(nc, h.old);
    await signIn(page, appUrl, 'manager', server.wsUrl);
    await chooseWarehouse(page, h.warehouse);
    const oldStock = expectedStock(h.old);
    await expectWarehouseFigures(page, oldStock, h.warehouse, [...h.shared, h.gone]);
    await recordTexts(page);

    const before = await streamState(nc, STREAMS.warehouse);
    if (wipe) {
      await nc.close();
      await server.stop();
      // nats-server keeps every stream and bucket under <store_dir>/jetstream.
      rmSync(join(server.storeDir, 'jetstream'), { recursive: true, force: true });
      await server.restart();
      nc = await connectAdmin(server.clientUrl);
    } else {
      await deleteStream(nc, STREAMS.warehouse);
    }
    await provision(nc);
    await publishAll(nc, h.replacement);
    const publishedMs = Date.now();
    const after = await streamState(nc, STREAMS.warehouse);
    expect(after.created).not.toBe(before.created);
    expect(after.lastSeq > before.lastSeq).toBe(newLonger);

    await expect
      .poll(async () => (await recordedTexts(page, 'engine-notice')).some((t) => t.includes(REBUILT)), {
        timeout: 30_000,
      })
      .toBe(true);
    const noticedMs = Date.now();
    const newStock = expectedStock(h.replacement);
    await expectWarehouseFigures(page, newStock, h.warehouse, [...h.shared, h.added]);
    await expect(page.getByTestId(`total-${h.gone}`)).toHaveCount(0);
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');

    // Every total on screen since the deletion was the old one or that of a prefix of the new history.
    const allowed = new Set([
      shown(warehouseTotal(oldStock, h.warehouse)),
      ...h.replacement.map((_, i) =>
        shown(warehouseTotal(expectedStock(h.replacement.slice(0, i + 1)), h.warehouse)),
      ),
    ]);
    const seen = await recordedTexts(page, 'warehouse-total');
    console.log(
      `[e2e] ${wipe ? 'store wiped' : `stream recreated ${newLonger ? 'longer' : 'shorter'}`}: notice within ` +
        `${noticedMs - publishedMs} ms of the new events; totals seen ${seen.join(' → ')}`,
    );
    expect(seen.at(-1)).toBe(shown(warehouseTotal(newStock, h.warehouse)));
    expect(
      seen.filter((t) => !allowed.has(t)),
      `totals seen: ${seen.join(' → ')}`,
    ).toEqual([]);
  });
}
