/**
 * The live fold of WAREHOUSE_EVENTS, of the whole chain or of one warehouse's subjects alone
 * (docs/architecture.md#one-warehouse-or-the-chain): it starts from the views this browser saved or from a shared
 * checkpoint, whichever is newer (docs/architecture.md#checkpoints), replays what was stored since (through the
 * replay pump when that is long), and follows the stream live. Each run checks the stream
 * first and rebuilds every view from sequence 1 when it was recreated or rewound
 * (docs/durability.md#after-a-rewound-or-replaced-stream). The reading itself is given to it (`WarehouseStream`),
 * and what it has to say goes to a `FollowerSink`, so it runs without a server in tests.
 */
import {
  chooseCheckpoint,
  usableCheckpoint,
  warehouseCheckpointName,
  type CheckpointChoice,
  type StreamNow,
} from '../core/checkpoint-catalog';
import { decodeCheckpoint } from '../core/checkpoint-codec';
import { eventTimeSpan, type Decoded, type RawMessage } from '../core/codec';
import { applyBatch, initialLedger, type LedgerState } from '../core/ledger';
import { LEDGER_SNAPSHOT_VERSION } from '../core/ledger-snapshot';
import { seqOf } from '../core/view';
import { warehouseNames } from '../core/warehouse-stock';
import { describeNatsError } from '../nats/errors';
import type { SharedCheckpoints } from './checkpoint-port';
import { Checkpoints } from './checkpoints';
import type { FoldPersistence } from './fold-persistence';
import { ProgressMeter } from './progress-meter';
import type { FoldStart, ReplayProgress } from './protocol';

/** What the readers deliver (a `ReplayBatch` from src/nats). */
export interface FollowedBatch {
  messages: readonly RawMessage[];
  /** Nothing was pending after the last message. */
  caughtUp: boolean;
  streamLastSeq: number;
}

/** What the follower folds: one warehouse's subjects, or (null) every subject of the chain. */
export type FoldScope = string | null;

export interface WarehouseStream {
  /** The stream's creation time and last sequence now; throws when the server cannot be asked. */
  state(): Promise<{ created: string; lastSeq: number }>;
  /**
   * Reads from `fromSeq` on over the engine's own connection, then follows live until `signal` aborts; of one
   * warehouse's subjects, the reader is given that scope.
   */
  replay(fromSeq: number, signal: AbortSignal): AsyncIterable<FollowedBatch>;
  /**
   * Reads `fromSeq`..`untilSeq` through the replay pump, a second worker and connection, and ends there; only
   * for the chain's fold.
   */
  pump(fromSeq: number, untilSeq: number, signal: AbortSignal): AsyncIterable<FollowedBatch>;
  decode(message: RawMessage): Decoded;
}

/** The saved copy of the fold in this browser. */
export type SavedFold = Pick<FoldPersistence, 'restore' | 'maybeSave' | 'forget'>;

export interface FollowerSink {
  /** The views changed: a snapshot is due. */
  changed(): void;
  /** The replay caught up just now: the page should know at once, not at the next coalesced snapshot. */
  caughtUp(): void;
  progress(progress: ReplayProgress): void;
  notice(level: 'info' | 'warning', message: string): void;
  /** The replay pump failed; what it did not deliver is read on the engine's connection. */
  pumpFailed(error: unknown): void;
}

/**
 * A backlog at least this long is received by the replay pump while this worker folds; shorter ones are not
 * worth a second connection.
 */
export const PUMP_MIN_BACKLOG = 5_000;

/**
 * A shared checkpoint is read instead of the saved copy only when it saves at least this many events: reading
 * a checkpoint costs about as much as replaying a few thousand.
 */
export const CHECKPOINT_MIN_GAIN = 5_000;

export class WarehouseFollower {
  private fold: LedgerState = initialLedger();
  /** Creation time of the stream the fold was read from; null until the first check. */
  private streamCreated: string | null = null;
  private newestEventMs: number | null = null;
  private oldestEventMs: number | null = null;
  private marks = new Checkpoints();
  /** Where this session's fold started, and how many messages it folded since. */
  private origin: { from: FoldStart['from']; seq: number } = { from: 'stream', seq: 0 };
  private foldedSince = 0;
  /** Raised by a rebuild: batches of a run started before it are dropped. */
  private generation = 0;
  readonly progress = new ProgressMeter();

  constructor(
    private readonly stream: WarehouseStream,
    private readonly saved: SavedFold,
    private readonly sink: FollowerSink,
    private readonly now: () => number = () => Date.now(),
    private readonly shared: SharedCheckpoints | null = null,
    readonly scope: FoldScope = null,
  ) {}

  /** Whether the fold holds every event of this warehouse. */
  reads(warehouse: string): boolean {
    return this.scope === null || this.scope === warehouse;
  }

  /** The warehouses folded. */
  get warehouses(): string[] {
    return warehouseNames(this.fold.stock);
  }

  get ledger(): LedgerState {
    return this.fold;
  }

  /** Event time of the newest event folded. */
  get lastEventMs(): number | null {
    return this.newestEventMs;
  }

  /** Creation time of the stream the fold was read from; null until the first check. */
  get streamCreatedAt(): string | null {
    return this.streamCreated;
  }

  /** The live fold's checkpoints for the time machine; replaced when the fold is rebuilt. */
  get checkpoints(): Checkpoints {
    return this.marks;
  }

  /** Where the fold started and how much this session replayed after it. */
  get start(): FoldStart {
    return { ...this.origin, folded: this.foldedSince, scope: this.scope };
  }

  /**
   * Starts from the views saved by an earlier visit, when they belong to this stream and this version, or
   * from the newest shared checkpoint of this stream and version when that is further on.
   */
  async resumeSavedFold(): Promise<void> {
    let state;
    try {
      state = await this.stream.state();
    } catch {
      return; // the replay's own start reports the problem
    }
    await this.restoreSaved(state);
    await this.startFromShared(state);
  }

  /**
   * "Rebuild from the stream": forgets the saved copy and starts again from sequence 1, checkpoints
   * ignored. The caller restarts the run, which then replays everything.
   */
  rebuild(): void {
    this.generation++;
    this.fold = initialLedger();
    this.marks = new Checkpoints();
    this.newestEventMs = null;
    this.oldestEventMs = null;
    this.streamCreated = null;
    this.origin = { from: 'stream', seq: 0 };
    this.foldedSince = 0;
    void this.saved.forget().catch(() => undefined);
    this.sink.notice('info', 'Rebuilding every view from the stream, from sequence 1.');
    this.sink.changed();
  }

  private async restoreSaved(state: { created: string; lastSeq: number }): Promise<void> {
    const outcome = await this.saved.restore(state);
    switch (outcome.kind) {
      case 'restored': {
        const { fold } = outcome;
        this.fold = fold.ledger;
        this.streamCreated = state.created;
        this.newestEventMs = Number.isFinite(fold.maxEventMs) ? fold.maxEventMs : null;
        this.oldestEventMs = Number.isFinite(fold.minEventMs) ? fold.minEventMs : null;
        this.marks.resumeFrom(this.fold, fold.minEventMs, fold.maxEventMs);
        this.origin = { from: 'saved', seq: this.fold.lastSeq };
        const newer = state.lastSeq - this.fold.lastSeq;
        this.sink.notice(
          'info',
          `Started from the views this browser saved at ${new Date(fold.savedAtMs).toLocaleString()} ` +
            `(${this.fold.lastSeq.toLocaleString()} events); reading the ${newer.toLocaleString()} stored since.`,
        );
        break;
      }
      case 'refused':
        this.sink.notice(
          'info',
          `The views saved in this browser were not used (${outcome.why}); reading the whole stream.`,
        );
        break;
      case 'failed':
        this.sink.notice(
          'warning',
          `The views saved in this browser could not be read (${describeNatsError(outcome.error)}); reading the whole stream.`,
        );
        break;
      case 'none':
        break;
    }
  }

  /** Starts from the newest usable shared checkpoint when it is further on than the fold restored so far. */
  private async startFromShared(state: { created: string; lastSeq: number }): Promise<void> {
    if (!this.shared) return;
    // Twice: the checkpointer may prune the chosen one between the listing and the read.
    for (let attempt = 0; attempt < 2; attempt++) {
      let choice;
      try {
        choice = await this.chooseShared({
          viewsVersion: LEDGER_SNAPSHOT_VERSION,
          streamCreated: state.created,
          lastSeq: state.lastSeq,
        });
      } catch (error) {
        this.sink.notice(
          'warning',
          `The shared checkpoints could not be listed (${describeNatsError(error)}); reading the stream instead.`,
        );
        return;
      }
      const { use } = choice;
      if (!use) {
        if (choice.ignored.length > 0 && this.fold.lastSeq === 0) {
          this.sink.notice(
            'info',
            `No shared checkpoint was used (${choice.ignored.join('; ')}); reading the whole stream.`,
          );
        }
        return;
      }
      if (use.seq < this.fold.lastSeq + CHECKPOINT_MIN_GAIN) return;
      let bytes: Uint8Array;
      try {
        bytes = await this.shared.read(use.name);
      } catch (error) {
        if (attempt === 0) continue;
        this.sink.notice(
          'warning',
          `The shared checkpoint at #${use.seq} could not be read (${describeNatsError(error)}); reading the stream instead.`,
        );
        return;
      }
      const read = decodeCheckpoint(bytes);
      if (!read.ok || read.ledger.lastSeq !== use.seq) {
        const why = read.ok ? `it holds #${read.ledger.lastSeq}, not #${use.seq}` : read.detail;
        this.sink.notice(
          'warning',
          `The shared checkpoint at #${use.seq} was not used (${why}); reading the stream instead.`,
        );
        return;
      }
      this.fold = read.ledger;
      this.streamCreated = state.created;
      this.newestEventMs = Number.isFinite(read.maxEventMs) ? read.maxEventMs : null;
      this.oldestEventMs = Number.isFinite(read.minEventMs) ? read.minEventMs : null;
      this.marks = new Checkpoints();
      this.marks.resumeFrom(this.fold, read.minEventMs, read.maxEventMs, read.marks);
      this.origin = { from: 'checkpoint', seq: use.seq };
      const newer = state.lastSeq - use.seq;
      const which =
        this.scope === null ? 'the shared checkpoint' : `warehouse ${this.scope}'s shared checkpoint`;
      this.sink.notice(
        'info',
        `Started from ${which} at #${use.seq.toLocaleString()}; reading ` +
          (newer === 1 ? 'the 1 event stored since.' : `the ${newer.toLocaleString()} events stored since.`),
      );
      return;
    }
  }

  /** The chain's newest checkpoint from the listing, or one warehouse's latest, found by its name. */
  private async chooseShared(now: StreamNow): Promise<CheckpointChoice> {
    const shared = this.shared as SharedCheckpoints;
    if (this.scope === null) return chooseCheckpoint(await shared.list(), now);
    const tag = await shared.find(warehouseCheckpointName(this.scope, now.viewsVersion, 'latest'));
    if (!tag) return { use: null, ignored: [] };
    return usableCheckpoint(tag, now)
      ? { use: tag, ignored: [] }
      : { use: null, ignored: [`warehouse ${this.scope}'s is of another stream or ahead of it`] };
  }

  /**
   * One run: checks the stream, replays what the fold lacks and follows live until `signal` aborts or a reader
   * fails (its error is thrown; the caller restarts the run, which resumes from the fold).
   */
  async follow(signal: AbortSignal): Promise<void> {
    const generation = this.generation;
    const state = await this.stream.state();
    if (generation !== this.generation) return;
    const rewound =
      this.streamCreated !== null &&
      (state.created !== this.streamCreated || state.lastSeq < this.fold.lastSeq);
    if (rewound) {
      this.sink.notice(
        'warning',
        'The event stream was recreated or rewound on the server; rebuilding every view from it.',
      );
      this.fold = initialLedger();
      this.marks = new Checkpoints();
      this.newestEventMs = null;
      this.oldestEventMs = null;
      this.origin = { from: 'stream', seq: 0 };
      this.foldedSince = 0;
      void this.saved.forget().catch(() => undefined);
    }
    this.streamCreated = state.created;
    this.progress.reset(this.fold.lastSeq, state.lastSeq);
    this.sink.progress(this.progress.current());
    // One warehouse's backlog is a fiftieth of the chain's: not worth a second connection.
    if (this.scope === null && state.lastSeq - this.fold.lastSeq >= PUMP_MIN_BACKLOG) {
      try {
        for await (const batch of this.stream.pump(this.fold.lastSeq + 1, state.lastSeq, signal)) {
          if (generation !== this.generation) return;
          this.foldBatch(batch, state.created);
        }
      } catch (error) {
        // What the pump did not deliver is read below, on this connection.
        this.sink.pumpFailed(error);
      }
    }
    if (generation !== this.generation) return;
    for await (const batch of this.stream.replay(this.fold.lastSeq + 1, signal)) {
      if (generation !== this.generation) return;
      this.foldBatch(batch, state.created);
    }
  }

  /** One batch into every view, the time machine's checkpoints, the progress and the saved copy. */
  private foldBatch(batch: FollowedBatch, streamCreatedAt: string): void {
    const decoded = batch.messages.map((m) => this.stream.decode(m));
    const before = this.fold.lastSeq;
    this.fold = applyBatch(this.fold, decoded);
    // Caught up, one warehouse's reader has had every message of its subjects stored up to the stream's end:
    // the fold holds the stream through there, and a later start reads on from there.
    if (this.scope !== null && batch.caughtUp && batch.streamLastSeq > this.fold.lastSeq) {
      this.fold = { ...this.fold, lastSeq: batch.streamLastSeq };
    }
    for (const d of decoded) if (seqOf(d) > before) this.foldedSince++;
    const { oldest, newest } = eventTimeSpan(decoded);
    if (decoded.length > 0) {
      this.newestEventMs = Math.max(this.newestEventMs ?? Number.NEGATIVE_INFINITY, newest);
      this.oldestEventMs = Math.min(this.oldestEventMs ?? Number.POSITIVE_INFINITY, oldest);
    }
    this.marks.afterBatch(this.fold, oldest, newest);
    const wasCaughtUp = this.progress.isCaughtUp;
    this.progress.advance(this.fold.lastSeq, batch.streamLastSeq, batch.caughtUp, this.now());
    // Progress travels with the coalesced snapshots, except the moment the replay catches up.
    if (!wasCaughtUp && this.progress.isCaughtUp) this.sink.caughtUp();
    else this.sink.changed();
    this.saved
      .maybeSave(this.fold, batch.caughtUp, {
        streamCreated: streamCreatedAt,
        minEventMs: this.oldestEventMs ?? Number.POSITIVE_INFINITY,
        maxEventMs: this.newestEventMs ?? Number.NEGATIVE_INFINITY,
        nowMs: this.now(),
      })
      ?.catch((error: unknown) =>
        this.sink.notice(
          'warning',
          `The views could not be saved in this browser for a faster next start: ${describeNatsError(error)}`,
        ),
      );
  }
}
