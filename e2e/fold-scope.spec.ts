/**
 * A page about one warehouse folds that warehouse's subjects alone (docs/architecture.md#one-warehouse-or-the-chain):
 * on a private nats-server with two warehouses, the checkpointer writes its checkpoints, more events follow on
 * both, and a manager of warehouse 46 signs in with an empty profile. The engine must start from 46's own
 * checkpoint, replay only 46's events since, show 46's figures of the whole history and offer both warehouses;
 * the Data quality page then makes it fold the chain, to the same figures. A manager of every warehouse lands on
 * the first the checkpointer's index lists, and folds that one alone.
 */
import { rmSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { startNatsServer, type NatsServerHandle } from '../scripts/lib/nats-server.mjs';
import { warehouseCheckpointName } from '../src/core/checkpoint-catalog';
import { LEDGER_SNAPSHOT_VERSION } from '../src/core/ledger-snapshot';
import type { StockEvent } from '../src/core/events';
import { listCheckpoints } from '../src/nats/checkpoint-store';
import { provision } from '../src/nats/provision';
import { uniqueToken } from '../test/support/unique';
import { SCOPED_MANAGER } from '../test/support/users';
import { openPage, signIn } from './support/app';
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

const OWN = SCOPED_MANAGER.warehouses[0];
/** Above CHECKPOINT_MIN_GAIN (src/engine/warehouse-follower.ts), so the checkpoint is worth reading. */
const HISTORY = 5_700;

/** Every third event is the manager's warehouse's, the rest another's, with the same products. */
function events(other: string, products: readonly string[], count: number, fromMs: number): TimedEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const product = products[i % products.length]!;
    const location = i % 2 === 0 ? 'A1' : 'B2';
    const event: StockEvent =
      i % 4 === 3
        ? { type: 'stock.sold', product_name: product, location, quantity: 1 + (i % 3) }
        : { type: 'stock.replenished', product_name: product, location, quantity: 1 + (i % 5) };
    return { warehouse: i % 3 === 0 ? OWN : other, event, timestampMs: fromMs + i * 1000 };
  });
}

const root = (page: Page) => page.locator('#root');

test("a manager of one warehouse folds that warehouse's subjects alone, from its own checkpoint", async ({
  page,
}) => {
  test.setTimeout(180_000);
  server = await startNatsServer({ allowedOrigins: [appUrl] });
  nc = await connectAdmin(server.clientUrl);
  await provision(nc);
  const other = uniqueToken('Depot');
  const products = [uniqueToken('Figs'), uniqueToken('Kiwis')];
  const startMs = Date.now() - 2 * 60 * 60_000;
  const history = events(other, products, HISTORY, startMs);
  await publishAll(nc, history);

  const checkpointer = startCheckpointer(server.clientUrl);
  const ownLatest = warehouseCheckpointName(OWN, LEDGER_SNAPSHOT_VERSION, 'latest');
  try {
    await expect
      .poll(async () => (await listCheckpoints(nc!)).tags.find((t) => t.name === ownLatest)?.seq, {
        timeout: 60_000,
      })
      .toBe(HISTORY);
  } finally {
    await checkpointer.stop();
  }
  const tail = events(other, products, 40, startMs + HISTORY * 1000);
  await publishAll(nc, tail);
  const total = await lastSeq(nc);

  await page.goto(appUrl);
  await page.getByLabel('Server URL').fill(server.wsUrl);
  await page.getByLabel('User', { exact: true }).fill(SCOPED_MANAGER.user);
  await page.getByLabel('Password', { exact: true }).fill(SCOPED_MANAGER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');

  await expect(root(page)).toHaveAttribute('data-fold-scope', OWN);
  await expect(root(page)).toHaveAttribute('data-caught-up', 'true');
  // Caught up, the fold holds the stream through its end, though its own last event is earlier.
  await expect
    .poll(async () => Number(await root(page).getAttribute('data-applied-seq')), { timeout: 30_000 })
    .toBe(total);
  await expect(root(page)).toHaveAttribute('data-start-from', 'checkpoint');
  await expect(root(page)).toHaveAttribute('data-start-seq', String(HISTORY));
  await expect(root(page)).toHaveAttribute(
    'data-replayed',
    String(tail.filter((e) => e.warehouse === OWN).length),
  );
  await expect(page.getByTestId('engine-notice')).toContainText(
    `Started from warehouse ${OWN}'s shared checkpoint at #${HISTORY.toLocaleString('en-US')}`,
  );
  const stock = expectedStock([...history, ...tail]);
  await expectWarehouseFigures(page, stock, OWN, products);
  // The chain's warehouses, as the checkpoint listed them, though only one is folded.
  const picker = page
    .getByRole('region', { name: 'Warehouse stock' })
    .getByRole('combobox', { name: 'Warehouse' });
  await expect(picker.locator('option')).toHaveText([OWN, other].sort());

  // The whole stream's data quality needs the chain: the fold is replaced, and stays the chain's.
  await openPage(page, 'Data quality');
  await expect(root(page)).toHaveAttribute('data-fold-scope', 'chain');
  await expect(root(page)).toHaveAttribute('data-caught-up', 'true', { timeout: 30_000 });
  await expect(page.getByTestId('applied-count')).toHaveText(total.toLocaleString('en-US'));
  await openPage(page, 'Warehouse');
  await expect(root(page)).toHaveAttribute('data-fold-scope', 'chain');
  await expectWarehouseFigures(page, stock, OWN, products);

  // A manager of every warehouse, with an empty profile, lands on the chain's first warehouse as the index lists
  // it, and folds that one alone.
  const context = await page.context().browser()!.newContext();
  try {
    const alice = await context.newPage();
    await signIn(alice, appUrl, 'manager', server.wsUrl);
    await expect(root(alice)).toHaveAttribute('data-fold-scope', [OWN, other].sort()[0]!);
    await expect(root(alice)).toHaveAttribute('data-start-from', 'checkpoint');
    await expectWarehouseFigures(alice, stock, OWN, products);
  } finally {
    await context.close();
  }
});
