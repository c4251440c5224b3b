/**
 * The checkpointer's engine (docs/architecture.md#checkpoints): folds WAREHOUSE_EVENTS with the core ledger,
 * as every browser does, and now and then writes the fold into the `checkpoints` object store so that a
 * browser without a saved copy replays only what came after it. Besides the chain's fold it keeps one per
 * warehouse, fed that warehouse's subjects alone, for pages about one warehouse
 * (docs/architecture.md#one-warehouse-or-the-chain). It starts from its own newest checkpoints, so a restart
 * does not replay the whole stream either.
 */
import {
  checkpointsToDelete,
  chooseCheckpoint,
  warehouseCheckpointName,
  weekCuts,
} from '../../core/checkpoint-catalog';
import { CheckpointFolds } from '../../core/checkpoint-folds';
import { decodeStockMessage, eventTimeOf, type Decoded } from '../../core/codec';
import type { HeaderNames } from '../../core/events';
import { LEDGER_SNAPSHOT_VERSION } from '../../core/ledger-snapshot';
import type { CheckpointerStatus } from '../../core/worker-status';
import { sleep } from '../../lib/backoff';
import { deleteCheckpoint, listCheckpoints } from '../../nats/checkpoint-store';
import type { NatsConnection } from '../../nats/connection';
import { describeNatsError } from '../../nats/errors';
import { STREAMS } from '../../core/resources';
import { replayStream, streamState } from '../../nats/replay';
import type { Logger } from './log';
import { RateMeter } from './rate-meter';
import { readCheckpointSet, writeCheckpointSet } from './checkpoint-set';

export interface CheckpointSettings {
  /** A checkpoint after this many new events… */
  everyEvents: number;
  /** …or after this long with any new event, whichever comes first. */
  everyMs: number;
  /** The newest checkpoints kept, besides one per day. */
  keepLatest: number;
  /** Days (of event time) for which the newest checkpoint of the day is kept. */
  keepDays: number;
  /** Weeks (of event time) for which the newest checkpoint of the week is kept, for time travel. */
  keepWeeks: number;
  /** A time mark at most every this many events (see MARK_EVERY). */
  markEvery: number;
}

/** Events folded at once while catching up. */
const FOLD_BATCH = 50_000;
/**
 * A time mark at most this often: a browser rebuilding a moment before its checkpoint reads at most this many
 * events past the moment's last one (a fiftieth of that when it reads one warehouse).
 */
export const MARK_EVERY = 50_000;

/** Thrown when the stream under the fold was recreated or rewound: the next cycle starts over. */
class StreamReplaced extends Error {}

export class Checkpointing {
  private folds: CheckpointFolds;
  private streamCreated: string | null = null;
  private lastSeq = 0;
  private lastAtMs: number;
  private lastBytes = 0;
  private written = 0;
  private errors = 0;
  private streamLastSeq = 0;
  private caughtUp = false;
  private writing: Promise<void> | null = null;
  private readonly rate = new RateMeter();
  private readonly startedMs: number;

  constructor(
    private readonly log: Logger,
    private readonly settings: CheckpointSettings,
    /** The deployment's event header names (docs/architecture.md#subjects-and-headers). */
    private readonly names: HeaderNames,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.startedMs = now();
    this.lastAtMs = now();
    this.folds = new CheckpointFolds(settings.markEvery);
  }

  private get ledger() {
    return this.folds.chain.ledger;
  }

  countError(): void {
    this.errors++;
  }

  /** One cycle: starts from the newest usable checkpoint (or sequence 1), folds, and writes as it goes. */
  async run(nc: NatsConnection, signal: AbortSignal): Promise<void> {
    const state = await streamState(nc, STREAMS.warehouse);
    this.streamLastSeq = state.lastSeq;
    if (
      this.streamCreated !== null &&
      (state.created !== this.streamCreated || state.lastSeq < this.ledger.lastSeq)
    ) {
      this.log.warn('the stream was recreated or rewound; folding it again', {
        foldedThrough: this.ledger.lastSeq,
        streamLastSeq: state.lastSeq,
      });
      this.reset();
    }
    this.streamCreated = state.created;
    if (this.ledger.lastSeq === 0) await this.resume(nc, state);
    // The replay runs under its own signal: the ticker ends it when the stream is replaced underneath, which
    // an ordered consumer does not notice (it waits for the old stream's next sequence).
    const cycle = new AbortController();
    const stop = () => cycle.abort();
    signal.addEventListener('abort', stop, { once: true });
    let replaced = false;
    const ticker = this.tick(nc, cycle.signal, state.created, () => {
      replaced = true;
      cycle.abort();
    });
    let decoded: Decoded[] = [];
    try {
      for await (const batch of replayStream(nc, {
        stream: STREAMS.warehouse,
        fromSeq: this.ledger.lastSeq + 1,
        signal: cycle.signal,
        batchSize: 1000,
      })) {
        for (const m of batch.messages) decoded.push(decodeStockMessage(m, this.names));
        this.streamLastSeq = Math.max(this.streamLastSeq, batch.streamLastSeq);
        // Folded in large batches while catching up: each batch copies every container it changes once, and at
        // a chain's size some hold 100k keys (docs/architecture.md#folding-at-a-chains-size).
        if (decoded.length < FOLD_BATCH && !batch.caughtUp) continue;
        const folding = decoded;
        decoded = [];
        await this.foldCuttingWeeks(nc, folding);
        this.rate.record(folding.length, this.now());
        // Catching up ends with a checkpoint of everything when there was none of this stream, or when the
        // catch-up was long enough to write history checkpoints: browsers should not start a week back, nor
        // wait the full interval. A restart that found only a few new events waits as usual.
        const caughtUpNow = batch.caughtUp && !this.caughtUp;
        const wroteHistory = this.written > 0;
        this.caughtUp ||= batch.caughtUp;
        if ((caughtUpNow && (this.lastSeq === 0 || wroteHistory)) || this.due()) await this.write(nc);
      }
    } finally {
      signal.removeEventListener('abort', stop);
      cycle.abort();
      await ticker;
    }
    if (replaced) throw new StreamReplaced('the stream was recreated or rewound; starting over');
  }

  /**
   * Writes a checkpoint at the end of every week of event time that the batch completes, catching up or live,
   * so that time travel over the history starts at most a week before any moment
   * (docs/architecture.md#time-travel-at-a-chains-size).
   */
  private async foldCuttingWeeks(nc: NatsConnection, batch: Decoded[]): Promise<void> {
    let from = 0;
    for (const cut of weekCuts(batch.map(eventTimeOf), this.folds.chain.maxEventMs)) {
      this.folds.apply(batch.slice(from, cut));
      from = cut;
      await this.write(nc, 'week-end');
    }
    this.folds.apply(from === 0 ? batch : batch.slice(from));
  }

  /**
   * Every few seconds: checks that the stream is still the one folded (`replaced` otherwise), and writes on
   * time when events trickle in too slowly to reach `everyEvents`.
   */
  private async tick(
    nc: NatsConnection,
    signal: AbortSignal,
    created: string,
    replaced: () => void,
  ): Promise<void> {
    const pauseMs = Math.min(this.settings.everyMs, 5000);
    while (!signal.aborted) {
      await sleep(pauseMs, signal);
      if (signal.aborted) return;
      const state = await streamState(nc, STREAMS.warehouse).catch(() => null);
      if (state && (state.created !== created || state.lastSeq < this.ledger.lastSeq)) {
        replaced();
        return;
      }
      if (this.caughtUp && this.due()) {
        await this.write(nc).catch((error: unknown) => {
          this.errors++;
          this.log.error('checkpoint not written; trying again later', { reason: describeNatsError(error) });
        });
      }
    }
  }

  /**
   * Live, a checkpoint after enough new events or enough time. Catching up, only at the end of each week
   * (see `foldCatchingUp`).
   */
  private due(): boolean {
    const newer = this.ledger.lastSeq - this.lastSeq;
    if (newer <= 0 || !this.caughtUp) return false;
    return newer >= this.settings.everyEvents || this.now() - this.lastAtMs >= this.settings.everyMs;
  }

  private reset(): void {
    this.folds = new CheckpointFolds(this.settings.markEvery);
    this.lastSeq = 0;
    this.caughtUp = false;
  }

  private async resume(nc: NatsConnection, state: { created: string; lastSeq: number }): Promise<void> {
    const listing = await listCheckpoints(nc);
    const { use } = chooseCheckpoint(listing.tags, {
      viewsVersion: LEDGER_SNAPSHOT_VERSION,
      streamCreated: state.created,
      lastSeq: state.lastSeq,
    });
    if (!use) return;
    const latest = listing.tags.filter(
      (t) =>
        t.warehouse !== undefined &&
        t.name === warehouseCheckpointName(t.warehouse, LEDGER_SNAPSHOT_VERSION, 'latest') &&
        t.streamCreated === state.created,
    );
    const set = await readCheckpointSet(nc, use, latest);
    if (!set.ok) {
      this.log.warn('newest checkpoints not usable; folding from the start', {
        name: set.name,
        why: set.why,
      });
      return;
    }
    this.folds = new CheckpointFolds(this.settings.markEvery, set);
    this.lastSeq = use.seq;
    this.lastAtMs = this.now();
    this.log.info('resumed from checkpoint', {
      name: use.name,
      seq: use.seq,
      warehouses: set.warehouses.size,
    });
  }

  /** One write at a time; the fold goes on meanwhile (a state once made never changes). */
  private async write(nc: NatsConnection, kind: 'latest' | 'week-end' = 'latest'): Promise<void> {
    // A week's end is never merged into a write already under way: that one may be of another moment.
    while (this.writing) {
      if (kind === 'latest') return this.writing;
      await this.writing.catch(() => undefined);
    }
    this.writing = this.writeNow(nc, kind).finally(() => (this.writing = null));
    return this.writing;
  }

  private async writeNow(nc: NatsConnection, kind: 'latest' | 'week-end'): Promise<void> {
    // Taken together now: the fold may move on while the stream is asked, and the event times written must be
    // those of the events the checkpoint holds (time travel picks a checkpoint by its newest event).
    const set = this.folds.content();
    const created = this.streamCreated;
    // The chain's checkpoint may be written already at this moment, its warehouses' week-end ones not.
    const chainDue = set.seq > this.lastSeq;
    if (created === null || (!chainDue && kind === 'latest')) return;
    // The stream may have been recreated since this fold began: a checkpoint tagged with the new creation
    // time but holding the old stream's events would mislead every browser.
    const state = await streamState(nc, STREAMS.warehouse);
    if (state.created !== created || state.lastSeq < set.seq) {
      throw new StreamReplaced('the stream was recreated or rewound');
    }
    const written = await writeCheckpointSet(nc, set, {
      streamCreated: created,
      weekEnd: kind === 'week-end',
      withChain: chainDue,
      now: this.now,
    });
    const { chain, ...warehouses } = written;
    if (chain === null) return;
    this.lastSeq = set.seq;
    this.lastAtMs = this.now();
    this.lastBytes = chain.compressedBytes;
    this.written++;
    this.log.info('checkpoint written', { seq: set.seq, kind, ...chain, ...warehouses });
    await this.prune(nc, created);
  }

  private async prune(nc: NatsConnection, created: string): Promise<void> {
    const { tags } = await listCheckpoints(nc);
    const doomed = checkpointsToDelete(tags, {
      keepLatest: this.settings.keepLatest,
      keepDays: this.settings.keepDays,
      keepWeeks: this.settings.keepWeeks,
      viewsVersion: LEDGER_SNAPSHOT_VERSION,
      streamCreated: created,
    });
    for (const name of doomed) await deleteCheckpoint(nc, name);
    if (doomed.length > 0) this.log.info('old checkpoints deleted', { count: doomed.length });
  }

  async refreshStreamEnd(nc: NatsConnection): Promise<void> {
    this.streamLastSeq = (await streamState(nc, STREAMS.warehouse)).lastSeq;
  }

  status(): CheckpointerStatus {
    const now = this.now();
    return {
      worker: 'checkpointer',
      foldedSeq: this.ledger.lastSeq,
      lagEvents: Math.max(0, this.streamLastSeq - this.ledger.lastSeq),
      eventsPerSecond: this.rate.perSecond(now),
      lastCheckpointSeq: this.lastSeq,
      lastCheckpointBytes: this.lastBytes,
      lastCheckpointMs: this.written > 0 || this.lastSeq > 0 ? this.lastAtMs : 0,
      written: this.written,
      errors: this.errors,
      phase: this.streamCreated === null ? 'starting' : this.caughtUp ? 'live' : 'catching-up',
      startedMs: this.startedMs,
      updatedMs: now,
    };
  }
}
