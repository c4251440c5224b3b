/**
 * wss:// and TLS on the client port (docs/tls.md), with a CA and a server certificate this test makes with
 * openssl. The server runs the repository's nats-server.conf with `tls {}` instead of `no_tls: true`.
 * This file uses TCP only; the browser roles sign in from child processes (one transport per process), which
 * trust the CA through NODE_EXTRA_CA_CERTS — the Node counterpart of a CA installed in the browser's system.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { startNatsServer, type NatsServerHandle } from '../../scripts/lib/nats-server.mjs';
import { connectNode } from '../../src/nats/connect-node';
import type { NatsConnection } from '../../src/nats/connection';
import { classifyNatsError } from '../../src/nats/errors';
import { provision } from '../../src/nats/provision';
import { publishStockEvent } from '../../src/nats/publish';
import { runProbe } from '../support/child-probe';
import { makeTestCertificates, type TestCertificates } from '../support/tls-certs';
import { claimTransport } from '../support/transport';
import { uniqueToken } from '../support/unique';
import { LOGINS } from '../support/users';
import type { WssProbeResult } from '../support/wss-probe';
import { killWorkers, readBucket, spawnWorker, waitFor } from '../workers/helpers';
import { TEST_HEADER_NAMES } from '../../src/core/testing';

const NOT_TRUSTED = 'unable to verify the first certificate';

let dir: string;
let certs: TestCertificates;
/** An unrelated CA: trusting it must not make our server's certificate acceptable. */
let otherCa: string;
let server: NatsServerHandle;
let admin: NatsConnection;
const product = uniqueToken('Pears');
const seeded = [randomUUID(), randomUUID(), randomUUID()];

/**
 * Runs `start` (which spawns a child, copying process.env) with exactly the given variables set or unset, and
 * restores them at once, so that neither this process nor later children keep them.
 */
function withEnv<T>(env: Record<string, string | undefined>, start: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const assign = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  assign(env);
  try {
    return start();
  } finally {
    assign(saved);
  }
}

function probe(env: Record<string, string | undefined>, args: string[]): Promise<WssProbeResult> {
  return withEnv(env, () => runProbe<WssProbeResult>('wss-probe.ts', args));
}

const trusting = () => ({ NODE_EXTRA_CA_CERTS: certs.caFile });
const trustingNothing = { NODE_EXTRA_CA_CERTS: undefined };

async function tcpError(servers: string, tls?: { caFile: string }): Promise<string> {
  try {
    const nc = await connectNode({
      servers,
      ...LOGINS.services,
      maxReconnectAttempts: 0,
      timeoutMs: 5000,
      ...(tls ? { tls } : {}),
    });
    await nc.close();
    return 'connected';
  } catch (err) {
    return classifyNatsError(err).message;
  }
}

beforeAll(async () => {
  claimTransport('tcp');
  // The variable must not leak in from the environment running the tests: the refusals below rely on it.
  delete process.env.NODE_EXTRA_CA_CERTS;
  dir = mkdtempSync(join(tmpdir(), 'stockwire-tls-'));
  certs = makeTestCertificates(join(dir, 'ours'), 'Stockwire');
  otherCa = makeTestCertificates(join(dir, 'other'), 'Unrelated').caFile;
  server = await startNatsServer({
    storeDir: join(dir, 'store'),
    tls: { certFile: certs.certFile, keyFile: certs.keyFile },
  });
  admin = await connectNode({
    servers: server.clientUrl,
    ...LOGINS.admin,
    maxReconnectAttempts: -1,
    timeoutMs: 5000,
    tls: { caFile: certs.caFile },
  });
  await provision(admin);
  for (const id of seeded) {
    const ack = await publishStockEvent(
      admin,
      '46',
      { type: 'stock.replenished', product_name: product, location: 'A1', quantity: 5 },
      { names: TEST_HEADER_NAMES, user: 'admin', id, timestampMs: Date.now() },
    );
    expect(ack.ok).toBe(true);
  }
});

afterAll(async () => {
  await killWorkers();
  await admin?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the server serves TLS on the WebSocket listener and requires it on the client port', () => {
  expect(server.wsUrl).toMatch(/^wss:\/\//);
  const log = readFileSync(server.logPath, 'utf8');
  expect(log).toContain(`Listening for websocket clients on wss://127.0.0.1:${server.wsPort}`);
  expect(log).toContain('TLS required for client connections');
  expect(log).not.toContain('DO NOT USE IN PRODUCTION');
});

describe('browser roles over wss://', () => {
  test('display, trusting the CA, signs in and replays the stream to its end', async () => {
    const result = await probe(trusting(), [server.wsUrl, 'display', 'replay']);
    expect(result).toEqual({ kind: 'replayed', ids: seeded, lastSeq: seeded.length });
  });

  test('the certificate also covers the name localhost', async () => {
    const url = server.wsUrl.replace('127.0.0.1', 'localhost');
    const result = await probe(trusting(), [url, 'marketing', 'replay']);
    expect(result).toMatchObject({ kind: 'replayed', lastSeq: seeded.length });
  });

  test('a client that does not trust the CA is refused before signing in', async () => {
    const result = await probe(trustingNothing, [server.wsUrl, 'display', 'replay']);
    expect(result).toMatchObject({ kind: 'unreachable' });
    expect((result as { message: string }).message).toContain(NOT_TRUSTED);
  });

  test('a client that trusts another CA is refused', async () => {
    const result = await probe({ NODE_EXTRA_CA_CERTS: otherCa }, [server.wsUrl, 'display', 'replay']);
    expect(result).toMatchObject({ kind: 'unreachable' });
    expect((result as { message: string }).message).toContain(NOT_TRUSTED);
  });

  test('plain ws:// to the TLS listener fails: the server answers the clear-text upgrade with HTTP 400', async () => {
    const plain = server.wsUrl.replace(/^wss:/, 'ws:');
    const result = await probe(trusting(), [plain, 'display', 'replay']);
    expect(result).toMatchObject({ kind: 'unreachable' });
    expect((result as { message: string }).message).toContain('Unexpected server response: 400');
  });
});

describe('workers over TCP with TLS', () => {
  test('the projector with NATS_CA connects, and an event the manager publishes over wss:// reaches stock_levels', async () => {
    // Only NATS_CA: Node's trust store alone (no NODE_EXTRA_CA_CERTS) would refuse the server.
    const projector = withEnv({ NATS_CA: certs.caFile, NODE_EXTRA_CA_CERTS: undefined }, () =>
      spawnWorker('projector', server.clientUrl),
    );
    const connected = await projector.waitForLog((l) => l.msg === 'connected', 'connected');
    expect(connected.server).toBe(`127.0.0.1:${server.clientPort}`);
    await projector.waitForLog((l) => l.msg === 'ready', 'ready');

    const published = await probe(trusting(), [
      server.wsUrl,
      'manager',
      'publish',
      '46',
      product,
      randomUUID(),
    ]);
    expect(published).toEqual({ kind: 'published', seq: seeded.length + 1 });
    const level = await waitFor(async () => {
      const value = (await readBucket(admin)).get(`46.${product}`);
      return value !== undefined && JSON.parse(value).last_seq === seeded.length + 1 ? value : undefined;
    }, 'the projected level of the manager event');
    expect(JSON.parse(level)).toMatchObject({ quantity: 5 * seeded.length + 1 });
    await projector.kill('SIGTERM');
  });

  test('without the CA, or with another CA, the client port refuses the connection', async () => {
    expect(await tcpError(server.clientUrl)).toContain(NOT_TRUSTED);
    expect(await tcpError(server.clientUrl, { caFile: otherCa })).toContain(NOT_TRUSTED);
    expect(await tcpError(server.clientUrl, { caFile: certs.caFile })).toBe('connected');
  });

  test('a client given a CA refuses a server that offers no TLS instead of sending the password in clear', async () => {
    const plainServer = inject('nats').clientUrl;
    expect(await tcpError(plainServer)).toBe('connected');
    expect(await tcpError(plainServer, { caFile: certs.caFile })).toContain("server does not support 'tls'");
  });
});
