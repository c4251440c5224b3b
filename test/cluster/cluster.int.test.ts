/**
 * Three nats-server nodes in one JetStream cluster, streams and buckets with 3 replicas. While events are
 * published (each retried with the same id until acknowledged) and a replay follows the stream live, the
 * node that both the reader and the publisher are connected to — and that leads the stream — is SIGKILLed.
 * Afterwards: every acknowledged event is stored exactly once, the reader carried on through another node
 * and saw every event, a client started while the node was down connected through the next one in its list,
 * and the killed node, restarted, rejoined and holds the same last sequence.
 */
import { rmSync } from 'node:fs';
import { jetstreamManager, type StreamInfo } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { jetstreamInfo, startNatsCluster, type NatsCluster } from '../../scripts/lib/nats-cluster.mjs';
import type { NatsServerHandle } from '../../scripts/lib/nats-server.mjs';
import { decodeStockMessage } from '../../src/core/codec';
import { connectionOptions, type NatsConnection } from '../../src/nats/connection';
import { STREAMS } from '../../src/core/resources';
import { EXPECTED_BUCKETS, EXPECTED_STREAMS, kvStreamName } from '../../src/nats/names';
import { provision } from '../../src/nats/provision';
import { publishStockEvent } from '../../src/nats/publish';
import { replayStream, streamState } from '../../src/nats/replay';
import { readWholeStream } from '../support/read-stream';
import { claimTransport } from '../support/transport';
import { uniqueToken } from '../support/unique';
import { PASSWORDS, type User } from '../support/users';
import { TEST_HEADER_NAMES } from '../../src/core/testing';

const TOTAL = 3000;
const KILL_AT_ACKED = 1000;
const RESTART_AT_ACKED = 2000;
const IN_FLIGHT = 16;
/** An event not acknowledged within this long counts as a failure (a leader election takes a few seconds). */
const GIVE_UP_MS = 20_000;

let cluster: NatsCluster;
const connections: NatsConnection[] = [];

/** Connected to `first` (the client shuffles the list unless told not to), with the others to fail over to. */
async function connectVia(first: NatsServerHandle, user: User): Promise<NatsConnection> {
  claimTransport('tcp');
  const others = cluster.nodes.filter((n) => n !== first).map((n) => n.clientUrl);
  const nc = await connect({
    ...connectionOptions({
      servers: [first.clientUrl, ...others],
      user,
      password: PASSWORDS[user],
      name: `cluster-test-${user}`,
      timeoutMs: 5000,
    }),
    noRandomize: true,
  });
  connections.push(nc);
  return nc;
}

function serverName(nc: NatsConnection): string {
  return nc.info?.server_name ?? '?';
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`,
  );
}

/** The stream's last sequence in this node's own store, from its monitoring port. */
async function localLastSeq(node: NatsServerHandle, stream: string): Promise<number | undefined> {
  const jsz = await jetstreamInfo(node.httpPort, '?accounts=true&streams=true');
  const details = (jsz?.account_details ?? []) as {
    stream_detail?: { name: string; state: { last_seq: number } }[];
  }[];
  return details.flatMap((a) => a.stream_detail ?? []).find((s) => s.name === stream)?.state.last_seq;
}

beforeAll(async () => {
  const suffix = uniqueToken('c');
  cluster = await startNatsCluster({ names: ['n1', 'n2', 'n3'].map((n) => `${n}-${suffix}`) });
  const admin = await connectVia(cluster.nodes[0]!, 'admin');
  const report = await provision(admin, { replicas: 3 });
  expect(report.drift).toEqual([]);
  // Provisioning again with the same count finds nothing to change; another count is reported, not applied.
  expect((await provision(admin, { replicas: 3 })).drift).toEqual([]);
  expect((await provision(admin, { replicas: 1 })).drift).toContainEqual({
    resource: STREAMS.warehouse,
    field: 'num_replicas',
    expected: 1,
    actual: 3,
  });
});

afterAll(async () => {
  await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
  if (cluster) {
    await cluster.stop();
    rmSync(cluster.baseDir, { recursive: true, force: true });
  }
});

it('given a 3-node cluster, then every stream and bucket has 3 replicas on distinct nodes', async () => {
  const jsm = await jetstreamManager(connections[0]!);
  const names = [
    ...EXPECTED_STREAMS.map((s) => s.name),
    ...EXPECTED_BUCKETS.map((b) => kvStreamName(b.bucket)),
  ];
  for (const name of names) {
    const info = await until(`all replicas of ${name} current`, 15_000, async () => {
      const i = await jsm.streams.info(name);
      return i.cluster?.replicas?.length === 2 && i.cluster.replicas.every((r) => r.current) ? i : undefined;
    });
    expect(info.config.num_replicas, name).toBe(3);
    const peers = new Set([info.cluster!.leader, ...info.cluster!.replicas!.map((r) => r.name)]);
    expect(peers, name).toEqual(new Set(cluster.names));
  }
});

it('given one node SIGKILLed while events are published and replayed, then no acknowledged event is lost or doubled, the reader follows through another node, and the node rejoins and catches up', async () => {
  const admin = connections[0]!;
  const jsm = await jetstreamManager(admin);
  // The victim leads WAREHOUSE_EVENTS and carries both the publisher's and the reader's connection.
  const leaderName = (await jsm.streams.info(STREAMS.warehouse)).cluster!.leader!;
  const victim = cluster.nodes[cluster.names.indexOf(leaderName)]!;
  expect(victim, `node named ${leaderName}`).toBeDefined();
  const publisher = await connectVia(victim, 'admin');
  const reader = await connectVia(victim, 'services');
  expect(serverName(publisher)).toBe(leaderName);
  expect(serverName(reader)).toBe(leaderName);

  const startSeq = (await streamState(admin, STREAMS.warehouse)).lastSeq;
  const run = uniqueToken('run');
  const items = Array.from({ length: TOTAL }, (_, i) => ({
    id: `${run}-${i}`,
    warehouse: `w${i % 4}`,
    event: { type: 'stock.replenished' as const, product_name: `p${i % 25}`, location: 'A1', quantity: 1 },
  }));

  // The reader: a live replay over the server list, recording what it gets and through which node.
  const received: { seq: number; id: string; via: string }[] = [];
  const stopReading = new AbortController();
  let readerError: unknown;
  const reading = (async () => {
    try {
      for await (const batch of replayStream(reader, {
        stream: STREAMS.warehouse,
        fromSeq: startSeq + 1,
        signal: stopReading.signal,
      })) {
        const via = serverName(reader);
        for (const m of batch.messages) {
          const d = decodeStockMessage(m, TEST_HEADER_NAMES);
          received.push({ seq: m.seq, id: d.kind === 'malformed' ? `malformed@${m.seq}` : d.meta.id, via });
        }
      }
    } catch (err) {
      readerError = err;
    }
  })();

  const acked = new Map<string, number>();
  const failures: string[] = [];
  let retries = 0;
  let duplicatesAbsorbed = 0;
  let receivedAtKill = 0;
  let lateJoinerVia = '';
  let restart: Promise<void> | undefined;
  let killing: Promise<void> | undefined;
  const afterAck = () => {
    if (!killing && acked.size >= KILL_AT_ACKED) {
      killing = (async () => {
        receivedAtKill = received.length;
        await victim.kill();
        // A client starting now, with the dead node first in its list, connects through the next one.
        lateJoinerVia = serverName(await connectVia(victim, 'services'));
      })();
    }
    if (killing && !restart && acked.size >= RESTART_AT_ACKED) {
      restart = killing.then(() => victim.restart());
    }
  };

  let next = 0;
  const publish = async () => {
    // One event given up on fails the test: no point in waiting the same time for each of the rest.
    while (next < items.length && failures.length === 0) {
      const item = items[next++]!;
      const giveUpAt = Date.now() + GIVE_UP_MS;
      for (let attempt = 1; ; attempt++) {
        const result = await publishStockEvent(publisher, item.warehouse, item.event, {
          names: TEST_HEADER_NAMES,
          user: 'admin',
          id: item.id,
          timestampMs: Date.now(),
          timeoutMs: 2000,
        });
        if (result.ok) {
          acked.set(item.id, result.seq);
          if (result.duplicate) duplicatesAbsorbed += 1;
          afterAck();
          break;
        }
        retries += 1;
        if (result.kind === 'invalid' || result.kind === 'permission' || Date.now() > giveUpAt) {
          failures.push(`${item.id}: ${result.kind} ${result.message}`);
          break;
        }
        // While a leader is being elected every attempt fails at once: do not spin.
        await new Promise((r) => setTimeout(r, Math.min(25 * attempt, 250)));
      }
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, publish));
  const publishMs = Date.now() - started;
  await killing;
  await restart;
  expect(failures).toEqual([]);
  expect(acked.size).toBe(TOTAL);

  // Every acknowledged event is in the stream exactly once.
  const finalSeq = (await streamState(admin, STREAMS.warehouse)).lastSeq;
  const stored = (await readWholeStream(admin, STREAMS.warehouse)).filter((m) => m.seq > startSeq);
  const copies = new Map<string, number>();
  for (const m of stored) {
    const d = decodeStockMessage(m, TEST_HEADER_NAMES);
    expect(d.kind, `seq ${m.seq}`).toBe('stock');
    if (d.kind !== 'malformed') copies.set(d.meta.id, (copies.get(d.meta.id) ?? 0) + 1);
  }
  const lost = [...acked.keys()].filter((id) => !copies.has(id));
  const doubled = [...copies].filter(([, n]) => n > 1).map(([id]) => id);
  expect(lost).toEqual([]);
  expect(doubled).toEqual([]);
  expect(stored.length).toBe(TOTAL);
  for (const [id, seq] of acked) expect(stored.find((m) => m.seq === seq) !== undefined, id).toBe(true);

  // The reader kept going through another node and ends with every event, each once, in order.
  await until('the reader to reach the last sequence', 30_000, async () =>
    received.length > 0 && received[received.length - 1]!.seq >= finalSeq ? true : undefined,
  );
  stopReading.abort();
  await reading;
  expect(readerError).toBeUndefined();
  expect(received.map((r) => r.seq)).toEqual(Array.from({ length: TOTAL }, (_, i) => startSeq + 1 + i));
  expect(new Set(received.map((r) => r.id))).toEqual(new Set(acked.keys()));
  const afterKill = received.slice(receivedAtKill);
  const viaOthers = afterKill.filter((r) => r.via !== leaderName);
  expect(viaOthers.length).toBeGreaterThan(0);
  expect(serverName(reader)).not.toBe(leaderName);
  expect(serverName(publisher)).not.toBe(leaderName);
  expect(lateJoinerVia).not.toBe(leaderName);
  expect(cluster.names).toContain(lateJoinerVia);

  // The killed node is back, a current replica again, with the same last sequence in its own store.
  await until(`${leaderName} to hold last_seq ${finalSeq}`, 30_000, async () =>
    (await localLastSeq(victim, STREAMS.warehouse)) === finalSeq ? true : undefined,
  );
  const info: StreamInfo = await until('every replica current', 30_000, async () => {
    const i = await jsm.streams.info(STREAMS.warehouse);
    return i.cluster?.replicas?.length === 2 &&
      i.cluster.replicas.every((r) => r.current && (r.lag ?? 0) === 0)
      ? i
      : undefined;
  });
  const names = [info.cluster!.leader, ...info.cluster!.replicas!.map((r) => r.name)];
  expect(names).toContain(leaderName);
  for (const node of cluster.nodes) expect(await localLastSeq(node, STREAMS.warehouse)).toBe(finalSeq);

  console.log(
    `[cluster] published ${TOTAL} in ${publishMs} ms, acked ${acked.size}, lost ${lost.length}, doubled ${doubled.length}, ` +
      `retries ${retries}, duplicates absorbed ${duplicatesAbsorbed}; killed ${leaderName} (stream leader, reader's and ` +
      `publisher's node) after ${KILL_AT_ACKED} acks, new leader ${info.cluster!.leader}; reader got ${received.length} ` +
      `(${viaOthers.length} through ${[...new Set(viaOthers.map((r) => r.via))].join(', ')}), ` +
      `restarted node last_seq ${finalSeq}`,
  );
});
