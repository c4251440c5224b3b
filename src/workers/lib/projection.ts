/**
 * The projector's engine: folds WAREHOUSE_EVENTS with the core ledger and keeps `stock_levels` equal to the fold.
 *
 * How a restart stays exact. The per-key value cannot be updated from the bucket alone: a `stock.corrected`
 * sets one location, so the fold needs every location of the key, and an event is skipped when its id was
 * applied before in its warehouse (docs/architecture.md#reading-rules), so the fold needs the ids seen. Neither
 * fits in the bucket's values, whose bytes are fixed by the contract. So on start the projector rebuilds the
 * fold up to the highest sequence its durable ever delivered — from the checkpointer's newest shared checkpoint
 * and the stream after it (an ordered consumer without acks, much faster than the durable), or from sequence 1
 * when there is none — compares every key of the bucket with that fold and corrects what differs, then takes
 * new messages from the durable. The durable gives the live tail and the restart point; the fold gives the
 * truth. A durable created now (a first start, a replaced stream) starts where the fold ends, rather than
 * delivering the whole history again only to have it acknowledged.
 *
 * Per batch: order the delivered messages (a hole is read from the stream, never skipped), fold them, write each
 * changed key once with compare-and-set on its revision, then acknowledge. A message is acknowledged only after
 * its key is in the bucket, so a crash at any point leaves work that the next start redoes with the same result.
 *
 * A stream deleted and provisioned again (or a wiped store) is told by its creation time, or by a last sequence
 * below our fold: the old fold and the bucket then copy a history that no longer exists. The projector folds the
 * new stream from the start to its current end and settles every key as `--rebuild` does, deleting the keys the
 * new stream does not produce, before it takes messages from its (new) durable.
 */
import { decodeStockMessage, type Decoded, type RawMessage } from '../../core/codec';
import { applyDecoded, initialLedger, type LedgerState } from '../../core/ledger';
import { newBatch } from '../../core/batch';
import { seqOf } from '../../core/view';
import { changedLevels, stockLevel, stockLevelCount, stockLevelsByKey } from '../../core/procurement-stock';
import { stockKey, type HeaderNames } from '../../core/events';
import { planDelivery, planKey, type PlanContext } from '../../core/projector-plan';
import type { NatsConnection } from '../../nats/connection';
import { consumeDurable, durablePosition, ensureDurable, type DeliveredMessage } from '../../nats/durable';
import { chooseCheckpoint } from '../../core/checkpoint-catalog';
import { decodeCheckpoint } from '../../core/checkpoint-codec';
import { LEDGER_SNAPSHOT_VERSION } from '../../core/ledger-snapshot';
import { listCheckpoints, readCheckpoint } from '../../nats/checkpoint-store';
import { classifyNatsError } from '../../nats/errors';
import { openCasBucket, type CasBucket, type KvSlot } from '../../nats/kv-cas';
import { watchBucket } from '../../nats/kv-watch';
import { BUCKETS, STREAMS } from '../../core/resources';
import { PROJECTOR_DURABLE, kvSubjectPrefix } from '../../nats/names';
import { checkResources } from '../../nats/provision';
import { replayStream, streamState } from '../../nats/replay';
import type { ProjectorStatus } from '../../core/worker-status';
import { backoffDelay, sleep, throwIfAborted } from '../../lib/backoff';
import type { Logger } from './log';
import { RateMeter } from './rate-meter';

export interface ProjectorSettings {
  /** Messages per batch from the durable (one write per changed key per batch). */
  batchSize: number;
  ackWaitMs: number;
  maxAckPending: number;
  /** Also delete keys the stream does not produce, on the first start of this process. */
  rebuild: boolean;
  /** Parallel compare-and-set writes. */
  writeConcurrency: number;
  /**
   * Events folded at once while reading the stream up to the durable; a durable further behind than this has
   * its backlog folded first (docs/architecture.md#folding-at-a-chains-size).
   */
  catchUpBatch: number;
}

const NO_VALUE: KvSlot = { revision: 0, value: null };
const utf8 = new TextEncoder();

type SyncOutcome = 'kept' | 'written' | 'corrected' | 'deleted' | 'waiting';

/** A batch folded into the ledger, not yet written or acknowledged. */
interface Folded {
  batch: DeliveredMessage[];
  /** Keys whose level the batch changed. */
  keys: Set<string>;
  alreadyApplied: number;
  foldedThrough: number;
}

export class Projection {
  private ledger: LedgerState = initialLedger();
  private streamCreated: string | undefined;
  /** The bucket as last seen or written by us: value and revision per key. */
  private readonly slots = new Map<string, KvSlot>();
  /**
   * Keys a peer wrote ahead of our fold: the sequence our fold must reach before we look again, and whether the
   * key is to be deleted then if the fold does not produce it (a rebuild that had to wait).
   */
  private readonly waiting = new Map<string, { untilSeq: number; deleteStray: boolean }>();
  private streamLastSeq = 0;
  /** Every sequence up to here is folded and its key settled in the bucket. */
  private appliedSeq = 0;
  private ready = false;
  private rebuildDone = false;
  /** The stream was replaced since the last fold: the next start settles the bucket as a rebuild does. */
  private replaced = false;
  /** Stops taking messages from the durable, so that `run` starts over on a replaced stream. */
  private following: AbortController | undefined;
  private errors = 0;
  /** Batches are settled in order, so with cumulative acks the last message of each acknowledges it all. */
  private ackPolicy: 'all' | 'explicit' = 'explicit';
  private readonly rate = new RateMeter();
  readonly startedMs: number;

  constructor(
    private readonly log: Logger,
    private readonly settings: ProjectorSettings,
    /** The deployment's event header names (docs/architecture.md#subjects-and-headers). */
    private readonly names: HeaderNames,
    private readonly now: () => number = Date.now,
  ) {
    this.startedMs = now();
  }

  countError(): void {
    this.errors += 1;
  }

  /** One connection's worth of work: start-up, then the durable's messages until the signal aborts. */
  async run(nc: NatsConnection, signal: AbortSignal): Promise<void> {
    this.ready = false;
    await checkResources(nc, ['warehouse', 'stockLevels']);
    const stream = await streamState(nc, STREAMS.warehouse);
    const recreated = this.streamCreated !== undefined && this.streamCreated !== stream.created;
    // Sequences at or below our checkpoint would be taken as folded already and never applied.
    const rewound = stream.lastSeq < this.ledger.lastSeq;
    if (recreated || rewound) {
      this.log.warn('the stream was recreated or rewound: folding it again from the start', {
        created: stream.created,
        previouslyCreated: this.streamCreated,
        streamLastSeq: stream.lastSeq,
        previouslyFoldedThrough: this.ledger.lastSeq,
      });
      this.reset();
      this.replaced = true;
    }
    this.streamCreated = stream.created;
    this.streamLastSeq = Math.max(this.streamLastSeq, stream.lastSeq);
    const existing = await durablePosition(nc, STREAMS.warehouse, PROJECTOR_DURABLE);
    const deliveredSeq = existing?.deliveredSeq ?? 0;
    const bucket = await openCasBucket(nc, BUCKETS.stockLevels);

    const started = this.now();
    // After a replacement the whole new stream is folded first, so that no key of the old history is judged
    // against a partial fold (it would wait for, or be deleted before, the events that settle it). A durable
    // far behind, or none (a new deployment on a long history), is caught up the same way: folded in large
    // batches and each key written once, instead of a write per key per delivered batch; the durable then
    // acknowledges what it delivers as already folded.
    const farBehind = existing === null || stream.lastSeq - deliveredSeq > this.settings.catchUpBatch;
    const foldTo = this.replaced || farBehind ? Math.max(deliveredSeq, stream.lastSeq) : deliveredSeq;
    if (this.ledger.lastSeq === 0 && foldTo > 0) await this.startFromCheckpoint(nc, stream);
    const before = this.ledger.lastSeq;
    await this.fill(nc, before + 1, foldTo, signal, false);
    const foldMs = this.now() - started;
    const durable = await ensureDurable(nc, {
      stream: STREAMS.warehouse,
      name: PROJECTOR_DURABLE,
      ackWaitMs: this.settings.ackWaitMs,
      maxAckPending: this.settings.maxAckPending,
      startSeq: this.ledger.lastSeq + 1,
    });
    this.ackPolicy = durable.ackPolicy;
    await this.loadBucket(nc, signal);
    const deleteStrays = (this.settings.rebuild && !this.rebuildDone) || this.replaced;
    const keys = new Set([...stockLevelsByKey(this.ledger.procurement).keys(), ...this.slots.keys()]);
    const outcomes = await this.sync(nc, bucket, keys, deleteStrays, signal);
    if (deleteStrays) this.rebuildDone = true;
    this.replaced = false;
    this.appliedSeq = this.ledger.lastSeq;
    this.ready = true;
    this.log.info(deleteStrays ? `rebuilt ${BUCKETS.stockLevels} from the stream` : 'ready', {
      foldedFrom: before + 1,
      foldedThrough: this.ledger.lastSeq,
      foldMs,
      // Where the durable stood when this start found it (or, created now, where it starts).
      durableAckFloor: (existing ?? durable).ackFloorSeq,
      durableDelivered: (existing ?? durable).deliveredSeq,
      durablePending: (existing ?? durable).pending,
      malformed: this.ledger.quality.byKind.malformed,
      duplicates: this.ledger.skipped,
      keys: keys.size,
      ...outcomes,
    });

    // Two batches overlap: while the writes of one are on their way, the next one is folded. A batch is
    // acknowledged only after its own writes, and writes always carry the newest fold, so the overlap changes
    // nothing but the speed.
    let settling: Promise<void> = Promise.resolve();
    const following = new AbortController();
    const stopFollowing = () => following.abort();
    signal.addEventListener('abort', stopFollowing, { once: true });
    this.following = following;
    try {
      for await (const batch of consumeDurable(nc, {
        stream: STREAMS.warehouse,
        name: PROJECTOR_DURABLE,
        signal: following.signal,
        batchSize: this.settings.batchSize,
        onNotice: (type, detail) => this.log.warn('consumer notice', { type, ...detail }),
      })) {
        const folded = await this.foldDelivered(nc, batch, signal);
        await settling;
        settling = this.settle(nc, bucket, folded, signal);
        // Observed at the next await; until then a failure must not count as unhandled.
        settling.catch(() => undefined);
      }
    } finally {
      this.following = undefined;
      signal.removeEventListener('abort', stopFollowing);
      await settling;
    }
    // Only a replaced stream stops the durable without shutdown (consumeDurable throws on anything else).
    if (!signal.aborted) await this.run(nc, signal);
  }

  status(): ProjectorStatus {
    const now = this.now();
    const lagEvents = Math.max(0, this.streamLastSeq - this.appliedSeq);
    return {
      worker: 'projector',
      lastAppliedSeq: this.appliedSeq,
      lagEvents,
      eventsPerSecond: this.rate.perSecond(now),
      errors: this.errors,
      malformed: this.ledger.quality.byKind.malformed,
      duplicates: this.ledger.skipped,
      keys: stockLevelCount(this.ledger.procurement),
      phase: !this.ready ? 'starting' : lagEvents > this.settings.batchSize ? 'catching-up' : 'live',
      startedMs: this.startedMs,
      updatedMs: now,
    };
  }

  /**
   * Keeps the lag exact while no message arrives (the durable says nothing then), and notices a replaced stream
   * that the durable does not report: a store restored from an earlier copy brings back an older durable on the
   * same stream, which then delivers new events under sequences our fold has passed (they would be taken as done).
   */
  async refreshStreamEnd(nc: NatsConnection): Promise<void> {
    // Read before asking: everything folded was stored before the question, so a live stream cannot be behind it.
    const folded = this.ledger.lastSeq;
    const state = await streamState(nc, STREAMS.warehouse);
    this.streamLastSeq = Math.max(this.streamLastSeq, state.lastSeq);
    const replaced = state.created !== this.streamCreated || state.lastSeq < folded;
    if (replaced && this.following && !this.following.signal.aborted) {
      this.log.warn('the stream changed under the durable consumer: starting over', {
        created: state.created,
        streamLastSeq: state.lastSeq,
        foldedThrough: folded,
      });
      this.following.abort();
    }
  }

  /**
   * Starts the fold from the checkpointer's newest shared checkpoint of this stream and views version
   * (docs/architecture.md#checkpoints), which holds exactly what folding the stream up to it gives; without a
   * usable one, the fold starts from sequence 1.
   */
  private async startFromCheckpoint(nc: NatsConnection, stream: { created: string; lastSeq: number }) {
    try {
      const { tags } = await listCheckpoints(nc);
      const { use } = chooseCheckpoint(tags, {
        viewsVersion: LEDGER_SNAPSHOT_VERSION,
        streamCreated: stream.created,
        lastSeq: stream.lastSeq,
      });
      if (!use) return;
      const read = decodeCheckpoint(await readCheckpoint(nc, use.name));
      if (!read.ok || read.ledger.lastSeq !== use.seq) {
        this.log.warn('shared checkpoint not usable; folding from the start', {
          name: use.name,
          why: read.ok ? `it holds #${read.ledger.lastSeq}` : read.detail,
        });
        return;
      }
      this.ledger = read.ledger;
      this.log.info('started from the shared checkpoint', { name: use.name, seq: use.seq });
    } catch (err) {
      this.log.warn('shared checkpoints not readable; folding from the start', {
        reason: classifyNatsError(err).message,
      });
    }
  }

  private reset(): void {
    this.ledger = initialLedger();
    this.slots.clear();
    this.waiting.clear();
    this.streamLastSeq = 0;
    this.appliedSeq = 0;
  }

  /** Folds a delivered batch in stream order, reading holes from the stream; writes nothing yet. */
  private async foldDelivered(
    nc: NatsConnection,
    batch: DeliveredMessage[],
    signal: AbortSignal,
  ): Promise<Folded> {
    const before = this.ledger.procurement;
    const plan = planDelivery(
      this.ledger.lastSeq,
      batch.map((m) => m.seq),
    );
    let run: RawMessage[] = [];
    for (const step of plan.steps) {
      if (step.kind === 'fold') {
        run.push(batch[step.index]!.message);
        continue;
      }
      this.fold(run, true);
      run = [];
      this.log.info('sequences not delivered to this projector; reading them from the stream', {
        from: step.from,
        to: step.to,
      });
      await this.fill(nc, step.from, step.to, signal, true);
    }
    this.fold(run, true);
    const last = batch[batch.length - 1];
    if (last) this.streamLastSeq = Math.max(this.streamLastSeq, last.seq + last.pending);
    const keys = new Set(
      changedLevels(before, this.ledger.procurement).map((l) => stockKey(l.warehouse, l.product_name)),
    );
    return { batch, keys, alreadyApplied: plan.done.length, foldedThrough: this.ledger.lastSeq };
  }

  /** Writes the keys a batch changed (and waiting keys the fold has reached), then acknowledges the batch. */
  private async settle(
    nc: NatsConnection,
    bucket: CasBucket,
    folded: Folded,
    signal: AbortSignal,
  ): Promise<void> {
    const { batch, keys } = folded;
    for (const [key, { untilSeq }] of this.waiting) if (untilSeq <= this.ledger.lastSeq) keys.add(key);
    await this.sync(nc, bucket, keys, false, signal);
    if (this.ackPolicy === 'all') batch[batch.length - 1]?.ack();
    else for (const m of batch) m.ack();
    const again = batch.filter((m) => m.redelivered);
    if (again.length > 0) {
      this.log.info('delivered again', {
        count: again.length,
        alreadyApplied: folded.alreadyApplied,
        firstSeq: again[0]!.seq,
        lastSeq: again[again.length - 1]!.seq,
      });
    }
    this.appliedSeq = Math.max(this.appliedSeq, folded.foldedThrough);
  }

  /** Folds messages in order; sequences already folded change nothing (the ledger's checkpoint). */
  private fold(messages: readonly RawMessage[], report: boolean): void {
    if (messages.length === 0) return;
    const batch = newBatch();
    let state = this.ledger;
    for (const message of messages) {
      const decoded: Decoded = decodeStockMessage(message, this.names);
      // Read before applying: inside one batch the ledger is updated in place.
      const fresh = seqOf(decoded) > state.lastSeq;
      const skipped = state.skipped;
      const next = applyDecoded(state, decoded, batch);
      if (report && fresh) {
        if (decoded.kind === 'malformed') {
          this.log.warn('malformed event skipped', {
            seq: decoded.seq,
            subject: decoded.subject,
            code: decoded.error.code,
            reason: decoded.error.message,
          });
        } else if (next.skipped > skipped) {
          this.log.warn('repeated event id skipped', { seq: decoded.meta.seq, id: decoded.meta.id });
        }
      }
      state = next;
    }
    this.ledger = state;
    this.rate.record(messages.length, this.now());
  }

  /** Reads sequences from..to from the stream with an ordered consumer and folds them. */
  private async fill(
    nc: NatsConnection,
    from: number,
    to: number,
    signal: AbortSignal,
    report: boolean,
  ): Promise<void> {
    if (to < from) return;
    const done = new AbortController();
    const stop = () => done.abort();
    signal.addEventListener('abort', stop, { once: true });
    // Folded in large batches: each batch copies every container it changes once, and at a chain's size a
    // batch of 1,000 events touches every warehouse (docs/architecture.md#folding-at-a-chains-size).
    let pending: RawMessage[] = [];
    try {
      for await (const batch of replayStream(nc, {
        stream: STREAMS.warehouse,
        fromSeq: from,
        signal: done.signal,
        batchSize: 1000,
      })) {
        for (const m of batch.messages) if (m.seq <= to) pending.push(m);
        this.streamLastSeq = Math.max(this.streamLastSeq, batch.streamLastSeq);
        const last = batch.messages[batch.messages.length - 1]?.seq ?? 0;
        const end = last >= to || batch.caughtUp;
        if (pending.length >= this.settings.catchUpBatch || end) {
          this.fold(pending, report);
          pending = [];
        }
        if (end) break;
      }
      this.fold(pending, report);
    } finally {
      signal.removeEventListener('abort', stop);
      done.abort();
    }
    throwIfAborted(signal);
  }

  /** Reads every key of the bucket with its revision (the initial values of a watch). */
  private async loadBucket(nc: NatsConnection, signal: AbortSignal): Promise<void> {
    const done = new AbortController();
    const stop = () => done.abort();
    signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const batch of watchBucket(nc, { bucket: BUCKETS.stockLevels, signal: done.signal })) {
        for (const e of batch.entries) {
          this.slots.set(e.key, { revision: e.revision, value: e.operation === 'PUT' ? e.value : null });
        }
        if (batch.initialDone) break;
      }
    } finally {
      signal.removeEventListener('abort', stop);
      done.abort();
    }
    throwIfAborted(signal);
  }

  /** Settles keys with compare-and-set, several at a time; returns how many ended which way. */
  private async sync(
    nc: NatsConnection,
    bucket: CasBucket,
    keys: Iterable<string>,
    deleteStrays: boolean,
    signal: AbortSignal,
  ): Promise<Record<SyncOutcome, number>> {
    const counts: Record<SyncOutcome, number> = { kept: 0, written: 0, corrected: 0, deleted: 0, waiting: 0 };
    const queue = [...keys];
    const worker = async () => {
      for (let key = queue.pop(); key !== undefined; key = queue.pop()) {
        counts[await this.syncKey(nc, bucket, key, deleteStrays, signal)] += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.settings.writeConcurrency, queue.length) }, worker));
    return counts;
  }

  private async syncKey(
    nc: NatsConnection,
    bucket: CasBucket,
    key: string,
    deleteStrays: boolean,
    signal: AbortSignal,
  ): Promise<SyncOutcome> {
    let streamChecked = false;
    let failures = 0;
    let conflicts = 0;
    const deleteStray = deleteStrays || (this.waiting.get(key)?.deleteStray ?? false);
    for (let attempt = 0; ; attempt++) {
      // Shutdown lets a first attempt finish (the batch in hand gets written and acknowledged), not retries.
      if (attempt > 0) throwIfAborted(signal);
      const slot = this.slots.get(key) ?? NO_VALUE;
      const ctx: PlanContext = {
        foldedThrough: this.ledger.lastSeq,
        streamLastSeq: this.streamLastSeq,
        deleteStrays: deleteStray,
      };
      const decision = planKey(slot.value, stockLevel(this.ledger.procurement, key), ctx);
      if (decision.kind === 'keep') {
        this.waiting.delete(key);
        return 'kept';
      }
      if (decision.kind === 'wait') {
        if (!streamChecked) {
          // Our idea of the stream's end may be old: a value citing a later event is only a peer's if it exists.
          streamChecked = true;
          await this.refreshStreamEnd(nc).catch(() => undefined);
          continue;
        }
        this.waiting.set(key, { untilSeq: decision.untilSeq, deleteStray });
        return 'waiting';
      }
      try {
        const value = decision.kind === 'write' ? utf8.encode(decision.value) : null;
        const result =
          value === null
            ? await bucket.delete(key, slot.revision)
            : await bucket.put(key, value, slot.revision);
        if (result.ok) {
          this.slots.set(key, { revision: result.revision, value });
          this.waiting.delete(key);
          if (decision.kind === 'delete') {
            this.log.warn('deleted a key the stream does not produce', { key, revision: result.revision });
            return 'deleted';
          }
          if (decision.reason === 'missing' || decision.reason === 'behind') return 'written';
          this.log.warn('corrected a stored level', {
            key,
            reason: decision.reason,
            revision: result.revision,
          });
          return 'corrected';
        }
        // Someone wrote the key since we last saw it: read it and decide again.
        this.slots.set(key, await bucket.get(key));
        conflicts += 1;
        if (conflicts % 5 === 0) await sleep(backoffDelay(Math.min(conflicts / 5, 4)), signal);
      } catch (err) {
        this.errors += 1;
        const delay = backoffDelay(failures++);
        this.log.warn('write failed; retrying', {
          key,
          reason: classifyNatsError(err, { subject: `${kvSubjectPrefix(bucket.bucket)}${key}` }).message,
          retryInMs: delay,
        });
        await sleep(delay, signal);
      }
    }
  }
}
