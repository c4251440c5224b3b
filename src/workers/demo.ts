/**
 * Demo data for a local Stockwire (started by `npm start`; TCP, user admin by default).
 *
 *   tsx src/workers/demo.ts --seed-if-empty   a week of history, back-dated, if WAREHOUSE_EVENTS is empty
 *   tsx src/workers/demo.ts --simulate        one event every 1–3 s until stopped
 *   … --demo chain                             a chain's year instead (chain-demo.ts): seeded, or continued
 *                                              after an interrupted fill; the simulator picks from the chain
 *
 * Connection: --server/--user/--password, or STOCKWIRE_NATS_URL / STOCKWIRE_USER / STOCKWIRE_PASSWORD; the
 * event headers' prefix: STOCKWIRE_HEADER_PREFIX.
 */
import { newBatch } from '../core/batch';
import { checkReversal, emptyUndoMemory, rememberEvent, type UndoMemory } from '../core/undo-memory';
import { randomUUID } from 'node:crypto';
import { UsageError, parseArgs, single, wholeNumber } from '../command-line/args';
import { connectionTarget } from '../command-line/connection-target';
import { HEADER_PREFIX_USAGE, headerSetting } from '../command-line/header-prefix';
import { decodeStockMessage } from '../core/codec';
import type { HeaderNames } from '../core/events';
import { CHAIN_PROFILE, chainProfileProblem, type ChainProfile } from '../core/chain-history';
import {
  DEMO_WORLD,
  createRng,
  demoHistory,
  simulatorObserve,
  simulatorState,
  simulatorStep,
  type DemoEvent,
  type SimulatorState,
  type SimulatorWorld,
} from '../core/demo-history';
import { sleep } from '../lib/backoff';
import { connectNode } from '../nats/connect-node';
import type { NatsConnection } from '../nats/connection';
import { describeNatsError } from '../nats/errors';
import { STREAMS } from '../core/resources';
import { publishStockEvent, type PublishResult } from '../nats/publish';
import { replayStream, streamState } from '../nats/replay';
import { chainSimulatorStart, seedChain } from './chain-demo';

const CHAIN_SIZE =
  `${CHAIN_PROFILE.warehouses} warehouses × ${CHAIN_PROFILE.products} products × ` +
  `${CHAIN_PROFILE.locations} locations, ${CHAIN_PROFILE.events.toLocaleString('en-US')} events\n` +
  `                       over ${CHAIN_PROFILE.days} days`;

const USAGE = `Usage: tsx src/workers/demo.ts (--seed-if-empty | --simulate) [options]
  --seed-if-empty      publish a week of demo history if ${STREAMS.warehouse} holds no events
  --simulate           publish a live event every 1–3 s (sales mostly), until SIGINT/SIGTERM
  --demo small|chain   small (default): 2 warehouses × 25 products, a week
                       chain: ${CHAIN_SIZE}; published if the stream is empty,
                       continued where an interrupted fill stopped
  --seed N             random seed (default 1)
  --days N             days of history (default 7; chain ${CHAIN_PROFILE.days})
  --events N --warehouses N --products N   a chain of another size (the same size continues a fill)
  --server URL         nats://host:port (default nats://127.0.0.1:4222, or STOCKWIRE_NATS_URL)
  --user U --password P   default admin / the demo password (or STOCKWIRE_USER / STOCKWIRE_PASSWORD)
${HEADER_PREFIX_USAGE}`;

/** Publishes in flight at once while seeding: enough to hide round trips, few enough to keep acks timely. */
const WINDOW = 500;
const SUMMARY_EVERY_MS = 60_000;

const log = (line: string): void => console.log(line);

async function publishDemo(
  nc: NatsConnection,
  names: HeaderNames,
  user: string,
  item: DemoEvent,
  id: string,
): Promise<PublishResult> {
  return publishStockEvent(nc, item.warehouse, item.event, {
    id,
    timestampMs: item.timestampMs,
    names,
    user,
  });
}

async function seedIfEmpty(
  nc: NatsConnection,
  names: HeaderNames,
  user: string,
  seed: number,
  days: number,
  signal: AbortSignal,
): Promise<void> {
  const state = await streamState(nc, STREAMS.warehouse);
  if (state.messages > 0) {
    log(`${STREAMS.warehouse} already holds ${state.messages} events: no demo history added`);
    return;
  }
  const history = demoHistory({
    seed,
    endMs: Date.now(),
    days,
    utcOffsetMinutes: -new Date().getTimezoneOffset(),
  });
  log(`publishing ${history.length} demo events (${days} days, 2 warehouses, seed ${seed})`);
  const started = Date.now();
  let next = 0;
  let done = 0;
  let duplicates = 0;
  let failure: string | undefined;
  let reported = 0;
  // A sliding window: each finished publish starts the next one, so ~WINDOW acks are always pending.
  const lane = async (): Promise<void> => {
    while (next < history.length && failure === undefined && !signal.aborted) {
      const item = history[next++]!;
      const result = await publishDemo(nc, names, user, item, randomUUID());
      if (!result.ok) {
        failure ??= `${result.kind}: ${result.message}`;
        return;
      }
      if (result.duplicate) duplicates++;
      done++;
      if (done - reported >= 2000 || done === history.length) {
        reported = done;
        const rate = Math.round(done / Math.max(0.001, (Date.now() - started) / 1000));
        log(`  ${done}/${history.length} published (${rate}/s)`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(WINDOW, history.length) }, lane));
  if (failure !== undefined) throw new Error(`seeding stopped after ${done} events: ${failure}`);
  if (signal.aborted) throw new Error(`seeding interrupted after ${done} of ${history.length} events`);
  log(
    `demo history published in ${((Date.now() - started) / 1000).toFixed(1)} s` +
      (duplicates ? ` (${duplicates} duplicates ignored by the server)` : ''),
  );
}

/**
 * Folds the stream as it stands and follows it, so the simulator knows the real stock (including what
 * people publish from the dashboard) and never sells what is not there.
 */
class StockTracker {
  state: SimulatorState;
  /** Why following the stream stopped, if it did; the simulator then stops too (npm start restarts it). */
  failure: unknown;
  /** Our own events, already folded locally, not to be folded again when they come back. */
  private readonly pending = new Set<string>();
  private undo: UndoMemory = emptyUndoMemory();

  /** Folds the stream from `fromSeq` on top of `initial` (the chain's state is regenerated, not replayed). */
  constructor(
    private readonly nc: NatsConnection,
    private readonly names: HeaderNames,
    private readonly stop: AbortController,
    initial: SimulatorState = simulatorState([]),
    private readonly fromSeq = 1,
  ) {
    this.state = initial;
  }

  /** Resolves once everything stored so far is folded, and keeps following until stopped. */
  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      let folded = 0;
      const follow = async (): Promise<void> => {
        const replay = replayStream(this.nc, {
          stream: STREAMS.warehouse,
          fromSeq: this.fromSeq,
          signal: this.stop.signal,
        });
        for await (const batch of replay) {
          for (const msg of batch.messages) {
            const decoded = decodeStockMessage(msg, this.names);
            if (decoded.kind !== 'stock') continue;
            // An undo takes back what the ledger says it does (docs/architecture.md#undo), also of our own events.
            const { meta, event } = decoded;
            const check = event.type === 'stock.reversed' ? checkReversal(this.undo, meta, event) : null;
            const undone = check?.ok ? check.undone : null;
            this.undo = rememberEvent(this.undo, meta, event, undone, newBatch());
            if (this.pending.delete(meta.id)) continue;
            this.state = simulatorObserve(this.state, {
              warehouse: meta.warehouse,
              event,
              ...(undone ? { undone: undone.event } : {}),
            });
            folded++;
          }
          if (batch.caughtUp && !ready) {
            ready = true;
            log(`folded ${folded} stored events`);
            resolve();
          }
        }
      };
      follow().catch((err: unknown) => {
        if (this.stop.signal.aborted) return;
        this.failure = err;
        this.stop.abort();
        if (!ready) reject(err);
      });
    });
  }

  /** Records an event we are about to publish, folded now so the next step sees it at once. */
  ownEvent(id: string, next: SimulatorState): void {
    this.pending.add(id);
    this.state = next;
  }
}

interface SimulationStart {
  world: SimulatorWorld;
  state?: SimulatorState;
  fromSeq?: number;
}

async function simulate(
  nc: NatsConnection,
  names: HeaderNames,
  user: string,
  seed: number,
  start: SimulationStart,
  signal: AbortSignal,
): Promise<void> {
  const stop = new AbortController();
  signal.addEventListener('abort', () => stop.abort(), { once: true });
  const tracker = new StockTracker(nc, names, stop, start.state, start.fromSeq);
  await tracker.start();
  const rng = createRng(seed ^ Date.now());
  const counts = new Map<string, number>();
  let since = Date.now();
  log('publishing an event every 1–3 s');
  while (!stop.signal.aborted) {
    await sleep(1000 + rng() * 2000, stop.signal);
    if (stop.signal.aborted) break;
    const step = simulatorStep(tracker.state, rng, Date.now(), start.world);
    const id = randomUUID();
    tracker.ownEvent(id, step.state);
    // Retry with the same id until stored: the server drops a re-sent duplicate.
    for (let attempt = 1; !stop.signal.aborted; attempt++) {
      const result = await publishDemo(nc, names, user, step.event, id);
      if (result.ok) break;
      if (result.kind === 'invalid' || result.kind === 'permission' || result.kind === 'no_stream') {
        throw new Error(`publishing was refused: ${result.message}`);
      }
      if (attempt === 1 || attempt % 10 === 0) log(`publish failed (${result.message}); retrying`);
      await sleep(Math.min(10_000, 500 * attempt), stop.signal);
    }
    const type = step.event.event.type.replace('stock.', '');
    counts.set(type, (counts.get(type) ?? 0) + 1);
    if (Date.now() - since >= SUMMARY_EVERY_MS) {
      log(`last minute ${[...counts].map(([t, n]) => `${n} ${t}`).join(', ')}`);
      counts.clear();
      since = Date.now();
    }
  }
  if (tracker.failure !== undefined) {
    throw new Error(`following ${STREAMS.warehouse} stopped: ${describeNatsError(tracker.failure)}`);
  }
}

async function main(): Promise<void> {
  // The two modes are switches; the shared parser knows only options with values.
  const argv = process.argv.slice(2);
  const modes: string[] = argv.filter((a) => a === '--seed-if-empty' || a === '--simulate');
  const args = parseArgs(
    argv.filter((a) => !modes.includes(a)),
    ['server', 'user', 'password', 'seed', 'days', 'demo', 'events', 'warehouses', 'products'],
  );
  if (args.positionals.length > 0) throw new UsageError(`unexpected ${args.positionals.join(' ')}`);
  if (modes.length !== 1) throw new UsageError('give exactly one of --seed-if-empty and --simulate');
  const demo = single(args, 'demo') ?? 'small';
  if (demo !== 'small' && demo !== 'chain') throw new UsageError(`--demo is small or chain, not "${demo}"`);
  const number = (name: string, fallback: number, min: number): number => {
    const text = single(args, name);
    return text === undefined ? fallback : wholeNumber(name, text, min);
  };
  const seed = number('seed', 1, 0);
  const days = number('days', demo === 'chain' ? CHAIN_PROFILE.days : 7, 1);
  const chain: ChainProfile = {
    ...CHAIN_PROFILE,
    days,
    events: number('events', CHAIN_PROFILE.events, 1),
    warehouses: number('warehouses', CHAIN_PROFILE.warehouses, 1),
    products: number('products', CHAIN_PROFILE.products, 1),
  };
  if (demo === 'small' && ['events', 'warehouses', 'products'].some((name) => args.flags.has(name))) {
    throw new UsageError('--events, --warehouses and --products size a chain: add --demo chain');
  }
  const problem = demo === 'chain' ? chainProfileProblem(chain) : undefined;
  if (problem !== undefined) throw new UsageError(problem);
  const target = connectionTarget(args, 'admin');
  const { names } = headerSetting(process.env);
  if (target.transport !== 'tcp')
    throw new UsageError('the demo worker connects over TCP: use a nats:// URL');

  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => controller.abort());
  }
  const simulating = modes[0] === '--simulate';
  const nc = await connectNode({
    servers: target.servers,
    user: target.user,
    password: target.password,
    name: simulating ? 'stockwire-demo-simulator' : 'stockwire-demo-seed',
    // The simulator waits for a server that is not up yet and follows it through restarts.
    waitOnFirstConnect: simulating,
    maxReconnectAttempts: simulating ? -1 : 0,
    timeoutMs: 5000,
  });
  const chainOptions = {
    seed,
    profile: chain,
    log,
    nowMs: Date.now(),
    utcOffsetMinutes: -new Date().getTimezoneOffset(),
  };
  try {
    if (simulating) {
      const start = demo === 'chain' ? await chainSimulatorStart(nc, chainOptions) : { world: DEMO_WORLD };
      await simulate(nc, names, target.user, seed, start, controller.signal);
    } else if (demo === 'chain') {
      await seedChain(nc, { ...chainOptions, names, user: target.user, signal: controller.signal });
    } else {
      await seedIfEmpty(nc, names, target.user, seed, days, controller.signal);
    }
  } finally {
    await nc.drain().catch(() => undefined);
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(`demo: ${describeNatsError(err)}`);
    process.exit(1);
  },
);
