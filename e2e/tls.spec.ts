/**
 * The dashboard in Chromium over wss:// (docs/tls.md), as in production: the built app served over https, the
 * NATS WebSocket over TLS, both with a certificate this spec makes. Chromium has no CA of ours in a trust store
 * here, so it is launched with --ignore-certificate-errors-spki-list naming exactly our server key; a browser
 * launched without it refuses the server. Self-contained: its own nats-server and https server, nothing from the
 * shared e2e world.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium, expect, test, type Browser } from '@playwright/test';
import { startNatsServer, type NatsServerHandle } from '../scripts/lib/nats-server.mjs';
import { connectNode } from '../src/nats/connect-node';
import type { NatsConnection } from '../src/nats/connection';
import { provision } from '../src/nats/provision';
import { makeTestCertificates, type TestCertificates } from '../test/support/tls-certs';
import { uniqueToken } from '../test/support/unique';
import { LOGINS } from '../test/support/users';
import { cell, chooseWarehouse, signIn } from './support/app';
import { publishAll } from './support/stream';

const DIST = join(process.cwd(), 'dist');
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

let dir: string;
let certs: TestCertificates;
let nats: NatsServerHandle;
let https: Server;
let appUrl: string;
let http: HttpServer;
let plainAppUrl: string;
let admin: NatsConnection;
let trusting: Browser;
const warehouse = uniqueToken('Hall');
const product = uniqueToken('Figs');

/** A file of the built app; config.json points it at the wss:// listener, as an operator would edit it. */
function appFile(url: string): { status: number; contentType: string; body: string | Buffer } {
  const path = new URL(url, 'http://any').pathname;
  if (path === '/config.json') {
    return { status: 200, contentType: 'application/json', body: JSON.stringify({ natsUrl: nats.wsUrl }) };
  }
  const file = join(DIST, normalize(path === '/' ? '/index.html' : path));
  try {
    if (!file.startsWith(DIST)) throw new Error('outside dist');
    return {
      status: 200,
      contentType: TYPES[extname(file)] ?? 'application/octet-stream',
      body: readFileSync(file),
    };
  } catch {
    return { status: 404, contentType: 'text/plain', body: 'not found' };
  }
}

function listen(server: Server | HttpServer, scheme: string, host: string): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`${scheme}://${host}:${(server.address() as AddressInfo).port}`),
    ),
  );
}

function handler(req: IncomingMessage, res: ServerResponse): void {
  const { status, contentType, body } = appFile(req.url ?? '/');
  res.writeHead(status, { 'content-type': contentType }).end(body);
}

/** base64 SHA-256 of the certificate's public key, the form Chromium's SPKI allow-list takes. */
function spkiHash(certFile: string): string {
  const der = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stockwire-e2e-tls-'));
  certs = makeTestCertificates(dir, 'Stockwire e2e');
  // config.json is answered at request time, so the pages' origins can go into allowed_origins first.
  https = createServer({ cert: readFileSync(certs.certFile), key: readFileSync(certs.keyFile) }, handler);
  appUrl = await listen(https, 'https', 'localhost');
  // The same app over plain http from another host name: a page every browser loads, so that refusing the
  // wss:// connection can only be about the certificate.
  http = createHttpServer(handler);
  plainAppUrl = await listen(http, 'http', '127.0.0.1');
  nats = await startNatsServer({
    storeDir: join(dir, 'store'),
    tls: { certFile: certs.certFile, keyFile: certs.keyFile },
    allowedOrigins: [appUrl, plainAppUrl],
  });
  admin = await connectNode({
    servers: nats.clientUrl,
    ...LOGINS.admin,
    maxReconnectAttempts: -1,
    timeoutMs: 5000,
    tls: { caFile: certs.caFile },
  });
  await provision(admin);
  await publishAll(admin, [
    {
      warehouse,
      event: { type: 'stock.corrected', product_name: product, location: 'A1', quantity: 7 },
      timestampMs: Date.now(),
    },
  ]);
  const project = test.info().project.use.launchOptions ?? {};
  trusting = await chromium.launch({
    ...project,
    args: [...(project.args ?? []), `--ignore-certificate-errors-spki-list=${spkiHash(certs.certFile)}`],
  });
});

test.afterAll(async () => {
  await trusting?.close();
  await admin?.close();
  await nats?.stop();
  for (const server of [https, http])
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(0)));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a Chromium that accepts the server key loads the app over https and shows live figures over wss://', async () => {
  const context = await trusting.newContext();
  try {
    const page = await context.newPage();
    // The engine's Web Worker opens the socket; Chromium reports it on the page all the same.
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await signIn(page, appUrl, 'display');
    expect(sockets.length).toBeGreaterThan(0);
    for (const url of sockets) expect(url).toMatch(/^wss:\/\//);
    await chooseWarehouse(page, warehouse);
    await expect(cell(page, product, 'A1')).toHaveText('7');
    await publishAll(admin, [
      {
        warehouse,
        event: { type: 'stock.sold', product_name: product, location: 'A1', quantity: 2 },
        timestampMs: Date.now(),
      },
    ]);
    await expect(cell(page, product, 'A1')).toHaveText('5');
  } finally {
    await context.close();
  }
});

async function signInOutcome(browser: Browser, url: string): Promise<string> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.getByLabel('User', { exact: true }).fill(LOGINS.display.user);
    await page.getByLabel('Password', { exact: true }).fill(LOGINS.display.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const connected = page.getByTestId('connection-state').and(page.locator('[data-state="connected"]'));
    const refused = page.getByRole('form', { name: 'Sign in' }).getByRole('alert');
    await expect(connected.or(refused)).toBeVisible();
    return (await connected.count()) > 0 ? 'connected' : ((await refused.textContent()) ?? '');
  } finally {
    await context.close();
  }
}

test('a Chromium that does not accept the certificate cannot reach the wss:// listener', async ({
  browser,
}) => {
  // The page comes over plain http, so only the WebSocket meets the certificate; the control connects.
  expect(await signInOutcome(trusting, plainAppUrl)).toBe('connected');
  expect(await signInOutcome(browser, plainAppUrl)).toMatch(/^The NATS server is unreachable/);
});
