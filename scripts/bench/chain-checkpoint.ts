/**
 * The chain's fold in Node and the shared checkpoints of it, as the checkpointer would write them
 * (src/workers/lib/checkpointing.ts): one at the end of each week of the history, for time travel (those a
 * previous run left in the store are kept), and one at `cutSeq`, written and timed (encode, gzip, put); the
 * fold goes on to the end. Cutting before the end leaves a tail that a browser starting from the checkpoint
 * must replay, as it would between two checkpoints in production.
 */
import { checkpointName, weekCuts } from '../../src/core/checkpoint-catalog';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointContent } from '../../src/core/checkpoint-codec';
import { TimeMarks } from '../../src/core/time-marks';
import { MARK_EVERY } from '../../src/workers/lib/checkpointing';
import { decodeStockMessage, eventTimeOf, eventTimeSpan, type Decoded } from '../../src/core/codec';
import { DEFAULT_HEADER_PREFIX, headerNames } from '../../src/core/events';
import { applyBatch, initialLedger, type LedgerState } from '../../src/core/ledger';
import { LEDGER_SNAPSHOT_VERSION, snapshotLedger } from '../../src/core/ledger-snapshot';
import { STREAMS } from '../../src/core/resources';
import { readCheckpoint, writeCheckpoint } from '../../src/nats/checkpoint-store';
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
  foldMs: number;
  /** Oldest event time in the stream. */
  minEventMs: number;
  checkpoint: {
    seq: number;
    name: string;
    /** Encode + gzip + put of one checkpoint. */
    ms: number;
    bytes: number;
    compressedBytes: number;
  };
  /** The week-end checkpoints of the history: written by this run, or found from an earlier one. */
  history: { written: number; kept: number; compressedBytes: number; ms: number };
}

const FOLD_BATCH = 50_000;

export async function foldChainAndCheckpoint(
  nc: NatsConnection,
  lastSeq: number,
  cutSeq: number,
  /** Names of the history checkpoints already in the store, from an earlier run on the same stream. */
  stored: ReadonlySet<string>,
): Promise<ChainFold> {
  const names = headerNames(DEFAULT_HEADER_PREFIX);
  const { created } = await streamState(nc, STREAMS.warehouse);
  const controller = new AbortController();
  let ledger = initialLedger();
  let minEventMs = Number.POSITIVE_INFINITY;
  let maxEventMs = Number.NEGATIVE_INFINITY;
  const marks = new TimeMarks(MARK_EVERY);
  let checkpoint: ChainFold['checkpoint'] | null = null;
  let foldMs = 0;
  let started = performance.now();
  // Folded in large batches: a batch copies each container it changes once, and at a chain's size a few of
  // them hold 100k keys (src/core/batch.ts), so a batch of 1,000 events would spend most of its time copying.
  let pending: Decoded[] = [];
  const history: ChainFold['history'] = { written: 0, kept: 0, compressedBytes: 0, ms: 0 };
  let historyWrite: Promise<void> = Promise.resolve();
  const foldSegment = (messages: Decoded[]) => {
    if (messages.length === 0) return;
    ledger = applyBatch(ledger, messages);
    const { oldest, newest } = eventTimeSpan(messages);
    minEventMs = Math.min(minEventMs, oldest);
    maxEventMs = Math.max(maxEventMs, newest);
    marks.afterBatch(ledger.lastSeq, oldest, newest);
  };
  const apply = async (messages: Decoded[]) => {
    let from = 0;
    for (const cut of weekCuts(messages.map(eventTimeOf), maxEventMs)) {
      foldSegment(messages.slice(from, cut));
      from = cut;
      if (stored.has(checkpointName(LEDGER_SNAPSHOT_VERSION, ledger.lastSeq))) {
        history.kept++;
        continue;
      }
      // Written while the fold goes on, as the checkpointer does: a replay left unread for the seconds a
      // large checkpoint takes to put would stall its consumer and lose its place.
      await historyWrite;
      foldMs += performance.now() - started;
      historyWrite = write(nc, ledger, created, {
        minEventMs,
        maxEventMs,
        marks: marks.through(ledger.lastSeq),
      }).then((week) => {
        history.written++;
        history.compressedBytes += week.compressedBytes;
        history.ms += week.ms;
      });
      // Its failure is thrown where it is awaited next; should the fold fail first, it must not also crash the
      // process as an unhandled rejection.
      historyWrite.catch(() => undefined);
      // Encoding is synchronous, the put is not: only the encoding is taken out of the fold's time.
      started = performance.now();
    }
    foldSegment(from === 0 ? messages : messages.slice(from));
    if (checkpoint === null && ledger.lastSeq >= cutSeq) {
      await historyWrite;
      foldMs += performance.now() - started;
      checkpoint = await write(nc, ledger, created, { minEventMs, maxEventMs, marks: marks.through(cutSeq) });
      started = performance.now();
    }
  };
  for await (const batch of stockwireReplay(nc, {
    stream: STREAMS.warehouse,
    fromSeq: 1,
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
  if (checkpoint === null)
    throw new Error(`the fold ended at ${ledger.lastSeq}, before the cut at ${cutSeq}`);
  if (ledger.quality.byKind.malformed > 0)
    throw new Error(`${ledger.quality.byKind.malformed} malformed events in the chain`);
  const products = ledger.stock.warehouses.get('46');
  const auditProduct = products ? ([...products.keys()].sort()[0] ?? null) : null;
  return { auditProduct, foldMs, minEventMs, checkpoint, history };
}

function seqOf(d: Decoded): number {
  return d.kind === 'malformed' ? d.seq : d.meta.seq;
}

async function write(
  nc: NatsConnection,
  ledger: LedgerState,
  streamCreated: string,
  times: Omit<CheckpointContent, 'snapshot'>,
): Promise<ChainFold['checkpoint']> {
  const started = performance.now();
  const bytes = encodeCheckpoint({ snapshot: snapshotLedger(ledger), ...times });
  const { compressedBytes } = await writeCheckpoint(
    nc,
    {
      name: checkpointName(LEDGER_SNAPSHOT_VERSION, ledger.lastSeq),
      seq: ledger.lastSeq,
      viewsVersion: LEDGER_SNAPSHOT_VERSION,
      streamCreated,
      maxEventMs: times.maxEventMs,
    },
    bytes,
  );
  return {
    seq: ledger.lastSeq,
    name: checkpointName(LEDGER_SNAPSHOT_VERSION, ledger.lastSeq),
    ms: Math.round(performance.now() - started),
    bytes: bytes.length,
    compressedBytes,
  };
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
