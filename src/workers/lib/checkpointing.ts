/**
 * The checkpointer's engine (docs/architecture.md#checkpoints): folds WAREHOUSE_EVENTS with the core ledger,
 * as every browser does, and now and then writes the fold into the `checkpoints` object store so that a
 * browser without a saved copy replays only what came after it. It starts from its own newest checkpoint, so
 * a restart does not replay the whole stream either.
 */
import {
  checkpointName,
  checkpointsToDelete,
  chooseCheckpoint,
  weekCuts,
  type CheckpointTag,
} from '../../core/checkpoint-catalog';
import { decodeCheckpoint, encodeCheckpoint } from '../../core/checkpoint-codec';
import { decodeStockMessage, eventTimeOf, eventTimeSpan, type Decoded } from '../../core/codec';
import type { HeaderNames } from '../../core/events';
import { applyBatch, initialLedger, type LedgerState } from '../../core/ledger';
import { TimeMarks } from '../../core/time-marks';
import { LEDGER_SNAPSHOT_VERSION, snapshotLedger } from '../../core/ledger-snapshot';
import type { CheckpointerStatus } from '../../core/worker-status';
import { sleep } from '../../lib/backoff';
import {
  deleteCheckpoint,
  listCheckpoints,
  readCheckpoint,
  writeCheckpoint,
} from '../../nats/checkpoint-store';
import type { NatsConnection } from '../../nats/connection';
import { describeNatsError } from '../../nats/errors';
import { STREAMS } from '../../core/resources';
import { replayStream, streamState } from '../../nats/replay';
import type { Logger } from './log';
import { RateMeter } from './rate-meter';

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
  private ledger: LedgerState = initialLedger();
  private streamCreated: string | null = null;
  private minEventMs = Number.POSITIVE_INFINITY;
  private maxEventMs = Number.NEGATIVE_INFINITY;
  private marks: TimeMarks;
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
    this.marks = new TimeMarks(settings.markEvery);
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
        if (this.caughtUp) this.foldSegment(folding);
        else await this.foldCatchingUp(nc, folding);
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
   * Writes a checkpoint at the end of every week of event time that the batch completes, so that time travel
   * over the history starts at most a week before any moment (docs/architecture.md#time-travel-at-a-chains-size).
   */
  private async foldCatchingUp(nc: NatsConnection, batch: Decoded[]): Promise<void> {
    let from = 0;
    for (const cut of weekCuts(batch.map(eventTimeOf), this.maxEventMs)) {
      this.foldSegment(batch.slice(from, cut));
      from = cut;
      await this.write(nc);
    }
    this.foldSegment(from === 0 ? batch : batch.slice(from));
  }

  private foldSegment(segment: Decoded[]): void {
    if (segment.length === 0) return;
    this.ledger = applyBatch(this.ledger, segment);
    const { oldest, newest } = eventTimeSpan(segment);
    this.minEventMs = Math.min(this.minEventMs, oldest);
    this.maxEventMs = Math.max(this.maxEventMs, newest);
    this.marks.afterBatch(this.ledger.lastSeq, oldest, newest);
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
    this.ledger = initialLedger();
    this.minEventMs = Number.POSITIVE_INFINITY;
    this.maxEventMs = Number.NEGATIVE_INFINITY;
    this.marks = new TimeMarks(this.settings.markEvery);
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
    const read = decodeCheckpoint(await readCheckpoint(nc, use.name));
    if (!read.ok) {
      this.log.warn('newest checkpoint not usable; folding from the start', {
        name: use.name,
        why: read.detail,
      });
      return;
    }
    this.ledger = read.ledger;
    this.minEventMs = read.minEventMs;
    this.maxEventMs = read.maxEventMs;
    this.marks = new TimeMarks(this.settings.markEvery, read.marks);
    this.lastSeq = use.seq;
    this.lastAtMs = this.now();
    this.log.info('resumed from checkpoint', { name: use.name, seq: use.seq });
  }

  /** One write at a time; the fold goes on meanwhile (a state once made never changes). */
  private async write(nc: NatsConnection): Promise<void> {
    if (this.writing) return this.writing;
    this.writing = this.writeNow(nc).finally(() => (this.writing = null));
    return this.writing;
  }

  private async writeNow(nc: NatsConnection): Promise<void> {
    // Taken together now: the fold may move on while the stream is asked, and the event times written must be
    // those of the events the checkpoint holds (time travel picks a checkpoint by its newest event).
    const ledger = this.ledger;
    const { minEventMs, maxEventMs } = this;
    const created = this.streamCreated;
    if (created === null || ledger.lastSeq <= this.lastSeq) return;
    // The stream may have been recreated since this fold began: a checkpoint tagged with the new creation
    // time but holding the old stream's events would mislead every browser.
    const state = await streamState(nc, STREAMS.warehouse);
    if (state.created !== created || state.lastSeq < ledger.lastSeq) {
      throw new StreamReplaced('the stream was recreated or rewound');
    }
    const t0 = this.now();
    const bytes = encodeCheckpoint({
      snapshot: snapshotLedger(ledger),
      minEventMs,
      maxEventMs,
      // Marks past the ledger would describe events the checkpoint does not hold.
      marks: this.marks.through(ledger.lastSeq),
    });
    const encodeMs = this.now() - t0;
    const tag: CheckpointTag = {
      name: checkpointName(LEDGER_SNAPSHOT_VERSION, ledger.lastSeq),
      seq: ledger.lastSeq,
      viewsVersion: LEDGER_SNAPSHOT_VERSION,
      streamCreated: created,
      maxEventMs: Number.isFinite(maxEventMs) ? maxEventMs : 0,
    };
    const { compressedBytes } = await writeCheckpoint(nc, tag, bytes);
    const writeMs = this.now() - t0 - encodeMs;
    this.lastSeq = ledger.lastSeq;
    this.lastAtMs = this.now();
    this.lastBytes = compressedBytes;
    this.written++;
    this.log.info('checkpoint written', {
      name: tag.name,
      seq: tag.seq,
      bytes: bytes.length,
      compressedBytes,
      encodeMs,
      writeMs,
    });
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
