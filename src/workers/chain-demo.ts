/**
 * The chain demo (`npm start -- --demo chain`): a chain-sized history (src/core/chain-history.ts) published
 * into WAREHOUSE_EVENTS, continued where an interrupted fill stopped, and the starting point of the live
 * simulator in chain mode.
 *
 * The stream itself says how far a fill got: every chain event's id encodes the chain (seed, size, start) and
 * the event's index, and the chain's events come first and in order, because one connection publishes them
 * and the server stores one connection's messages in the order sent. So the first message says whether the
 * stream holds this chain, and the last chain event (found by bisecting sequences) says where to continue.
 * Re-sending an event would be harmless as well — same id, dropped by the duplicate window and by every
 * reader — but continuing from the last stored one sends none twice.
 */
import { encodeStockEvent } from '../core/codec';
import {
  ChainHistory,
  chainEventId,
  chainFingerprint,
  chainStartMs,
  parseChainEventId,
  type ChainIdentity,
  type ChainProfile,
} from '../core/chain-history';
import type { SimulatorState, SimulatorWorld } from '../core/demo-history';
import { DEDUPE_HEADER } from '../core/events';
import type { NatsConnection } from '../nats/connection';
import { inboxPrefixFor } from '../nats/names';
import { STREAMS } from '../core/resources';
import type { HeaderNames } from '../core/events';
import { PipelinedPublisher } from '../nats/pipelined-publish';
import { streamState } from '../nats/replay';
import { getMessage } from '../nats/stream-reader';

/**
 * Unanswered publishes while filling. CPU per event was the same from 2,000 to 20,000
 * (docs/platform-notes.md#filling-a-stream); a window this size keeps the server busy through a pause of the
 * generator or the event loop, while still bounding what the server has queued.
 */
const WINDOW = 10_000;
const PROGRESS_EVERY_MS = 5000;

export interface ChainOptions {
  seed: number;
  profile: Readonly<ChainProfile>;
  /** The user the connection signed in as: its inbox receives the acknowledgements, and the events name it. */
  user: string;
  /** The deployment's event header names (docs/architecture.md#subjects-and-headers). */
  names: HeaderNames;
  log: (line: string) => void;
  signal: AbortSignal;
  /** The clock and zone of a fresh chain, which ends at the last local midnight. */
  nowMs: number;
  utcOffsetMinutes: number;
}

/** What the stream holds, as far as this chain is concerned. */
export type ChainPlace =
  | { kind: 'empty' }
  /** Events that are not this chain, from its first message on. */
  | { kind: 'other'; messages: number; anotherChain: boolean }
  | {
      kind: 'chain';
      identity: ChainIdentity;
      /** The index after the last chain event stored: where a fill continues. */
      next: number;
      /** Sequence of the last chain event. */
      lastChainSeq: number;
      /** Chain events before `next` that the stream does not hold (a publish refused in the middle). */
      missing: number;
      /** Messages stored after the last chain event (the simulator's, people's). */
      later: number;
    };

function chainIdOf(message: { header(name: string): string | undefined } | null) {
  const id = message?.header(DEDUPE_HEADER);
  return id === undefined ? undefined : parseChainEventId(id);
}

export async function findChain(
  nc: NatsConnection,
  seed: number,
  profile: Readonly<ChainProfile>,
): Promise<ChainPlace> {
  const state = await streamState(nc, STREAMS.warehouse);
  if (state.messages === 0) return { kind: 'empty' };
  const first = chainIdOf(await getMessage(nc, STREAMS.warehouse, state.firstSeq));
  const fingerprint = chainFingerprint(seed, profile);
  if (first?.index !== 0 || first.fingerprint !== fingerprint) {
    return { kind: 'other', messages: state.messages, anotherChain: first?.index === 0 };
  }
  const isChain = async (seq: number): Promise<number | undefined> => {
    const id = chainIdOf(await getMessage(nc, STREAMS.warehouse, seq).catch(() => null));
    return id?.fingerprint === fingerprint ? id.index : undefined;
  };
  // The chain is a prefix of the stream: bisect for its last event when something came after it.
  let lastChainSeq = state.lastSeq;
  let lastIndex = await isChain(lastChainSeq);
  if (lastIndex === undefined) {
    let lo = state.firstSeq;
    let hi = state.lastSeq;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await isChain(mid)) !== undefined) lo = mid;
      else hi = mid;
    }
    lastChainSeq = lo;
    lastIndex = (await isChain(lo)) ?? 0;
  }
  const { startMs, utcOffsetMinutes } = first;
  return {
    kind: 'chain',
    identity: { fingerprint, startMs, utcOffsetMinutes },
    next: lastIndex + 1,
    lastChainSeq,
    missing: lastIndex + 1 - (lastChainSeq - state.firstSeq + 1),
    later: state.lastSeq - lastChainSeq,
  };
}

const count = (n: number): string => n.toLocaleString('en-US');

function describe(profile: Readonly<ChainProfile>, seed: number): string {
  return (
    `${count(profile.events)} events over ${profile.days} days: ${profile.warehouses} warehouses × ` +
    `${count(profile.products)} products × ${profile.locations} locations, seed ${seed}`
  );
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/**
 * Publishes the chain if the stream is empty, continues it if a fill was interrupted, and otherwise says why
 * it adds nothing.
 */
export async function seedChain(nc: NatsConnection, options: ChainOptions): Promise<void> {
  const { profile, seed, log } = options;
  const place = await findChain(nc, seed, profile);
  let identity: ChainIdentity;
  let from = 0;
  switch (place.kind) {
    case 'empty':
      identity = {
        fingerprint: chainFingerprint(seed, profile),
        startMs: chainStartMs(options.nowMs, options.utcOffsetMinutes, profile.days),
        utcOffsetMinutes: options.utcOffsetMinutes,
      };
      log(`${STREAMS.warehouse} is empty: publishing a chain of ${describe(profile, seed)}`);
      break;
    case 'other':
      log(
        `${STREAMS.warehouse} already holds ${count(place.messages)} events that are not this chain ` +
          `(${place.anotherChain ? 'a chain of another seed or size' : 'another history'}): no chain added`,
      );
      return;
    case 'chain':
      if (place.next >= profile.events) {
        log(
          `${STREAMS.warehouse} already holds the whole chain (${describe(profile, seed)})` +
            (place.later > 0 ? ` and ${count(place.later)} later events` : ''),
        );
        return;
      }
      if (place.later > 0) {
        log(
          `${STREAMS.warehouse} holds the first ${count(place.next)} of the chain's ${count(profile.events)} events ` +
            `and ${count(place.later)} other events after them: not continuing a chain behind newer events ` +
            '(delete .data/ for a fresh start)',
        );
        return;
      }
      identity = place.identity;
      from = place.next;
      log(
        `${STREAMS.warehouse} holds the first ${count(from)} of the chain's ${count(profile.events)} events ` +
          `(an interrupted fill): continuing (${describe(profile, seed)})` +
          (place.missing > 0 ? `; ${count(place.missing)} events refused earlier stay missing` : ''),
      );
      break;
  }
  await fillChain(nc, options, identity, from);
}

async function fillChain(
  nc: NatsConnection,
  options: ChainOptions,
  identity: ChainIdentity,
  from: number,
): Promise<void> {
  const { profile, seed, log, signal } = options;
  const history = new ChainHistory({
    seed,
    startMs: identity.startMs,
    utcOffsetMinutes: identity.utcOffsetMinutes,
    profile,
  });
  if (from > 0) {
    const started = Date.now();
    history.skip(from);
    log(`regenerated the first ${count(from)} events in ${duration(Date.now() - started)}`);
  }
  const before = await streamState(nc, STREAMS.warehouse);
  const publisher = new PipelinedPublisher(nc, { inboxPrefix: inboxPrefixFor(options.user), window: WINDOW });
  const total = profile.events - from;
  const started = Date.now();
  let last = { ms: started, answered: 0 };
  const progress = setInterval(() => {
    const now = Date.now();
    const answered = publisher.answered;
    const rate = ((answered - last.answered) * 1000) / Math.max(1, now - last.ms);
    const overall = (answered * 1000) / Math.max(1, now - started);
    last = { ms: now, answered };
    const done = from + answered;
    log(
      `  ${count(done)} / ${count(profile.events)} events (${((100 * done) / profile.events).toFixed(1)}%), ` +
        `${count(Math.round(rate))}/s, ETA ${duration(((total - answered) * 1000) / Math.max(1, overall))}`,
    );
  }, PROGRESS_EVERY_MS);
  let index = from;
  try {
    for (const item of history) {
      if (signal.aborted) break;
      await publisher.publish(
        encodeStockEvent(item.warehouse, item.event, {
          id: chainEventId(identity, index++),
          timestampMs: item.timestampMs,
          names: options.names,
          user: options.user,
        }),
      );
    }
    await publisher.settle();
  } catch (err) {
    throw new Error(
      `filling stopped after ${count(from + publisher.answered)} events: ${(err as Error).message}; ` +
        'run it again to continue',
    );
  } finally {
    clearInterval(progress);
    publisher.close();
  }
  if (signal.aborted) {
    throw new Error(
      `filling interrupted after ${count(from + publisher.answered)} events; run it again to continue`,
    );
  }
  const after = await streamState(nc, STREAMS.warehouse);
  const ms = Date.now() - started;
  log(
    `published ${count(total)} events in ${duration(ms)} (${count(Math.round((total * 1000) / ms))}/s); ` +
      `${STREAMS.warehouse} holds ${count(after.messages)} events` +
      (publisher.duplicates > 0 ? ` (${count(publisher.duplicates)} duplicates dropped by the server)` : ''),
  );
  // More is someone else publishing at the same time; fewer is events lost.
  const added = after.messages - before.messages;
  if (added < total - publisher.duplicates) {
    throw new Error(`the stream grew by ${count(added)} events while ${count(total)} were published`);
  }
}

/** Where the simulator starts in chain mode: the chain's end state, and the first sequence after it. */
export interface ChainSimulatorStart {
  world: SimulatorWorld;
  state: SimulatorState;
  fromSeq: number;
}

/**
 * The chain's warehouses and products, and its stock after the chain events the stream holds, regenerated
 * rather than read back: generating is some 20 times faster than replaying the stream. The simulator folds
 * only what came after them.
 */
export async function chainSimulatorStart(
  nc: NatsConnection,
  options: Omit<ChainOptions, 'user' | 'names' | 'signal'>,
): Promise<ChainSimulatorStart> {
  const { profile, seed, log } = options;
  const place = await findChain(nc, seed, profile);
  if (place.kind !== 'chain') {
    const history = new ChainHistory({
      seed,
      startMs: chainStartMs(options.nowMs, options.utcOffsetMinutes, profile.days),
      utcOffsetMinutes: options.utcOffsetMinutes,
      profile,
    });
    return { world: history.simulatorWorld(), state: { stock: {} }, fromSeq: 1 };
  }
  const history = new ChainHistory({
    seed,
    startMs: place.identity.startMs,
    utcOffsetMinutes: place.identity.utcOffsetMinutes,
    profile,
  });
  const started = Date.now();
  history.skip(place.next);
  log(`regenerated the chain's ${count(place.next)} events in ${duration(Date.now() - started)}`);
  return {
    world: history.simulatorWorld(),
    state: history.simulatorState(),
    fromSeq: place.lastChainSeq + 1,
  };
}
