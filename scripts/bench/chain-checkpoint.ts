/**
 * The chain's fold in Node and the shared checkpoints of it, as the checkpointer writes them
 * (src/workers/lib/checkpointing.ts, with its folds and its writer): a set (the chain's and each warehouse's)
 * at the end of each week of the history, for time travel, and one at `cutSeq`, written and timed; the fold goes
 * on to the end. Cutting before the end leaves a tail that a browser starting from the checkpoint must replay, as
 * it would between two checkpoints in production. Week-end sets an earlier run left in the store are kept, and
 * the fold starts from the newest of them whose every warehouse's checkpoint is there, as a restarted
 * checkpointer does: a year's fold is then a week's.
 */
import {
  checkpointName,
  isChainCheckpoint,
  warehouseCheckpointName,
  weekCuts,
  weekOf,
  type CheckpointTag,
} from '../../src/core/checkpoint-catalog';
import { decodeCheckpoint } from '../../src/core/checkpoint-codec';
import { CheckpointFolds } from '../../src/core/checkpoint-folds';
import { MARK_EVERY } from '../../src/workers/lib/checkpointing';
import { readCheckpointSet, writeCheckpointSet } from '../../src/workers/lib/checkpoint-set';
import { decodeStockMessage, eventTimeOf, type Decoded } from '../../src/core/codec';
import { DEFAULT_HEADER_PREFIX, headerNames } from '../../src/core/events';
import { applyBatch, type LedgerState } from '../../src/core/ledger';
import { LEDGER_SNAPSHOT_VERSION } from '../../src/core/ledger-snapshot';
import { STREAMS } from '../../src/core/resources';
import type { TimedFoldStart } from '../../src/core/timed-fold';
import { readCheckpoint } from '../../src/nats/checkpoint-store';
import type { NatsConnection } from '../../src/nats/connection';
import { streamState } from '../../src/nats/replay';
import { stockwireReplay } from './replay-path';

/**
 * What the fold leaves for the rest of the run. Not the fold itself: at a chain's size it holds the Node heap
 * at over a gigabyte through the browser phases, and its major collections stall this process for seconds (the
 * publisher's acknowledgement timers with it). The projector's phase reads it back from the cut's checkpoint.
 */
export interface ChainFold {
  /** A product of warehouse 46 with stock, the same every run, for the audit trail. */
  auditProduct: string | null;
  /** Events folded by this run, and how long that took (writes excluded). */
  folded: number;
  foldMs: number;
  /** The sequence the fold started after: a week-end set of an earlier run, or 0. */
  resumedSeq: number;
  /** Oldest event time in the stream. */
  minEventMs: number;
  checkpoint: {
    seq: number;
    name: string;
    /** Encode + gzip + put of the chain's checkpoint and of every warehouse's. */
    ms: number;
    bytes: number;
    compressedBytes: number;
    warehouses: number;
    warehouseBytes: number;
    warehousesMs: number;
  };
  /** The week-end sets of the history: written by this run, or found from an earlier one. */
  history: { written: number; kept: number; compressedBytes: number; ms: number };
}

const FOLD_BATCH = 50_000;
/** Stored week-end sets tried, newest first, before folding from sequence 1. */
const RESUME_TRIES = 3;

export async function foldChainAndCheckpoint(
  nc: NatsConnection,
  lastSeq: number,
  cutSeq: number,
  /** The checkpoints already in the store of this stream and version before the cut, from an earlier run. */
  stored: readonly CheckpointTag[],
): Promise<ChainFold> {
  const names = headerNames(DEFAULT_HEADER_PREFIX);
  const { created } = await streamState(nc, STREAMS.warehouse);
  const controller = new AbortController();
  const storedNames = new Set(stored.map((t) => t.name));
  const resumed = await resumeFromStored(nc, stored);
  const folds = new CheckpointFolds(MARK_EVERY, resumed ?? undefined);
  const resumedSeq = folds.chain.ledger.lastSeq;
  let checkpoint: ChainFold['checkpoint'] | null = null;
  let foldMs = 0;
  let started = performance.now();
  // Folded in large batches: a batch copies each container it changes once, and at a chain's size a few of
  // them hold 100k keys (src/core/batch.ts), so a batch of 1,000 events would spend most of its time copying.
  let pending: Decoded[] = [];
  const history: ChainFold['history'] = {
    written: 0,
    kept: storedWeekEnds(stored),
    compressedBytes: 0,
    ms: 0,
  };
  let historyWrite: Promise<void> = Promise.resolve();
  const writeSet = async (weekEnd: boolean) => {
    const t0 = performance.now();
    const set = folds.content();
    const written = await writeCheckpointSet(nc, set, {
      streamCreated: created,
      weekEnd,
      withChain: true,
      now: () => performance.now(),
    });
    return { set, written, ms: Math.round(performance.now() - t0) };
  };
  const apply = async (messages: Decoded[]) => {
    let from = 0;
    for (const cut of weekCuts(messages.map(eventTimeOf), folds.chain.maxEventMs)) {
      folds.apply(messages.slice(from, cut));
      from = cut;
      if (storedNames.has(checkpointName(LEDGER_SNAPSHOT_VERSION, folds.chain.ledger.lastSeq))) continue;
      // Written while the fold goes on, as the checkpointer does: a replay left unread for the seconds a
      // large checkpoint takes to put would stall its consumer and lose its place.
      await historyWrite;
      foldMs += performance.now() - started;
      historyWrite = writeSet(true).then(({ written, ms }) => {
        history.written++;
        history.compressedBytes += (written.chain?.compressedBytes ?? 0) + written.warehouseBytes;
        history.ms += ms;
      });
      // Its failure is thrown where it is awaited next; should the fold fail first, it must not also crash the
      // process as an unhandled rejection.
      historyWrite.catch(() => undefined);
      // Encoding is synchronous, the put is not: only the encoding is taken out of the fold's time.
      started = performance.now();
    }
    folds.apply(from === 0 ? messages : messages.slice(from));
    if (checkpoint === null && folds.chain.ledger.lastSeq >= cutSeq) {
      await historyWrite;
      foldMs += performance.now() - started;
      const { set, written, ms } = await writeSet(false);
      const chain = written.chain as NonNullable<typeof written.chain>;
      checkpoint = {
        seq: set.seq,
        name: chain.name,
        ms,
        bytes: chain.bytes,
        compressedBytes: chain.compressedBytes,
        warehouses: written.warehouses,
        warehouseBytes: written.warehouseBytes,
        warehousesMs: Math.round(written.warehousesMs),
      };
      started = performance.now();
    }
  };
  for await (const batch of stockwireReplay(nc, {
    stream: STREAMS.warehouse,
    fromSeq: resumedSeq + 1,
    signal: controller.signal,
    batchSize: 1000,
    // Encoding a week-end checkpoint of the chain holds this thread for seconds, and its collections with it:
    // with the default two seconds, the replay took that for a server gone silent and gave up.
    heartbeatMs: 10_000,
  })) {
    for (const m of batch.messages) {
      const decoded = decodeStockMessage(m, names);
      // The checkpoint must hold exactly the events up to the cut.
      if (checkpoint === null && seqOf(decoded) === cutSeq + 1) {
        await apply(pending);
        pending = [];
      }
      pending.push(decoded);
    }
    const done = pending.length > 0 && seqOf(pending[pending.length - 1]!) >= lastSeq;
    if (pending.length >= FOLD_BATCH || done) {
      await apply(pending);
      pending = [];
    }
    if (done) break;
  }
  foldMs += performance.now() - started;
  controller.abort();
  await historyWrite;
  const ledger = folds.chain.ledger;
  if (checkpoint === null)
    throw new Error(`the fold ended at ${ledger.lastSeq}, before the cut at ${cutSeq}`);
  if (ledger.quality.byKind.malformed > 0)
    throw new Error(`${ledger.quality.byKind.malformed} malformed events in the chain`);
  const products = ledger.stock.warehouses.get('46');
  const auditProduct = products ? ([...products.keys()].sort()[0] ?? null) : null;
  return {
    auditProduct,
    folded: ledger.lastSeq - resumedSeq,
    foldMs,
    resumedSeq,
    minEventMs: folds.chain.minEventMs,
    checkpoint,
    history,
  };
}

function seqOf(d: Decoded): number {
  return d.kind === 'malformed' ? d.seq : d.meta.seq;
}

/** The chain's week-end checkpoints among those stored: each has a week-end checkpoint of warehouse 46 beside it. */
function storedWeekEnds(stored: readonly CheckpointTag[]): number {
  return stored.filter((t) => isChainCheckpoint(t) && weekEndSetOf(t, stored) !== null).length;
}

/** The warehouses' checkpoints of the week-end set a chain checkpoint belongs to; null when it is not one. */
function weekEndSetOf(chain: CheckpointTag, stored: readonly CheckpointTag[]): CheckpointTag[] | null {
  const week = weekOf(chain.maxEventMs);
  const beside = stored.filter(
    (t) =>
      t.warehouse !== undefined &&
      t.seq === chain.seq &&
      t.name === warehouseCheckpointName(t.warehouse, LEDGER_SNAPSHOT_VERSION, week),
  );
  return beside.length > 0 ? beside : null;
}

/** The folds of the newest stored week-end set whose chain and warehouses all read back; null: none. */
async function resumeFromStored(
  nc: NatsConnection,
  stored: readonly CheckpointTag[],
): Promise<{ chain: TimedFoldStart; warehouses: Map<string, TimedFoldStart> } | null> {
  const chains = stored
    .filter((t) => isChainCheckpoint(t) && weekEndSetOf(t, stored) !== null)
    .sort((a, b) => b.seq - a.seq)
    .slice(0, RESUME_TRIES);
  for (const tag of chains) {
    const set = await readCheckpointSet(nc, tag, weekEndSetOf(tag, stored) ?? []);
    if (set.ok) return set;
  }
  return null;
}

/** A checkpoint of this run read back, as a browser would. */
export async function readFold(nc: NatsConnection, name: string): Promise<LedgerState> {
  const read = decodeCheckpoint(await readCheckpoint(nc, name));
  if (!read.ok) throw new Error(`the checkpoint ${name} does not decode: ${read.detail}`);
  return read.ledger;
}

/**
 * The fold brought up to the end of the stream as it is now: the phases after the fold publish live events,
 * and a figure compared with the fold (the projector's bucket) must include them.
 */
export async function foldToEnd(nc: NatsConnection, ledger: LedgerState): Promise<LedgerState> {
  const { lastSeq } = await streamState(nc, STREAMS.warehouse);
  if (ledger.lastSeq >= lastSeq) return ledger;
  const names = headerNames(DEFAULT_HEADER_PREFIX);
  const controller = new AbortController();
  const tail: Decoded[] = [];
  for await (const batch of stockwireReplay(nc, {
    stream: STREAMS.warehouse,
    fromSeq: ledger.lastSeq + 1,
    signal: controller.signal,
    batchSize: 1000,
  })) {
    for (const m of batch.messages) tail.push(decodeStockMessage(m, names));
    if (tail.length > 0 && seqOf(tail[tail.length - 1]!) >= lastSeq) break;
  }
  controller.abort();
  return applyBatch(ledger, tail);
}
