/**
 * The projector goal (projector against raw pipelined KV puts), the projector's side: the real projector
 * (src/workers/projector.ts) as a child process, from an empty `stock_levels` and a new durable, timed from
 * its start until the bucket equals the core fold and its durable has acknowledged every event. (Not from its
 * "ready" line: a projector far behind folds the whole backlog before it says ready.)
 */
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { LedgerState } from '../../src/core/ledger';
import { stockLevelJson, stockLevelsByKey } from '../../src/core/procurement-stock';
import type { NatsConnection } from '../../src/nats/connection';
import { durablePosition } from '../../src/nats/durable';
import { openCasBucket } from '../../src/nats/kv-cas';
import { watchBucket } from '../../src/nats/kv-watch';
import { BUCKETS, STREAMS } from '../../src/core/resources';
import { PROJECTOR_DURABLE } from '../../src/nats/names';
import { PASSWORDS } from '../../test/support/users';
import type { Cleanup } from './cleanup';
import { startNode } from './node-child';
import { withTimeout } from './timeout';

const POLL_MS = 5;

export interface ProjectorRun {
  ms: number;
  keys: number;
}

/** What `stock_levels` must hold after projecting the events the ledger folded: key → JSON. */
export function expectedLevels(ledger: LedgerState): Map<string, string> {
  return new Map(
    [...stockLevelsByKey(ledger.procurement)].map(([key, level]) => [key, stockLevelJson(level)]),
  );
}

export interface ProjectorProcess {
  /** When the process was started, epoch ms. */
  startedMs: number;
  /** The "ready" log line: its time (epoch ms) and how long the start-up fold of the stream took. */
  ready: Promise<{ atMs: number; foldMs: number }>;
  stop(): Promise<void>;
}

/** The real projector as a child process, signed in as `services`. */
export function startProjector(
  cleanup: Cleanup,
  clientUrl: string,
  extraArgs: readonly string[] = [],
): ProjectorProcess {
  return startWorker(cleanup, clientUrl, 'projector', (msg) => msg === 'ready', extraArgs);
}

/**
 * One of the Node workers (src/workers/<name>.ts) as a child process, signed in as `services`; `ready` resolves
 * at the first log line whose message `isReady` accepts.
 */
export function startWorker(
  cleanup: Cleanup,
  clientUrl: string,
  name: 'projector' | 'notifier',
  isReady: (msg: string) => boolean,
  extraArgs: readonly string[] = [],
): ProjectorProcess {
  const startedMs = Date.now();
  const projector = startNode(
    cleanup,
    name,
    [
      '--import',
      'tsx',
      join('src', 'workers', `${name}.ts`),
      '--server',
      clientUrl,
      '--user',
      'services',
      '--password',
      PASSWORDS.services,
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  const logTail: string[] = [];
  const keep = (text: string) => {
    logTail.push(text);
    if (logTail.length > 10) logTail.shift();
  };
  createInterface({ input: projector.child.stderr! }).on('line', keep);
  const ready = new Promise<{ atMs: number; foldMs: number }>((resolve, reject) => {
    createInterface({ input: projector.child.stdout! }).on('line', (text) => {
      keep(text);
      try {
        const line = JSON.parse(text) as { msg?: string; ts?: string; foldMs?: number };
        if (line.msg !== undefined && isReady(line.msg) && line.ts)
          resolve({ atMs: Date.parse(line.ts), foldMs: line.foldMs ?? 0 });
      } catch {
        // not a log line
      }
    });
    void projector.exited.then(({ code, signal }) =>
      reject(new Error(`the ${name} exited (${signal ?? code}) before it was ready:\n${logTail.join('\n')}`)),
    );
  });
  // Not every caller waits for it; an early exit must not become an unhandled rejection.
  ready.catch(() => undefined);
  return { startedMs, ready, stop: projector.stop };
}

/** Runs the projector from an empty bucket and times it (see the file's comment). */
export async function runProjector(
  cleanup: Cleanup,
  nc: NatsConnection,
  clientUrl: string,
  expected: Map<string, string>,
  lastSeq: number,
  timeoutMs: number,
  extraArgs: readonly string[] = [],
): Promise<ProjectorRun> {
  const projector = startProjector(cleanup, clientUrl, extraArgs);
  try {
    return await measureRebuild(nc, projector, expected, lastSeq, timeoutMs);
  } finally {
    await projector.stop();
  }
}

/** A projector started on an empty bucket, timed until the bucket holds `expected` (see the file's comment). */
export function measureRebuild(
  nc: NatsConnection,
  projector: ProjectorProcess,
  expected: Map<string, string>,
  lastSeq: number,
  timeoutMs: number,
): Promise<ProjectorRun> {
  return withTimeout('the projector', timeoutMs, measure(nc, projector, expected, lastSeq));
}

async function measure(
  nc: NatsConnection,
  projector: ProjectorProcess,
  expected: Map<string, string>,
  lastSeq: number,
): Promise<ProjectorRun> {
  await projector.ready;
  // Cheap first: one get of the key the last event changed, polled. Consumer info would be the obvious probe,
  // but on 2.9.10 polling it slows the consumer's deliveries severalfold (measure-projector runs).
  const levels = await openCasBucket(nc, BUCKETS.stockLevels);
  const lastKey = [...expected].find(
    ([, json]) => (JSON.parse(json) as { last_seq: number }).last_seq === lastSeq,
  );
  if (!lastKey) throw new Error(`no expected level holds sequence ${lastSeq}`);
  const text = new TextDecoder();
  for (;;) {
    const { value } = await levels.get(lastKey[0]);
    if (value && (JSON.parse(text.decode(value)) as { last_seq: number }).last_seq === lastSeq) break;
    await sleep(POLL_MS);
  }
  // The other keys of the last batch are written alongside that one, then the batch is acknowledged.
  while (!(await bucketEquals(nc, expected))) await sleep(POLL_MS);
  for (;;) {
    const position = await durablePosition(nc, STREAMS.warehouse, PROJECTOR_DURABLE);
    if (position && position.ackFloorSeq >= lastSeq) break;
    await sleep(POLL_MS);
  }
  return { ms: Date.now() - projector.startedMs, keys: expected.size };
}

/** Every key of `stock_levels` holds exactly the expected JSON, and no other key exists. */
export async function bucketEquals(nc: NatsConnection, expected: Map<string, string>): Promise<boolean> {
  const controller = new AbortController();
  const text = new TextDecoder();
  const seen = new Map<string, string>();
  for await (const batch of watchBucket(nc, { bucket: BUCKETS.stockLevels, signal: controller.signal })) {
    for (const e of batch.entries) {
      if (e.operation === 'PUT') seen.set(e.key, text.decode(e.value));
      else seen.delete(e.key);
    }
    if (batch.initialDone) break;
  }
  controller.abort();
  return seen.size === expected.size && [...expected].every(([key, json]) => seen.get(key) === json);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
