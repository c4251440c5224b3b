/**
 * The permission matrix of the browser roles, probed over WebSocket as the dashboard connects: every row is
 * one subject or client call with the outcome nats-server.conf must give each role. "allowed" means the
 * server let it through and did what was asked (or answered a JetStream error that is not a permission
 * refusal, where saying so is the point); "denied" means a permission violation. Anything else (a timeout,
 * a refused sign-in) fails the row. TCP sign-ins run in child processes: nats.js keeps one transport per
 * process, and this one uses WebSocket.
 */
import { nuid } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { NatsConnection } from '../../src/nats/connection';
import { classifyNatsError } from '../../src/nats/errors';
import { watchBucket } from '../../src/nats/kv-watch';
import { personInboxPrefix } from '../../src/nats/names';
import { publishStockEvent } from '../../src/nats/publish';
import { replayStream } from '../../src/nats/replay';
import { runProbe } from '../support/child-probe';
import { readUntil } from '../support/iterate';
import { BROWSER_USERS, LOGINS } from '../support/users';
import { connectWs, connectWsError } from '../support/ws-nats';
import { TEST_HEADER_NAMES } from '../../src/core/testing';

type Role = (typeof BROWSER_USERS)[number];
type Outcome = 'allowed' | 'denied';

const { wsUrl, clientUrl } = inject('nats');
const connections = new Map<Role, NatsConnection>();
/** probe name → role → what happened (for the printed table). */
const seen = new Map<string, Map<Role, string>>();

beforeAll(async () => {
  for (const role of BROWSER_USERS) connections.set(role, await connectWs(wsUrl, role));
});

afterAll(async () => {
  for (const nc of connections.values()) await nc.close();
  const width = Math.max(...[...seen.keys()].map((k) => k.length));
  const header = `${'probe'.padEnd(width)} | ${BROWSER_USERS.map((r) => r.padEnd(11)).join(' | ')}`;
  const rows = [...seen].map(
    ([probe, byRole]) =>
      `${probe.padEnd(width)} | ${BROWSER_USERS.map((r) => (byRole.get(r) ?? '-').padEnd(11)).join(' | ')}`,
  );
  console.log(['', header, '-'.repeat(header.length), ...rows].join('\n'));
});

const STREAMS = ['WAREHOUSE_EVENTS', 'PROCUREMENT_EVENTS', 'KV_stock_levels', 'KV_stock_thresholds'] as const;
const READ_FILTERS: Record<string, string> = {
  WAREHOUSE_EVENTS: 'warehouse.*.product.>',
  PROCUREMENT_EVENTS: 'procurement.*.product.>',
  KV_stock_levels: '$KV.stock_levels.>',
  KV_stock_thresholds: '$KV.stock_thresholds.>',
  KV_worker_status: '$KV.worker_status.>',
};

/** What a refused or failed call says, reduced to the matrix's words. */
function outcomeOf(err: unknown): string {
  // A subject the person's account does not import has nobody to answer it: unreachable, which is denial.
  if (err instanceof Error && (err.name === 'NoRespondersError' || /no responders/i.test(err.message))) {
    return 'denied';
  }
  const c = classifyNatsError(err);
  return c.kind === 'permission' ? 'denied' : `${c.kind}: ${c.message}`;
}

/** A request; any reply counts as allowed unless `check` finds it wrong. */
async function request(
  nc: NatsConnection,
  subject: string,
  body: unknown = '',
  check?: (reply: string) => string | undefined,
): Promise<string> {
  try {
    const reply = await nc.request(subject, typeof body === 'string' ? body : JSON.stringify(body), {
      timeout: 5000,
    });
    const problem = check?.(reply.string());
    return problem ?? 'allowed';
  } catch (err) {
    return outcomeOf(err);
  }
}

/** A JetStream API reply without an `error` field. */
const noApiError = (reply: string): string | undefined => {
  const parsed = JSON.parse(reply) as { error?: { description?: string } };
  return parsed.error ? `api error: ${parsed.error.description}` : undefined;
};

/** Creates a consumer the way an ordered consumer does (name and filter in the subject, no durable). */
function createConsumer(nc: NatsConnection, stream: string, name: string, filter: string): Promise<string> {
  return request(
    nc,
    `JS.STOCK.API.CONSUMER.CREATE.${stream}.${name}.${filter}`,
    {
      stream_name: stream,
      config: {
        name,
        filter_subject: filter,
        deliver_policy: 'last',
        ack_policy: 'none',
        mem_storage: true,
        num_replicas: 1,
        // Browser roles may not delete consumers: the server removes this one soon.
        inactive_threshold: 5_000_000_000,
      },
    },
    noApiError,
  );
}

async function subscribe(nc: NatsConnection, subject: string): Promise<string> {
  const sub = nc.subscribe(subject);
  // The server answers the SUB before the PING of the flush: a refusal has arrived once the flush returns.
  const first = await Promise.race([
    sub.closed.then((e): { closed: unknown } => ({ closed: e })),
    nc.flush().then(() => null),
  ]);
  // Let a refusal that arrived with the PONG settle the subscription first.
  await new Promise((r) => setTimeout(r, 0));
  if (first === null && !sub.isClosed()) {
    sub.unsubscribe();
    return 'allowed';
  }
  return outcomeOf(first === null ? await sub.closed : first.closed);
}

async function watch(nc: NatsConnection, bucket: string): Promise<string> {
  const abort = new AbortController();
  try {
    await readUntil(watchBucket(nc, { bucket, signal: abort.signal }), (b) => b.at(-1)?.initialDone === true);
    return 'allowed';
  } catch (err) {
    return outcomeOf(err);
  } finally {
    abort.abort();
  }
}

async function replayFromEnd(nc: NatsConnection, stream: string): Promise<string> {
  const abort = new AbortController();
  try {
    // Far past the end: the consumer is created and reports nothing pending at once.
    await readUntil(
      replayStream(nc, { stream, fromSeq: 1e12, signal: abort.signal }),
      (b) => b.at(-1)?.caughtUp === true,
    );
    return 'allowed';
  } catch (err) {
    return outcomeOf(err);
  } finally {
    abort.abort();
  }
}

interface Probe {
  name: string;
  /** Roles for which the outcome is `allowed`; every other role must be denied. */
  allowed: readonly Role[];
  run(nc: NatsConnection, role: Role): Promise<string>;
}

const ALL: readonly Role[] = BROWSER_USERS;
const NONE: readonly Role[] = [];
const otherRole = (role: Role): Role => (role === 'display' ? 'manager' : 'display');
const sold = (product: string) => ({
  type: 'stock.sold' as const,
  product_name: product,
  location: 'A1',
  quantity: 1,
});

const PROBES: Probe[] = [
  // Publishing events and writing buckets.
  {
    name: 'publish stock event warehouse.w1.product.<p>',
    allowed: ['manager'],
    run: async (nc) => {
      const r = await publishStockEvent(nc, 'w1', sold(`Matrix-${nuid.next()}`), {
        names: TEST_HEADER_NAMES,
        user: 'admin',
        id: crypto.randomUUID(),
        timestampMs: Date.now(),
      });
      return r.ok ? 'allowed' : r.kind === 'permission' ? 'denied' : `${r.kind}: ${r.message}`;
    },
  },
  {
    name: 'publish warehouse.w1.product.<p>.extra',
    allowed: NONE,
    run: (nc) => request(nc, `warehouse.w1.product.Matrix.extra`, '{}'),
  },
  {
    name: 'publish procurement.w1.product.<p>',
    allowed: NONE,
    run: (nc) => request(nc, `procurement.w1.product.Matrix-${nuid.next()}`, '{}'),
  },
  {
    name: 'write $KV.stock_levels.<key>',
    allowed: NONE,
    run: (nc) => request(nc, `$KV.stock_levels.w1.Matrix-${nuid.next()}`, '{"quantity":1}'),
  },
  {
    name: 'write JS.STOCK.API.$KV.stock_thresholds.<key>',
    allowed: ['procurement'],
    run: (nc) =>
      request(
        nc,
        `JS.STOCK.API.$KV.stock_thresholds.w1.Matrix-${nuid.next()}`,
        '{"threshold":3}',
        noApiError,
      ),
  },
  {
    name: 'write $KV.worker_status.<key>',
    allowed: NONE,
    run: (nc) => request(nc, `$KV.worker_status.matrix`, '{}'),
  },

  // Reading: stream info, gets, ordered consumers, KV watches.
  ...STREAMS.map((s): Probe => ({
    name: `JS.STOCK.API.STREAM.INFO.${s}`,
    allowed: ALL,
    run: (nc) => request(nc, `JS.STOCK.API.STREAM.INFO.${s}`, '', noApiError),
  })),
  {
    name: 'direct get WAREHOUSE_EVENTS last of warehouse.*.product.>',
    allowed: ALL,
    run: (nc) =>
      request(nc, 'JS.STOCK.API.DIRECT.GET.WAREHOUSE_EVENTS', { last_by_subj: 'warehouse.*.product.>' }),
  },
  {
    name: 'direct get KV_stock_thresholds key default',
    allowed: ALL,
    run: (nc) =>
      request(nc, 'JS.STOCK.API.DIRECT.GET.KV_stock_thresholds.$KV.stock_thresholds.default', '', (reply) =>
        reply.includes('threshold') ? undefined : `unexpected reply ${reply}`,
      ),
  },
  ...Object.entries(READ_FILTERS).map(([s, filter]): Probe => ({
    name: `ordered consumer create on ${s}`,
    allowed: ALL,
    run: (nc) => createConsumer(nc, s, `oc_${nuid.next()}`, filter),
  })),
  {
    name: 'replay WAREHOUSE_EVENTS (replayStream)',
    allowed: ALL,
    run: (nc) => replayFromEnd(nc, 'WAREHOUSE_EVENTS'),
  },
  ...['stock_levels', 'stock_thresholds', 'worker_status'].map((b): Probe => ({
    name: `KV watch ${b}`,
    allowed: ALL,
    run: (nc) => watch(nc, b),
  })),
  {
    name: 'consumer create on WAREHOUSE_EVENTS, filter outside it',
    allowed: NONE,
    run: (nc) => createConsumer(nc, 'WAREHOUSE_EVENTS', `oc_${nuid.next()}`, 'procurement.*.product.>'),
  },
  {
    name: 'consumer create, no filter in the subject',
    allowed: NONE,
    run: (nc) =>
      request(nc, 'JS.STOCK.API.CONSUMER.CREATE.WAREHOUSE_EVENTS', {
        stream_name: 'WAREHOUSE_EVENTS',
        config: { ack_policy: 'none', mem_storage: true },
      }),
  },

  // The workers' consumers.
  ...(['projector', 'notifier'] as const).map((name): Probe => ({
    name: `consumer create named ${name}`,
    allowed: NONE,
    run: (nc) => createConsumer(nc, 'WAREHOUSE_EVENTS', name, 'warehouse.*.product.>'),
  })),
  {
    name: 'durable create named projector',
    allowed: NONE,
    run: (nc) =>
      request(nc, 'JS.STOCK.API.CONSUMER.DURABLE.CREATE.WAREHOUSE_EVENTS.projector', {
        stream_name: 'WAREHOUSE_EVENTS',
        config: { durable_name: 'projector', ack_policy: 'none' },
      }),
  },
  {
    name: 'consumer create named notifier on KV_stock_levels',
    allowed: NONE,
    run: (nc) => createConsumer(nc, 'KV_stock_levels', 'notifier', '$KV.stock_levels.>'),
  },
  ...(['projector', 'notifier'] as const).map((name): Probe => ({
    name: `pull from durable ${name}`,
    allowed: NONE,
    run: (nc) =>
      request(nc, `JS.STOCK.API.CONSUMER.MSG.NEXT.WAREHOUSE_EVENTS.${name}`, { batch: 1, no_wait: true }),
  })),
  {
    name: 'pull from durable notifier on KV_stock_levels',
    allowed: NONE,
    run: (nc) =>
      request(nc, 'JS.STOCK.API.CONSUMER.MSG.NEXT.KV_stock_levels.notifier', { batch: 1, no_wait: true }),
  },
  {
    name: 'consumer delete projector',
    allowed: NONE,
    run: (nc) => request(nc, 'JS.STOCK.API.CONSUMER.DELETE.WAREHOUSE_EVENTS.projector'),
  },
  {
    name: 'consumer delete (own ordered consumer)',
    allowed: NONE,
    run: async (nc) => {
      const name = `oc_${nuid.next()}`;
      const created = await createConsumer(nc, 'WAREHOUSE_EVENTS', name, 'warehouse.*.product.>');
      if (created !== 'allowed') return `setup: ${created}`;
      return request(nc, `JS.STOCK.API.CONSUMER.DELETE.WAREHOUSE_EVENTS.${name}`);
    },
  },
  {
    name: 'JS.STOCK.API.CONSUMER.NAMES.WAREHOUSE_EVENTS',
    allowed: NONE,
    run: (nc) => request(nc, 'JS.STOCK.API.CONSUMER.NAMES.WAREHOUSE_EVENTS', {}),
  },

  // Account-wide API.
  {
    // People's accounts have no JetStream of their own and do not import the API under its own name.
    name: '$JS.API.STREAM.INFO.WAREHOUSE_EVENTS (unprefixed)',
    allowed: NONE,
    run: (nc) => request(nc, '$JS.API.STREAM.INFO.WAREHOUSE_EVENTS', '', noApiError),
  },
  { name: 'JS.STOCK.API.INFO (account info)', allowed: NONE, run: (nc) => request(nc, 'JS.STOCK.API.INFO') },
  {
    name: 'JS.STOCK.API.STREAM.LIST',
    allowed: NONE,
    run: (nc) => request(nc, 'JS.STOCK.API.STREAM.LIST', {}),
  },
  {
    name: 'JS.STOCK.API.STREAM.NAMES',
    allowed: NONE,
    run: (nc) => request(nc, 'JS.STOCK.API.STREAM.NAMES', {}),
  },
  {
    name: 'JS.STOCK.API.STREAM.CREATE.<new stream>',
    allowed: NONE,
    run: (nc) => {
      const name = `MATRIX_${nuid.next()}`;
      return request(nc, `JS.STOCK.API.STREAM.CREATE.${name}`, {
        name,
        subjects: [`matrix.${name}.>`],
        storage: 'memory',
      });
    },
  },

  // Subscriptions: only the role's own inbox.
  { name: 'subscribe >', allowed: NONE, run: (nc) => subscribe(nc, '>') },
  { name: 'subscribe warehouse.>', allowed: NONE, run: (nc) => subscribe(nc, 'warehouse.>') },
  { name: 'subscribe $KV.stock_levels.>', allowed: NONE, run: (nc) => subscribe(nc, '$KV.stock_levels.>') },
  { name: 'subscribe _INBOX.>', allowed: NONE, run: (nc) => subscribe(nc, '_INBOX.>') },
  {
    name: "subscribe another role's inbox",
    allowed: NONE,
    run: (nc, role) => subscribe(nc, `${personInboxPrefix(LOGINS[otherRole(role)].user)}.>`),
  },
  { name: "subscribe services' inbox", allowed: NONE, run: (nc) => subscribe(nc, '_INBOX_services.>') },
  {
    name: 'subscribe own inbox',
    allowed: ALL,
    run: (nc, role) => subscribe(nc, `${personInboxPrefix(LOGINS[role].user)}.matrix.>`),
  },

  // Changing or destroying streams and buckets: last, so that a wrongly allowed one spoils nothing above.
  ...STREAMS.flatMap((s): Probe[] => [
    {
      name: `JS.STOCK.API.STREAM.CREATE.${s}`,
      allowed: NONE,
      run: (nc) => request(nc, `JS.STOCK.API.STREAM.CREATE.${s}`, {}),
    },
    // An empty config: were it allowed, the server would refuse it instead of changing the stream.
    {
      name: `JS.STOCK.API.STREAM.UPDATE.${s}`,
      allowed: NONE,
      run: (nc) => request(nc, `JS.STOCK.API.STREAM.UPDATE.${s}`, {}),
    },
    {
      name: `JS.STOCK.API.STREAM.MSG.DELETE.${s}`,
      allowed: NONE,
      run: (nc) => request(nc, `JS.STOCK.API.STREAM.MSG.DELETE.${s}`, { seq: 1, no_erase: true }),
    },
    {
      name: `JS.STOCK.API.STREAM.PURGE.${s}`,
      allowed: NONE,
      // A filter nothing matches: were it allowed, nothing would be lost.
      run: (nc) => request(nc, `JS.STOCK.API.STREAM.PURGE.${s}`, { filter: 'matrix.nothing' }),
    },
    {
      name: `JS.STOCK.API.STREAM.DELETE.${s}`,
      allowed: NONE,
      run: (nc) => request(nc, `JS.STOCK.API.STREAM.DELETE.${s}`),
    },
  ]),
];

test(`the matrix has at least 25 probes per role, each role with allowed and denied rows`, () => {
  expect(PROBES.length).toBeGreaterThanOrEqual(25);
  for (const role of BROWSER_USERS) {
    expect(PROBES.some((p) => p.allowed.includes(role))).toBe(true);
    expect(PROBES.some((p) => !p.allowed.includes(role))).toBe(true);
  }
});

// Probe by probe, each over every role: a destructive call that is wrongly allowed (last rows) then spoils
// only the rows after it, not whole roles.
describe.each(PROBES.map((p) => [p.name, p] as const))('%s', (name, probe) => {
  test.each(BROWSER_USERS)('as %s', async (role) => {
    const expected: Outcome = probe.allowed.includes(role) ? 'allowed' : 'denied';
    const actual = await probe.run(connections.get(role)!, role);
    const row = seen.get(name) ?? new Map<Role, string>();
    row.set(role, actual === expected ? actual : `${actual} ✗ (want ${expected})`);
    seen.set(name, row);
    expect(actual).toBe(expected);
  });
});

describe('signing in', () => {
  type SignIn = { kind: string; message?: string };
  const tcp = (...credentials: string[]) =>
    runProbe<SignIn>('tcp-signin-probe.ts', [clientUrl, ...credentials]);

  test('an anonymous connect is refused on the WebSocket port', async () => {
    expect(outcomeOf(await connectWsError(wsUrl, {}))).toMatch(/^auth:/);
  });

  test('an anonymous connect is refused on the client (TCP) port', async () => {
    expect(await tcp()).toMatchObject({ kind: 'auth' });
  });

  test.each(BROWSER_USERS)(
    'the browser credential of %s is refused on the client (TCP) port',
    async (role) => {
      expect(await tcp(LOGINS[role].user, LOGINS[role].password)).toMatchObject({ kind: 'auth' });
    },
  );

  test('control: services signs in on the client port, so the probe can tell the difference', async () => {
    expect(await tcp(LOGINS.services.user, LOGINS.services.password)).toEqual({ kind: 'connected' });
  });
});
