import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startNatsServer, type NatsServerHandle } from '../../scripts/lib/nats-server.mjs';
import type { NatsConnection } from '../../src/nats/connection';
import { watchConnection, type ConnectionChange } from '../../src/nats/status';
import { readUntil } from '../support/iterate';
import { connectTcp } from '../support/node-nats';

// A server of its own: this test stops it.
let server: NatsServerHandle;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectTcp(server.clientUrl, 'admin');
});
afterAll(async () => {
  await server?.stop();
  if (server) rmSync(server.storeDir, { recursive: true, force: true });
});

const states = (changes: ConnectionChange[]) => changes.map((c) => c.state);

test('reports connected, the outage, the reconnect and the close, then ends', async () => {
  const abort = new AbortController();
  const changes = watchConnection(nc, abort.signal);
  expect(states(await readUntil(changes, (c) => c.length === 1))).toEqual(['connected']);

  await server.stop();
  const outage = await readUntil(changes, (c) => c.some((x) => x.state === 'reconnecting'));
  expect(states(outage)).toEqual(['disconnected', 'reconnecting']);
  expect(outage[0]!.detail).toContain(String(server.clientPort));

  await server.restart();
  const back = await readUntil(changes, (c) => c.some((x) => x.state === 'connected'), 15_000);
  expect(states(back).at(-1)).toBe('connected');
  expect(back.at(-1)!.atMs).toBeGreaterThanOrEqual(outage[0]!.atMs);

  await nc.close();
  const end = await readUntil(changes, () => false, 5000);
  expect(states(end)).toEqual(['closed']);
});

test('stops on abort', async () => {
  const other = await connectTcp(server.clientUrl, 'admin');
  const abort = new AbortController();
  const changes = watchConnection(other, abort.signal);
  await readUntil(changes, (c) => c.length === 1);
  abort.abort();
  expect(await readUntil(changes, () => false, 5000)).toEqual([]);
  await other.close();
});
