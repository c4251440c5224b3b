/**
 * The trust boundary around JetStream, attacked the way a signed-in person with only the NATS protocol would
 * (docs/security.md). Every case was seen to work against the earlier single-account layout, where JetStream
 * wrote its replies to whatever subject the requester named; each test checks what the server stored, not
 * what the attacker was told. The attacks run over WebSocket in child processes; this file reads the result
 * as `admin` over TCP, on a server of its own (the consumer and connection limits are shared state).
 *
 * To see these tests catch the old layout: STOCKWIRE_ATTACK_CONF=<old nats-server.conf> (users named after
 * their roles, password stockwire-<role>) — they fail there.
 */
import { createConnection } from 'node:net';
import { headers } from '@nats-io/nats-core';
import { Base64UrlPaddedCodec } from '@nats-io/obj';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServerHandle } from '../../scripts/lib/nats-server.mjs';
import { readPeople } from '../../scripts/lib/people.mjs';
import { checkpointName } from '../../src/core/checkpoint-catalog';
import {
  deleteCheckpoint,
  listCheckpoints,
  readCheckpoint,
  writeCheckpoint,
} from '../../src/nats/checkpoint-store';
import { connectNode } from '../../src/nats/connect-node';
import type { NatsConnection } from '../../src/nats/connection';
import { jetStreamManagerOf } from '../../src/nats/jetstream-api';
import { kvManagerOf } from '../../src/nats/kv-api';
import { provision } from '../../src/nats/provision';
import { publishStockEvent } from '../../src/nats/publish';
import { runProbe } from '../support/child-probe';
import { uniqueToken } from '../support/unique';
import { LOGINS, SCOPED_MANAGER, type User } from '../support/users';
import { TEST_HEADER_NAMES } from '../../src/core/testing';

const OLD_CONF = process.env.STOCKWIRE_ATTACK_CONF;
type Person = Exclude<User, 'admin' | 'services'>;
const login = (role: Person) => (OLD_CONF ? { user: role, password: `stockwire-${role}` } : LOGINS[role]);

let server: NatsServerHandle;
let admin: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer(OLD_CONF ? { configPath: OLD_CONF } : {});
  admin = await connectNode({ servers: server.clientUrl, ...LOGINS.admin, maxReconnectAttempts: 0 });
  await provision(admin);
}, 60_000);

afterAll(async () => {
  await admin?.close();
  await server?.stop();
});

interface AttackResult {
  refusals: number;
  accepted: number;
  errors: string[];
}

function attack<T = AttackResult>(
  role: Person | { user: string; password: string },
  name: string,
  args: object,
) {
  const who = typeof role === 'string' ? login(role) : role;
  return runProbe<T>('ws-attack.ts', [server.wsUrl, who.user, who.password, name, JSON.stringify(args)]);
}

async function messagesOn(stream: string, subject: string): Promise<number> {
  const jsm = await jetStreamManagerOf(admin);
  const info = await jsm.streams.info(stream, { subjects_filter: subject });
  return info.state.subjects?.[subject] ?? 0;
}

async function defaultThreshold(): Promise<string | undefined> {
  const kv = await kvManagerOf(admin).open('stock_thresholds');
  return (await kv.get('default'))?.string();
}

const eventHeaders = () => ({
  myorg_format: 'application/json',
  myorg_type: 'stock.corrected',
  myorg_msg_id: crypto.randomUUID(),
  myorg_timestamp_ms: String(Date.now()),
});

describe('JetStream replies cannot be aimed at stream subjects', () => {
  it('procurement: a threshold value dressed as an event, fetched with the reply onto a warehouse subject, is not stored', async () => {
    const warehouse = uniqueToken('w');
    const product = 'Apples';
    const key = `zz${uniqueToken('k')}`.replace(/-/g, '');
    const payload = JSON.stringify({ product_name: product, location: 'A01', quantity: 0 });
    await attack('procurement', 'put-with-headers', {
      subject: `$KV.stock_thresholds.${key}`,
      payload,
      kv: true,
      headers: eventHeaders(),
    });
    await attack('procurement', 'direct-get-reply', {
      stream: 'KV_stock_thresholds',
      getSubject: `$KV.stock_thresholds.${key}`,
      replies: [`warehouse.${warehouse}.product.${product}`],
    });
    expect(await messagesOn('WAREHOUSE_EVENTS', `warehouse.${warehouse}.product.${product}`)).toBe(0);
  });

  it('manager: an event fetched with replies onto procurement, the default threshold and a stock level changes none', async () => {
    const warehouse = uniqueToken('w');
    const nc = admin;
    const before = await defaultThreshold();
    const published = await publishStockEvent(
      nc,
      warehouse,
      {
        type: 'stock.corrected',
        product_name: 'Apples',
        location: 'A01',
        quantity: 1_000_000,
      },
      { names: TEST_HEADER_NAMES, user: 'admin', id: crypto.randomUUID(), timestampMs: Date.now() },
    );
    if (!published.ok) throw new Error(published.message);
    await attack('manager', 'direct-get-reply', {
      stream: 'WAREHOUSE_EVENTS',
      seq: published.seq,
      replies: [
        `procurement.${warehouse}.product.Apples`,
        '$KV.stock_thresholds.default',
        `$KV.stock_levels.${warehouse}.Apples`,
      ],
    });
    expect(await messagesOn('PROCUREMENT_EVENTS', `procurement.${warehouse}.product.Apples`)).toBe(0);
    expect(await messagesOn('KV_stock_levels', `$KV.stock_levels.${warehouse}.Apples`)).toBe(0);
    expect(await defaultThreshold()).toBe(before);
  });

  it('display: a threshold or a purge marker fetched onto the default threshold and a stock level changes neither', async () => {
    const warehouse = uniqueToken('w');
    const kv = await kvManagerOf(admin).open('stock_thresholds');
    await kv.put(`${warehouse}.Pears`, JSON.stringify({ threshold: 1_000_000 }));
    const levels = await kvManagerOf(admin).open('stock_levels');
    await levels.put(`${warehouse}.Apples`, JSON.stringify({ quantity: 7 }));
    await levels.put(`${warehouse}.Gone`, '{}');
    await levels.purge(`${warehouse}.Gone`);
    const before = await defaultThreshold();
    await attack('display', 'direct-get-reply', {
      stream: 'KV_stock_thresholds',
      getSubject: `$KV.stock_thresholds.${warehouse}.Pears`,
      replies: ['$KV.stock_thresholds.default'],
    });
    await attack('display', 'direct-get-reply', {
      stream: 'KV_stock_levels',
      getSubject: `$KV.stock_levels.${warehouse}.Gone`,
      replies: [`$KV.stock_levels.${warehouse}.Apples`],
    });
    expect(await defaultThreshold()).toBe(before);
    expect((await levels.get(`${warehouse}.Apples`))?.operation).toBe('PUT');
  });

  it('any role: stream information requested in a loop with the reply onto a warehouse subject stores nothing', async () => {
    const warehouse = uniqueToken('w');
    for (const role of ['display', 'marketing'] as const) {
      await attack(role, 'stream-info-reply', {
        stream: 'WAREHOUSE_EVENTS',
        replies: [`warehouse.${warehouse}.product.Garbage`],
        times: 50,
      });
    }
    expect(await messagesOn('WAREHOUSE_EVENTS', `warehouse.${warehouse}.product.Garbage`)).toBe(0);
  });

  it('display: an event without an id fetched three times onto its own subject is stored once', async () => {
    const warehouse = uniqueToken('w');
    const subject = `warehouse.${warehouse}.product.Plums`;
    const js = (await import('../../src/nats/jetstream-api')).jetStreamOf(admin);
    const h = headers();
    h.set('myorg_format', 'application/json');
    h.set('myorg_type', 'stock.replenished');
    const ack = await js.publish(subject, JSON.stringify({ product_name: 'Plums', quantity: 5 }), {
      headers: h,
    });
    await attack('display', 'direct-get-reply', {
      stream: 'WAREHOUSE_EVENTS',
      seq: ack.seq,
      replies: [subject],
      times: 3,
    });
    expect(await messagesOn('WAREHOUSE_EVENTS', subject)).toBe(1);
  });

  it('a push consumer told to deliver into another stream or bucket stores nothing there', async () => {
    const warehouse = uniqueToken('w');
    const before = await defaultThreshold();
    await attack('display', 'push-consumer-deliver', {
      stream: 'WAREHOUSE_EVENTS',
      filter: 'warehouse.*.product.>',
      replies: [`procurement.${warehouse}.product.Apples`, '$KV.stock_thresholds.default'],
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(await messagesOn('PROCUREMENT_EVENTS', `procurement.${warehouse}.product.Apples`)).toBe(0);
    expect(await defaultThreshold()).toBe(before);
  });
});

describe('limits a read-only person cannot exceed', () => {
  it('display: 2,000 durable consumers are refused long before the last', async () => {
    const jsm = await jetStreamManagerOf(admin);
    const before = (await jsm.streams.info('WAREHOUSE_EVENTS')).state.consumer_count;
    const result = await attack<{ created: number; lastError: string }>('display', 'many-durables', {
      stream: 'WAREHOUSE_EVENTS',
      filter: 'warehouse.*.product.>',
      count: 2000,
    });
    // The stream takes 1,000 consumers in all (src/nats/names.ts), earlier tests' included.
    expect(result.created).toBe(1000 - before);
    expect(result.lastError).toMatch(/maximum consumers limit reached/i);
  }, 120_000);

  it('display: 100,000 subscriptions on its own inbox are refused past the per-connection cap', async () => {
    const result = await attack<{ made: number; refused: number }>('display', 'many-subscriptions', {
      count: 100_000,
    });
    // The account allows 500 per connection; the dashboard's own few are among them.
    expect(result.refused).toBeGreaterThanOrEqual(100_000 - 500);
  }, 60_000);

  it('manager: 900 KiB events are not stored (the server refuses them, whatever the client does)', async () => {
    const warehouse = uniqueToken('w');
    await attack('manager', 'big-events', {
      subject: `warehouse.${warehouse}.product.Big`,
      bytes: 900 * 1024,
      count: 5,
    });
    await attack('manager', 'big-events', {
      subject: `warehouse.${warehouse}.product.Big`,
      bytes: 20 * 1024,
      count: 5,
    });
    expect(await messagesOn('WAREHOUSE_EVENTS', `warehouse.${warehouse}.product.Big`)).toBe(0);
  }, 60_000);
});

describe('people, not shared role logins', () => {
  it.skipIf(OLD_CONF)('a manager of warehouse 46 may record events there and nowhere else', async () => {
    const product = uniqueToken('P');
    const ok = await attack(SCOPED_MANAGER, 'big-events', {
      subject: `warehouse.46.product.${product}`,
      bytes: 10,
    });
    const refused = await attack(SCOPED_MANAGER, 'big-events', {
      subject: `warehouse.52.product.${product}`,
      bytes: 10,
    });
    expect(ok.accepted).toBe(1);
    expect(refused.refusals).toBe(1);
    expect(await messagesOn('WAREHOUSE_EVENTS', `warehouse.46.product.${product}`)).toBe(1);
    expect(await messagesOn('WAREHOUSE_EVENTS', `warehouse.52.product.${product}`)).toBe(0);
  });

  it.skipIf(OLD_CONF)(
    "a revoked person's open connection ends within seconds; the others stay",
    async () => {
      const { people } = readPeople();
      const connected: Promise<void>[] = [];
      const watcher = (who: { user: string; password: string }) => {
        let ready!: () => void;
        connected.push(new Promise<void>((resolve) => (ready = resolve)));
        return runProbe<{ closedAfterMs: number | null }>(
          'ws-hold.ts',
          [server.wsUrl, who.user, who.password, '8000'],
          20_000,
          (line) => {
            if (line === '{"connected":true}') ready();
          },
        );
      };
      const revoked = watcher(LOGINS.display);
      const kept = watcher({ user: 'wall-52', password: 'stockwire-wall-52' });
      // Revoked only once both are signed in: a slow start would otherwise be refused at sign-in instead.
      await Promise.race([Promise.all(connected), revoked, kept]);
      const t0 = Date.now();
      await server.setPeople(people.filter((p) => p.user !== LOGINS.display.user));
      const [gone, still] = await Promise.all([revoked, kept]);
      expect(gone.closedAfterMs).not.toBeNull();
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(still.closedAfterMs).toBeNull();
      await server.setPeople(people);
    },
    30_000,
  );
});

describe('the WebSocket listener before sign-in', () => {
  it('survives a frame whose 64-bit length has its top bit set', async () => {
    const socket = createConnection({ host: '127.0.0.1', port: server.wsPort });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write(
      'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    // FIN+binary, masked, 64-bit length 0x8000000000000000, a mask, four bytes: 18 bytes in all.
    socket.write(Buffer.from([0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]));
    await new Promise((r) => setTimeout(r, 500));
    socket.destroy();
    const health = await fetch(`http://127.0.0.1:${server.httpPort}/healthz`);
    expect(health.ok).toBe(true);
    expect(admin.isClosed()).toBe(false);
    await admin.flush();
  });
});

describe('shared checkpoints (an object store people may only read)', () => {
  it('marketing and manager read a checkpoint but cannot put, delete or purge; services writes and prunes', async () => {
    const services = await connectNode({
      servers: server.clientUrl,
      ...LOGINS.services,
      maxReconnectAttempts: 0,
    });
    try {
      const bytes = new TextEncoder().encode(`checkpoint ${uniqueToken('c')}`.repeat(20_000));
      const seq = 1 + Math.floor(Math.random() * 1e9);
      const tag = {
        name: checkpointName(99, seq),
        seq,
        viewsVersion: 99,
        streamCreated: 'test',
        maxEventMs: 0,
      };
      await writeCheckpoint(services, tag, bytes);
      const jsm = await jetStreamManagerOf(admin);
      const before = (await jsm.streams.info('OBJ_checkpoints')).state;
      // Not display: the revocation test above may leave it revoked when it fails.
      for (const role of ['marketing', 'manager'] as const) {
        const result = await attack<AttackResult & { listed: number; read: number | null }>(
          role,
          'object-store',
          { stream: 'checkpoints', subject: tag.name, replies: [] },
        );
        expect(result, role).toMatchObject({ read: bytes.length, accepted: 0 });
        // put, delete, three API calls and two raw publishes, each under both names.
        expect(result.refusals, role).toBeGreaterThanOrEqual(10);
        expect(
          result.errors.filter((e) => !/Permissions Violation/.test(e)),
          role,
        ).toEqual([]);
        expect(result.listed, role).toBeGreaterThanOrEqual(1);
      }
      const after = (await jsm.streams.info('OBJ_checkpoints')).state;
      expect({ messages: after.messages, bytes: after.bytes }).toEqual({
        messages: before.messages,
        bytes: before.bytes,
      });
      expect(await readCheckpoint(admin, tag.name)).toEqual(bytes);
      expect((await listCheckpoints(admin)).tags.map((t) => t.name)).not.toContain('planted');
      // Only a writer prunes, and the pruning leaves no tombstone behind for every listing to read.
      await deleteCheckpoint(services, tag.name);
      expect((await listCheckpoints(admin)).tags.map((t) => t.name)).not.toContain(tag.name);
      const meta = `$O.checkpoints.M.${Base64UrlPaddedCodec.encode(tag.name)}`;
      expect(await messagesOn('OBJ_checkpoints', meta)).toBe(0);
    } finally {
      await services.close();
    }
  }, 90_000);
});
