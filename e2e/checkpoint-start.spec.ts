/**
 * A first visit starts from the newest shared checkpoint and replays only the tail (docs/architecture.md#checkpoints):
 * on a private nats-server, the checkpointer writes a checkpoint of a history longer than the engine's minimum
 * gain, more events follow, and a browser with an empty profile signs in. The page must show the figures of
 * the whole history while having replayed only the events after the checkpoint; "Rebuild from the stream"
 * then folds everything again, to the same figures.
 */
import { rmSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { startNatsServer, type NatsServerHandle } from '../scripts/lib/nats-server.mjs';
import type { StockEvent } from '../src/core/events';
import { listCheckpoints } from '../src/nats/checkpoint-store';
import { provision } from '../src/nats/provision';
import { uniqueToken } from '../test/support/unique';

import { chooseWarehouse, openPage, signIn } from './support/app';
import { e2eEnv } from './support/env';
import { expectedStock, type TimedEvent } from './support/expected';
import { expectWarehouseFigures } from './support/figures';
import { startCheckpointer } from './support/processes';
import { connectAdmin, lastSeq, publishAll, type NatsConnection } from './support/stream';

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

/** Above CHECKPOINT_MIN_GAIN (src/engine/warehouse-follower.ts), so the checkpoint is worth reading. */
const HISTORY = 5_600;
const TAIL = 37;

function events(warehouse: string, products: readonly string[], count: number, fromMs: number): TimedEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const product = products[i % products.length]!;
    const location = i % 3 === 0 ? 'A1' : 'B2';
    const event: StockEvent =
      i % 4 === 3
        ? { type: 'stock.sold', product_name: product, location, quantity: 1 + (i % 3) }
        : i % 50 === 7
          ? { type: 'stock.corrected', product_name: product, location, quantity: i % 40 }
          : { type: 'stock.replenished', product_name: product, location, quantity: 1 + (i % 5) };
    return { warehouse, event, timestampMs: fromMs + i * 1000 };
  });
}

const root = (page: Page) => page.locator('#root');

test('an empty browser starts from the shared checkpoint, replays only the tail, and can rebuild from the stream', async ({
  page,
}) => {
  test.setTimeout(180_000);
  server = await startNatsServer({ allowedOrigins: [appUrl] });
  nc = await connectAdmin(server.clientUrl);
  await provision(nc);
  const warehouse = uniqueToken('Depot');
  const products = [uniqueToken('Figs'), uniqueToken('Kiwis'), uniqueToken('Limes')];
  const startMs = Date.now() - 2 * 60 * 60_000;
  const history = events(warehouse, products, HISTORY, startMs);
  await publishAll(nc, history);

  const checkpointer = startCheckpointer(server.clientUrl);
  try {
    await expect
      .poll(async () => (await listCheckpoints(nc!)).tags.map((t) => t.seq), { timeout: 60_000 })
      .toContain(HISTORY);
  } finally {
    await checkpointer.stop();
  }
  const tail = events(warehouse, products, TAIL, startMs + HISTORY * 1000);
  await publishAll(nc, tail);
  const total = await lastSeq(nc);
  expect(total).toBe(HISTORY + TAIL);

  await signIn(page, appUrl, 'manager', server.wsUrl);
  await expect(root(page)).toHaveAttribute('data-caught-up', 'true');
  await expect
    .poll(async () => Number(await root(page).getAttribute('data-applied-seq')), { timeout: 30_000 })
    .toBe(total);
  await expect(root(page)).toHaveAttribute('data-start-from', 'checkpoint');
  await expect(root(page)).toHaveAttribute('data-start-seq', String(HISTORY));
  await expect(root(page)).toHaveAttribute('data-replayed', String(TAIL));
  // The warehouse page shows one warehouse: its fold reads that warehouse alone, from its own checkpoint
  // (docs/architecture.md#one-warehouse-or-the-chain); Data quality below folds the chain's.
  await expect(page.getByTestId('engine-notice')).toContainText(
    `Started from warehouse ${warehouse}'s shared checkpoint at #${HISTORY.toLocaleString('en-US')}`,
  );

  const stock = expectedStock([...history, ...tail]);
  await chooseWarehouse(page, warehouse);
  await expectWarehouseFigures(page, stock, warehouse, products);

  await openPage(page, 'Data quality');
  await expect(page.getByTestId('fold-start')).toHaveText(
    `Started from the shared checkpoint at #${HISTORY.toLocaleString('en-US')}; ${TAIL} events replayed since.`,
  );
  await page.getByRole('button', { name: 'Rebuild from the stream' }).click();
  await expect(root(page)).toHaveAttribute('data-start-from', 'stream');
  await expect(root(page)).toHaveAttribute('data-replayed', String(total), { timeout: 60_000 });
  await expect(page.getByTestId('fold-start')).toHaveText(
    `Read from the stream, from sequence 1; ${total.toLocaleString('en-US')} events replayed since.`,
  );
  await openPage(page, 'Warehouse');
  await chooseWarehouse(page, warehouse);
  await expectWarehouseFigures(page, stock, warehouse, products);
});
