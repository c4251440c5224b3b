/**
 * How fast the chain demo fills WAREHOUSE_EVENTS, and how much disk its events take. Not a test: a measurement,
 * each run against a private nats-server on free ports with its store under .tmp/, deleted afterwards.
 *
 *   npx tsx scripts/measure-chain-fill.ts                      the worker (`demo.ts --demo chain`), first 1M events
 *   npx tsx scripts/measure-chain-fill.ts --events 10000000    … the whole chain (needs ~4 GB free under .tmp/)
 *   npx tsx scripts/measure-chain-fill.ts --duplicate-window-s 10
 *                                                              … with another duplicate window than the provisioned
 *                                                              2 minutes, to see what it costs the server's memory
 *   npx tsx scripts/measure-chain-fill.ts --compare [--events 300000] [--rounds 3]
 *                                                              publish strategies side by side, in this process
 *
 * The worker run fills the default chain profile and stops the worker (SIGINT) once the stream holds --events,
 * so 1M is the first tenth of the real thing, not a smaller chain.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { createInbox, headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
import { ChainHistory, CHAIN_PROFILE, chainEventId, chainStartMs } from '../src/core/chain-history';
import { encodeStockEvent, type EncodedMessage } from '../src/core/codec';
import { connectNode } from '../src/nats/connect-node';
import { jetStreamOf, jetStreamManagerOf } from '../src/nats/jetstream-api';
import { inboxPrefixFor } from '../src/nats/names';
import { STREAMS } from '../src/core/resources';
import { TEST_HEADER_NAMES } from '../src/core/testing';
import { PipelinedPublisher } from '../src/nats/pipelined-publish';
import { provision } from '../src/nats/provision';
import { LOGINS } from '../test/support/users';
import { Cleanup } from './bench/cleanup';
import { InFlight } from './bench/window';
import { REPO_ROOT, startNatsServer, type NatsServerHandle } from './lib/nats-server.mjs';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? undefined : argv[i + 1];
};
const compare = argv.includes('--compare');
const events = Number(flag('events') ?? (compare ? 300_000 : 1_000_000));
const TMP = join(REPO_ROOT, '.tmp');
const GiB = 1024 ** 3;

const cleanup = new Cleanup();
cleanup.onSignals((line) => console.log(line));

interface Server {
  server: NatsServerHandle;
  nc: NatsConnection;
  stop: () => Promise<void>;
}

async function privateServer(): Promise<Server> {
  mkdirSync(TMP, { recursive: true });
  const storeDir = join(TMP, `chain-fill-${process.pid}-${Date.now()}`);
  const server = await startNatsServer({ storeDir });
  const stop = cleanup.add(`nats-server (pid ${server.pid})`, async () => {
    await server.stop();
    rmSync(storeDir, { recursive: true, force: true });
  });
  const nc = await connectNode({ servers: server.clientUrl, ...LOGINS.admin, maxReconnectAttempts: 0 });
  await provision(nc);
  return { server, nc, stop };
}

async function stored(nc: NatsConnection): Promise<{ messages: number; bytes: number }> {
  const info = await (await jetStreamManagerOf(nc)).streams.info(STREAMS.warehouse);
  return { messages: info.state.messages, bytes: info.state.bytes };
}

/** The server's resident memory now, from its monitoring port. */
async function serverRss(server: NatsServerHandle): Promise<number> {
  const varz = (await (await fetch(`http://127.0.0.1:${server.httpPort}/varz`)).json()) as { mem: number };
  return varz.mem;
}

/** Bytes the files under `dir` take on disk (allocated blocks, as `du` counts them). */
function diskUsage(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? diskUsage(path) : statSync(path).blocks * 512;
  }
  return total;
}

const mb = (bytes: number): string => `${Math.round(bytes / 1024 ** 2).toLocaleString('en-US')} MiB`;

function* chainMessages(count: number): Generator<EncodedMessage> {
  const startMs = chainStartMs(Date.now(), 0, CHAIN_PROFILE.days);
  const history = new ChainHistory({ seed: 1, startMs, utcOffsetMinutes: 0 });
  let index = 0;
  for (const item of history) {
    if (index >= count) return;
    yield encodeStockEvent(item.warehouse, item.event, {
      id: chainEventId(history.identity, index++),
      timestampMs: item.timestampMs,
      names: TEST_HEADER_NAMES,
      user: 'admin',
    });
  }
}

function headersOf(message: EncodedMessage) {
  const h = natsHeaders();
  for (const name in message.headers) h.append(name, message.headers[name]!);
  return h;
}

const utf8 = new TextEncoder();

/** Each strategy publishes `count` events into an empty stream and resolves once all are stored. */
const STRATEGIES: Record<string, (nc: NatsConnection, count: number) => Promise<void>> = {
  // What the worker does: core publishes with one reply subject, answers counted.
  'core, acks counted, window 2,000': (nc, count) => coreAcked(nc, count, 2000),
  'core, acks counted, window 10,000': (nc, count) => coreAcked(nc, count, 10_000),
  'core, acks counted, window 20,000': (nc, count) => coreAcked(nc, count, 20_000),
  'core, acks counted, window 10,000, nats.js headers': (nc, count) =>
    coreAckedNatsHeaders(nc, count, 10_000),
  // JetStream's own publish: a request (inbox, timer, promise) per event, a few thousand in flight.
  'JetStream publish, window 2,000': (nc, count) => jetStream(nc, count, 2000),
  'JetStream publish, window 5,000': (nc, count) => jetStream(nc, count, 5000),
  // No acks at all: flush every 10,000 and wait for the stream's last sequence.
  'core, no reply, flush every 10,000': async (nc, count) => {
    let sent = 0;
    for (const message of chainMessages(count)) {
      nc.publish(message.subject, utf8.encode(message.payload), { headers: headersOf(message) });
      if (++sent % 10_000 === 0) await nc.flush();
    }
    await nc.flush();
    for (;;) {
      if ((await stored(nc)).messages >= count) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  },
};

async function coreAcked(nc: NatsConnection, count: number, window: number): Promise<void> {
  const publisher = new PipelinedPublisher(nc, { inboxPrefix: inboxPrefixFor(LOGINS.admin.user), window });
  try {
    for (const message of chainMessages(count)) await publisher.publish(message);
    await publisher.settle();
  } finally {
    publisher.close();
  }
}

async function jetStream(nc: NatsConnection, count: number, window: number): Promise<void> {
  const js = jetStreamOf(nc);
  const inFlight = new InFlight(window);
  let failure: unknown;
  for (const message of chainMessages(count)) {
    await inFlight.acquire();
    if (failure !== undefined) break;
    js.publish(message.subject, utf8.encode(message.payload), { headers: headersOf(message) }).then(
      () => inFlight.release(),
      (err: unknown) => {
        failure ??= err;
        inFlight.release();
      },
    );
  }
  await inFlight.drain();
  if (failure !== undefined) throw failure as Error;
}

/** The worker's way, but with nats.js's own headers (scripts/bench/fill.ts), to see what the header block saves. */
async function coreAckedNatsHeaders(nc: NatsConnection, count: number, window: number): Promise<void> {
  const inFlight = new InFlight(window);
  const reply = `${createInbox(inboxPrefixFor(LOGINS.admin.user))}.a`;
  const acks = nc.subscribe(reply, { callback: () => inFlight.release() });
  try {
    for (const message of chainMessages(count)) {
      await inFlight.acquire();
      nc.publish(message.subject, utf8.encode(message.payload), { headers: headersOf(message), reply });
    }
    await inFlight.drain();
  } finally {
    acks.unsubscribe();
  }
}

/** CPU time a process has used, ms (user + system, from /proc; Linux only). */
function cpuMsOf(pid: number): number {
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * 10; // USER_HZ is 100 on Linux
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Wall-clock rates swing with whatever else the machine runs; the CPU time each side spends per event does not
 * much, and on an otherwise idle machine it is what bounds the rate. Rounds are interleaved so that a busy
 * minute hits every strategy alike; medians are reported.
 */
async function compareStrategies(): Promise<void> {
  const rounds = Number(flag('rounds') ?? 3);
  console.log(
    `publishing the chain's first ${events.toLocaleString('en-US')} events, each strategy into an empty stream, ` +
      `${rounds} rounds; medians of events/s and of CPU µs per event (this process + nats-server)`,
  );
  const results = new Map<string, { rate: number; client: number; server: number }[]>();
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(STRATEGIES)) {
      const { server, nc, stop } = await privateServer();
      const client0 = process.cpuUsage();
      const server0 = cpuMsOf(server.pid);
      const started = performance.now();
      await run(nc, events);
      const seconds = (performance.now() - started) / 1000;
      const client = process.cpuUsage(client0);
      const serverMs = cpuMsOf(server.pid) - server0;
      const { messages } = await stored(nc);
      if (messages !== events) throw new Error(`${name}: the stream holds ${messages}, not ${events}`);
      const list = results.get(name) ?? [];
      list.push({
        rate: events / seconds,
        client: (client.user + client.system) / events,
        server: (serverMs * 1000) / events,
      });
      results.set(name, list);
      await nc.close();
      await stop();
    }
  }
  for (const [name, list] of results) {
    const rate = Math.round(median(list.map((r) => r.rate))).toLocaleString('en-US');
    const client = median(list.map((r) => r.client)).toFixed(1);
    const server = median(list.map((r) => r.server)).toFixed(1);
    console.log(`  ${name}: ${rate} events/s; CPU per event ${client} µs here + ${server} µs server`);
  }
}

async function measureWorker(): Promise<void> {
  const free = statfsSync(REPO_ROOT);
  const freeBytes = free.bavail * free.bsize;
  console.log(`free disk under ${REPO_ROOT}: ${(freeBytes / GiB).toFixed(1)} GiB`);
  if (events >= 5_000_000 && freeBytes < 15 * GiB) throw new Error('less than 15 GiB free: not filling');
  const { server, nc, stop } = await privateServer();
  const windowS = flag('duplicate-window-s');
  if (windowS !== undefined) {
    const jsm = await jetStreamManagerOf(nc);
    const { config } = await jsm.streams.info(STREAMS.warehouse);
    await jsm.streams.update(STREAMS.warehouse, { ...config, duplicate_window: Number(windowS) * 1e9 });
    console.log(`duplicate window set to ${windowS} s for this measurement`);
  }
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/workers/demo.ts',
      '--seed-if-empty',
      '--demo',
      'chain',
      '--server',
      server.clientUrl,
    ],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, STOCKWIRE_USER: LOGINS.admin.user, STOCKWIRE_PASSWORD: LOGINS.admin.password },
    },
  );
  cleanup.child(`demo worker (pid ${child.pid})`, child);
  child.stdout.on('data', (chunk: Buffer) => process.stdout.write(`  [demo] ${chunk.toString()}`));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let ended = false;
  void exited.then(() => (ended = true));
  const started = performance.now();
  let peakRss = 0;
  let last = { messages: 0, bytes: 0 };
  while (!ended) {
    await new Promise((r) => setTimeout(r, 1000));
    peakRss = Math.max(peakRss, await serverRss(server));
    last = await stored(nc);
    if (last.messages >= events && events < CHAIN_PROFILE.events && child.exitCode === null) {
      child.kill('SIGINT');
      break;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  await exited;
  last = await stored(nc);
  const rate = last.messages / seconds;
  const onDisk = diskUsage(server.storeDir);
  console.log(
    `stored ${last.messages.toLocaleString('en-US')} events in ${seconds.toFixed(0)} s (incl. start-up): ` +
      `${Math.round(rate).toLocaleString('en-US')} events/s; ${(last.bytes / last.messages).toFixed(0)} bytes/event ` +
      `(${mb(last.bytes)} in all, ${mb(onDisk)} on disk; ${CHAIN_PROFILE.events.toLocaleString('en-US')} events ≈ ` +
      `${(((last.bytes / last.messages) * CHAIN_PROFILE.events) / GiB).toFixed(2)} GiB); server memory peaked at ${mb(peakRss)}`,
  );
  if (events < CHAIN_PROFILE.events) {
    console.log(`the whole chain at this rate: ~${Math.round(CHAIN_PROFILE.events / rate / 60)} min`);
  }
  await nc.close();
  await stop();
}

try {
  if (compare) await compareStrategies();
  else await measureWorker();
} finally {
  await cleanup.run();
}
