/**
 * The header prefix as one setting of a deployment (docs/architecture.md#subjects-and-headers): the dashboard
 * reads and writes event headers with config.json's `headerPrefix`, and a prefix that cannot make header names
 * is said on the sign-in page instead of signing in.
 */
import { randomUUID } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { headerNames, stockSubject } from '../src/core/events';
import { STREAMS } from '../src/core/resources';
import { publishStockEvent } from '../src/nats/publish';
import { replayStream } from '../src/nats/replay';
import { uniqueToken } from '../test/support/unique';
import { cell, chooseOperation, chooseWarehouse, signIn, submitStockForm } from './support/app';
import { e2eEnv } from './support/env';
import { connectAdmin, type NatsConnection } from './support/stream';

const { appUrl, clientUrl, wsUrl } = e2eEnv();
let nc: NatsConnection;

test.beforeAll(async () => {
  nc = await connectAdmin(clientUrl);
});
test.afterAll(async () => {
  await nc?.close();
});

/** The deployment's config.json as the page fetches it, without touching the shared build's file. */
async function serveConfig(page: Page, config: Record<string, unknown>): Promise<void> {
  await page.route('**/config.json', (route) => route.fulfill({ json: config }));
}

test('a headerPrefix that cannot make header names is said on the sign-in page, which then does not sign in', async ({
  page,
}) => {
  await serveConfig(page, { natsUrl: wsUrl, headerPrefix: 'my org' });
  await page.goto(appUrl);
  const form = page.getByRole('form', { name: 'Sign in' });
  await expect(form.getByRole('alert')).toContainText(
    'cannot sign in: config.json "headerPrefix" "my org" contains space',
  );
  await expect(form.getByRole('button', { name: 'Sign in' })).toBeDisabled();
});

test('under a configured prefix the dashboard reads the events published with it, and publishes with it', async ({
  page,
}) => {
  const names = headerNames('acme');
  const warehouse = uniqueToken('Hall');
  const product = uniqueToken('Quinces');
  const counted = await publishStockEvent(
    nc,
    warehouse,
    { type: 'stock.corrected', product_name: product, location: 'A1', quantity: 5 },
    { id: randomUUID(), timestampMs: Date.now(), names, user: 'admin' },
  );
  if (!counted.ok) throw new Error(counted.message);

  await serveConfig(page, { natsUrl: wsUrl, headerPrefix: 'acme' });
  await signIn(page, appUrl, 'manager');
  await chooseWarehouse(page, warehouse);
  await expect(cell(page, product, 'A1')).toHaveText('5');
  await chooseOperation(page, 'Sell');
  await submitStockForm(page, { warehouse, product, location: 'A1', quantity: '2' });
  await expect(page.getByTestId('form-result')).toHaveText(/^Recorded: /);
  await expect(cell(page, product, 'A1')).toHaveText('3');

  const stored: [string | undefined, string | undefined][] = [];
  const controller = new AbortController();
  for await (const batch of replayStream(nc, {
    stream: STREAMS.warehouse,
    filterSubject: stockSubject(warehouse, product),
    fromSeq: counted.seq,
    signal: controller.signal,
  })) {
    for (const m of batch.messages) stored.push([m.header(names.type), m.header('myorg_type')]);
    if (batch.caughtUp) break;
  }
  controller.abort();
  expect(stored).toEqual([
    ['stock.corrected', undefined],
    ['stock.sold', undefined],
  ]);
});
