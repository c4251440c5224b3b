/**
 * What `jetstream { sync_interval: always }` costs against the server's default fsync schedule, in one run,
 * and whether a SIGKILL of the server loses acknowledged events. docs/durability.md quotes its output.
 *
 *   npx tsx scripts/measure-durability.ts [--events 5000] [--window 1000] [--kill-events 2000] [--dir DIR]
 *
 * For each mode (the default schedule, then `always`) it starts a throwaway nats-server of its own — a minimal
 * config in a temporary directory under DIR (the OS temp dir unless given; it must be on the disk you want to
 * measure, not tmpfs), loopback on free ports, no accounts — and creates a file-storage R1 stream. Then:
 *
 * - awaited: EVENTS publishes, each awaited before the next (latency of every publish: p50, p99);
 * - pipelined: EVENTS more, WINDOW publishes in flight, the window awaited before the next one;
 * - kill: KILL_EVENTS awaited publishes to another stream, SIGKILL of the server, restart on the same store,
 *   and the stream must hold exactly the acknowledged events.
 *
 * Events are shaped like ours: ~400 bytes of JSON on `warehouse.<w>.product.<p>` with the four `myorg_*`
 * headers and `Nats-Msg-Id`. Results are ratios against the default in this same run (absolute rates depend
 * on the machine and its disk). Only the servers this script started are ever signalled, by their PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { binaryVersion, findNatsServer, freePort } from './lib/nats-server.mjs';

const USAGE =
  'Usage: npx tsx scripts/measure-durability.ts [--events N] [--window N] [--kill-events N] [--dir DIR]';

function parseOptions(argv: string[]) {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(events|window|kill-events|dir)(?:=(.*))?$/.exec(argv[i]!);
    const value = m ? (m[2] ?? argv[++i]) : undefined;
    if (!m || value === undefined || values.has(m[1]!)) {
      console.error(`${m ? `--${m[1]} needs one value` : `unknown argument "${argv[i]}"`}\n${USAGE}`);
      process.exit(2);
    }
    values.set(m[1]!, value);
  }
  const whole = (name: string, fallback: number) => {
    const text = values.get(name) ?? String(fallback);
    if (!/^\d+$/.test(text) || Number(text) < 1) {
      console.error(`--${name} must be a whole number, 1 or more\n${USAGE}`);
      process.exit(2);
    }
    return Number(text);
  };
  return {
    events: whole('events', 5000),
    window: whole('window', 1000),
    killEvents: whole('kill-events', 2000),
    dir: resolve(values.get('dir') ?? tmpdir()),
  };
}

const OPTIONS = parseOptions(process.argv.slice(2));
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
const WARMUP = 200;

type Mode = 'default' | 'always';

// ---------------------------------------------------------------------------------------------------------
// Throwaway servers

interface Server {
  mode: Mode;
  pid: number;
  clientUrl: string;
  httpPort: number;
  dir: string;
  /** What the server reports in /varz: its version and effective JetStream sync settings. */
  varz: { version: string; syncIntervalNs: number; syncAlways: boolean };
  kill(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
process.once('exit', () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function config(mode: Mode, dir: string, clientPort: number, httpPort: number): string {
  return [
    `server_name: ${JSON.stringify(`measure-durability-${mode}-${process.pid}`)}`,
    `listen: 127.0.0.1:${clientPort}`,
    `http: 127.0.0.1:${httpPort}`,
    'jetstream {',
    `  store_dir: ${JSON.stringify(join(dir, 'store'))}`,
    // Absent: the server's own default (a timer, 2 min in 2.15.3's filestore.go `defaultSyncInterval`).
    ...(mode === 'always' ? ['  sync_interval: always'] : []),
    '}',
    '',
  ].join('\n');
}

async function startServer(binary: string, mode: Mode): Promise<Server> {
  const dir = mkdtempSync(join(OPTIONS.dir, `stockwire-durability-${mode}-`));
  tempDirs.add(dir);
  const clientPort = await freePort();
  let httpPort = await freePort();
  while (httpPort === clientPort) httpPort = await freePort();
  const confPath = join(dir, 'nats-server.conf');
  const logPath = join(dir, 'nats-server.log');
  writeFileSync(confPath, config(mode, dir, clientPort, httpPort));

  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const launch = async () => {
    const log = openSync(logPath, 'a');
    const proc = spawn(binary, ['-c', confPath], { stdio: ['ignore', log, log], cwd: dir });
    closeSync(log);
    child = proc;
    children.add(proc);
    exited = new Promise((r) => proc.once('exit', () => r()));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null || proc.signalCode !== null) break;
      try {
        const res = await fetch(`http://127.0.0.1:${httpPort}/healthz`, {
          signal: AbortSignal.timeout(1000),
        });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    proc.kill('SIGKILL');
    const tail = readFileSync(logPath, 'utf8').split('\n').slice(-15).join('\n');
    throw new Error(`nats-server (${mode}) did not become healthy:\n${tail}`);
  };

  const stopWith = async (signal: NodeJS.Signals) => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    // By PID, and only the process this script spawned.
    process.kill(proc.pid!, signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    children.delete(proc);
  };

  await launch();
  const v = (await (await fetch(`http://127.0.0.1:${httpPort}/varz`)).json()) as {
    version: string;
    jetstream?: { config?: { sync_interval?: number; sync_always?: boolean } };
  };
  return {
    mode,
    get pid() {
      return child?.pid ?? -1;
    },
    clientUrl: `nats://127.0.0.1:${clientPort}`,
    httpPort,
    dir,
    varz: {
      version: v.version,
      syncIntervalNs: v.jetstream?.config?.sync_interval ?? 0,
      syncAlways: v.jetstream?.config?.sync_always ?? false,
    },
    kill: () => stopWith('SIGKILL'),
    stop: () => stopWith('SIGTERM'),
    restart: launch,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Events shaped like ours

const utf8 = new TextEncoder();
const TYPES = ['stock.sold', 'stock.replenished', 'stock.corrected'] as const;

function event(run: string, i: number) {
  const id = `${run}-${String(i).padStart(7, '0')}`;
  const type = TYPES[i % TYPES.length]!;
  const warehouse = `w${i % 5}`;
  const product = `P${i % 50}`;
  const timestampMs = Date.now();
  const body = {
    product_name: product,
    location: ['A1', 'A2', '-'][i % 3],
    quantity: 1 + (i % 9),
    note: '',
  };
  // Pad the JSON body so every event is ~400 bytes, like a real one with its note and reference fields.
  const bare = JSON.stringify(body).length;
  body.note = 'x'.repeat(Math.max(0, 400 - bare));
  const h = headers();
  h.set('myorg_type', type);
  h.set('myorg_format', 'json/1');
  h.set('myorg_msg_id', id);
  h.set('myorg_timestamp_ms', String(timestampMs));
  return {
    subject: `warehouse.${warehouse}.product.${product}`,
    data: utf8.encode(JSON.stringify(body)),
    options: { msgID: id, headers: h, timeout: 30_000 },
  };
}

async function createStream(nc: NatsConnection, name: string, subjects: string[]) {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({
    name,
    subjects,
    storage: 'file',
    num_replicas: 1,
    duplicate_window: 120_000_000_000,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Measurements

interface Measured {
  awaitedPerSec: number;
  p50Ms: number;
  p99Ms: number;
  pipelinedPerSec: number;
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

async function awaited(js: JetStreamClient, run: string, count: number) {
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const e = event(run, i);
    const t0 = performance.now();
    await js.publish(e.subject, e.data, e.options);
    latencies.push(performance.now() - t0);
  }
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { perSec: (count / elapsed) * 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function pipelined(js: JetStreamClient, run: string, count: number, window: number) {
  const started = performance.now();
  for (let from = 0; from < count; from += window) {
    const pending = [];
    for (let i = from; i < Math.min(count, from + window); i++) {
      const e = event(run, i);
      pending.push(js.publish(e.subject, e.data, e.options));
    }
    await Promise.all(pending);
  }
  return (count / (performance.now() - started)) * 1000;
}

async function measure(server: Server): Promise<Measured> {
  const nc = await connect({ servers: server.clientUrl });
  try {
    await createStream(nc, 'MEASURE', ['warehouse.>']);
    const js = jetstream(nc);
    await awaited(js, 'warmup', WARMUP);
    const a = await awaited(js, 'awaited', OPTIONS.events);
    const pipelinedPerSec = await pipelined(js, 'pipelined', OPTIONS.events, OPTIONS.window);
    const info = await (await jetstreamManager(nc)).streams.info('MEASURE');
    const expected = WARMUP + 2 * OPTIONS.events;
    if (info.state.messages !== expected) {
      throw new Error(`MEASURE holds ${info.state.messages} messages, expected ${expected}`);
    }
    return { awaitedPerSec: a.perSec, p50Ms: a.p50, p99Ms: a.p99, pipelinedPerSec };
  } finally {
    await nc.close();
  }
}

interface KillCheck {
  acked: number;
  lastAckedSeq: number;
  storedAfterRestart: number;
  lastSeqAfterRestart: number;
  lost: number;
}

/** Awaited publishes, SIGKILL right after the last ack, restart on the same store, count. */
async function killCheck(server: Server): Promise<KillCheck> {
  let acked = 0;
  let lastAckedSeq = 0;
  const nc = await connect({ servers: server.clientUrl });
  try {
    await createStream(nc, 'KILLCHECK', ['killcheck.>']);
    const js = jetstream(nc);
    for (let i = 0; i < OPTIONS.killEvents; i++) {
      const e = event('kill', i);
      const ack = await js.publish(`killcheck.${e.subject}`, e.data, e.options);
      acked++;
      lastAckedSeq = ack.seq;
    }
  } finally {
    // No drain or flush: the server dies with whatever it has, as in a crash.
    await server.kill();
    await nc.close().catch(() => {});
  }
  await server.restart();
  const after = await connect({ servers: server.clientUrl });
  try {
    const info = await (await jetstreamManager(after)).streams.info('KILLCHECK');
    return {
      acked,
      lastAckedSeq,
      storedAfterRestart: info.state.messages,
      lastSeqAfterRestart: info.state.last_seq,
      lost: Math.max(0, acked - info.state.messages),
    };
  } finally {
    await after.close();
  }
}

// ---------------------------------------------------------------------------------------------------------

const FS_TYPES: Record<number, string> = {
  0xef53: 'ext2/3/4',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x01021994: 'tmpfs',
  0x794c7630: 'overlayfs',
  0x2fc12fc1: 'zfs',
};

async function main() {
  const binary = findNatsServer();
  if (!binary) {
    console.error('no nats-server 2.14.0 or newer found (node scripts/lib/ensure.mjs builds one)');
    process.exit(1);
  }
  const fsType = statfsSync(OPTIONS.dir).type;
  const fsName = FS_TYPES[fsType] ?? `0x${fsType.toString(16)}`;
  const say = (line: string) => console.log(line);
  say(`nats-server ${binaryVersion(binary)} (${binary})`);
  say(`store under ${OPTIONS.dir} (${fsName})`);
  if (fsName === 'tmpfs') say('warning: tmpfs ignores fsync; `always` costs nothing here and proves nothing');
  say(
    `${OPTIONS.events} awaited + ${OPTIONS.events} pipelined (windows of ${OPTIONS.window}) events of ~400 B ` +
      `with 5 headers per mode, R1 file store; kill check with ${OPTIONS.killEvents} awaited events\n`,
  );

  const results = {} as Record<Mode, { m: Measured; k: KillCheck; server: Server['varz'] }>;
  for (const mode of ['default', 'always'] as const) {
    const server = await startServer(binary, mode);
    try {
      const m = await measure(server);
      const k = await killCheck(server);
      results[mode] = { m, k, server: server.varz };
    } finally {
      await server.stop();
      rmSync(server.dir, { recursive: true, force: true });
      tempDirs.delete(server.dir);
    }
  }

  const d = results.default;
  const a = results.always;
  const ratio = (x: number, y: number) => Math.round((x / y) * 100) / 100;
  const r = {
    awaitedThroughput: ratio(a.m.awaitedPerSec, d.m.awaitedPerSec),
    p50: ratio(a.m.p50Ms, d.m.p50Ms),
    p99: ratio(a.m.p99Ms, d.m.p99Ms),
    pipelinedThroughput: ratio(a.m.pipelinedPerSec, d.m.pipelinedPerSec),
  };
  const syncLabel = (v: Server['varz']) =>
    v.syncAlways ? 'always' : `every ${Math.round(v.syncIntervalNs / 1e9)} s`;
  const rows: [string, string, string, string][] = [
    ['', `default (${syncLabel(d.server)})`, syncLabel(a.server), 'always / default'],
    [
      'awaited publishes/s',
      d.m.awaitedPerSec.toFixed(0),
      a.m.awaitedPerSec.toFixed(0),
      `${r.awaitedThroughput}`,
    ],
    ['awaited latency p50, ms', d.m.p50Ms.toFixed(3), a.m.p50Ms.toFixed(3), `${r.p50}`],
    ['awaited latency p99, ms', d.m.p99Ms.toFixed(3), a.m.p99Ms.toFixed(3), `${r.p99}`],
    [
      `pipelined (${OPTIONS.window} in flight)/s`,
      d.m.pipelinedPerSec.toFixed(0),
      a.m.pipelinedPerSec.toFixed(0),
      `${r.pipelinedThroughput}`,
    ],
    [
      'SIGKILL: acked / stored after restart',
      `${d.k.acked} / ${d.k.storedAfterRestart}`,
      `${a.k.acked} / ${a.k.storedAfterRestart}`,
      '',
    ],
  ];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((row) => row[c]!.length)));
  for (const row of rows) {
    say(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  }
  say('(absolute figures are for this machine and run only; compare the ratios)');

  const round = (x: number) => Math.round(x * 1000) / 1000;
  const json = {
    measure: 'durability',
    server: d.server.version,
    fs: fsName,
    events: OPTIONS.events,
    window: OPTIONS.window,
    defaultSyncIntervalS: d.server.syncIntervalNs / 1e9,
    alwaysAccepted: a.server.syncAlways,
    ratios: r,
    default: {
      awaitedPerSec: Math.round(d.m.awaitedPerSec),
      p50Ms: round(d.m.p50Ms),
      p99Ms: round(d.m.p99Ms),
      pipelinedPerSec: Math.round(d.m.pipelinedPerSec),
    },
    always: {
      awaitedPerSec: Math.round(a.m.awaitedPerSec),
      p50Ms: round(a.m.p50Ms),
      p99Ms: round(a.m.p99Ms),
      pipelinedPerSec: Math.round(a.m.pipelinedPerSec),
    },
    sigkill: {
      default: { acked: d.k.acked, stored: d.k.storedAfterRestart, lost: d.k.lost },
      always: { acked: a.k.acked, stored: a.k.storedAfterRestart, lost: a.k.lost },
    },
  };
  say(JSON.stringify(json));
  if (!a.server.syncAlways) throw new Error('the `always` server does not report sync_always in /varz');
  const lost = d.k.lost + a.k.lost;
  const mismatch = [d.k, a.k].some(
    (k) => k.storedAfterRestart !== k.acked || k.lastSeqAfterRestart !== k.lastAckedSeq,
  );
  if (lost > 0 || mismatch) {
    throw new Error(`SIGKILL check: stored after restart differs from acknowledged (lost ${lost})`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
