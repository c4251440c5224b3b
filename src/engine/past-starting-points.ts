/**
 * Where the time machine starts rebuilding a moment (docs/architecture.md#time-travel-at-a-chains-size): the
 * newest point that holds nothing later than the moment, among the live fold's own checkpoints and the shared
 * checkpoints of the history (the checkpointer keeps one at the end of each week, of the chain and of each
 * warehouse). A browser that started from a shared checkpoint has no point of its own in the year before it, so
 * without the shared ones a moment of the year would be read from sequence 1.
 */
import {
  checkpointBefore,
  usableCheckpoint,
  warehouseCheckpointName,
  weekOf,
  type CheckpointTag,
  type StreamNow,
} from '../core/checkpoint-catalog';
import { decodeCheckpoint } from '../core/checkpoint-codec';
import { LEDGER_SNAPSHOT_VERSION } from '../core/ledger-snapshot';
import { describeNatsError } from '../nats/errors';
import type { SharedCheckpoints } from './checkpoint-port';
import { initialLedger } from '../core/ledger';
import type { Checkpoint, Checkpoints } from './checkpoints';
import type { CheckpointIndex } from './time-machine';
import { CHECKPOINT_MIN_GAIN } from './warehouse-follower';

/** The live fold as the starting points need it. */
export interface LiveFold {
  checkpoints: Checkpoints;
  /** Creation time of the stream it was folded from; null before the first check. */
  streamCreated: string | null;
  lastSeq: number;
  /** The one warehouse it folds, or null for the chain. */
  scope: string | null;
}

/** A week without a checkpoint of one warehouse (nothing happened there) is passed over this many times at most. */
const WEEKS_BACK = 3;

/** The listing of shared checkpoints is asked again after this long: the checkpointer adds and prunes. */
export const LISTING_FRESH_MS = 60_000;

export class PastStartingPoints implements CheckpointIndex {
  private listing: { tags: CheckpointTag[]; atMs: number } | null = null;
  /** One warehouse's checkpoints looked up by name, with when. */
  private found = new Map<string, { tag: CheckpointTag | null; atMs: number }>();
  /** The shared checkpoint read last: playing forward through a week starts from it again and again. */
  private loaded: { name: string; point: Checkpoint } | null = null;
  /** One notice per kind of trouble, not one per tick of playback. */
  private readonly told = new Set<string>();

  constructor(
    private readonly shared: SharedCheckpoints,
    private readonly live: () => LiveFold,
    private readonly notice: (message: string) => void,
    private readonly now: () => number,
  ) {}

  async before(atMs: number, warehouse: string | null): Promise<Checkpoint> {
    const fold = this.live();
    // A fold of one warehouse holds nothing of the others.
    const own =
      fold.scope === null || fold.scope === warehouse
        ? fold.checkpoints.before(atMs)
        : { seq: 0, maxEventMs: Number.NEGATIVE_INFINITY, ledger: initialLedger() };
    if (fold.streamCreated === null) return own;
    const stream = {
      viewsVersion: LEDGER_SNAPSHOT_VERSION,
      streamCreated: fold.streamCreated,
      lastSeq: fold.lastSeq,
    };
    // Twice: the checkpointer may have pruned or replaced the one found a moment ago.
    for (let attempt = 0; attempt < 2; attempt++) {
      let tag: CheckpointTag | null;
      try {
        tag =
          warehouse === null
            ? checkpointBefore(await this.tags(attempt > 0), stream, atMs)
            : await this.warehouseBefore(warehouse, stream, atMs, attempt > 0);
      } catch (error) {
        this.tell(
          'list',
          `The shared checkpoints could not be listed (${describeNatsError(error)}); reading the stream.`,
        );
        return own;
      }
      // Reading a checkpoint costs about as much as replaying a few thousand events.
      if (!tag || tag.seq < own.seq + CHECKPOINT_MIN_GAIN) return own;
      if (this.loaded?.name === tag.name) return this.loaded.point;
      let bytes: Uint8Array;
      try {
        bytes = await this.shared.read(tag.name);
      } catch (error) {
        if (attempt === 0) continue;
        this.tell(
          'read',
          `The shared checkpoint at #${tag.seq} could not be read (${describeNatsError(error)}); reading the stream.`,
        );
        return own;
      }
      const read = decodeCheckpoint(bytes);
      if (!read.ok || read.ledger.lastSeq !== tag.seq) {
        const why = read.ok ? `it holds #${read.ledger.lastSeq}, not #${tag.seq}` : read.detail;
        this.tell(
          'decode',
          `The shared checkpoint at #${tag.seq} was not used (${why}); reading the stream.`,
        );
        return own;
      }
      const point = { seq: tag.seq, maxEventMs: read.maxEventMs, ledger: read.ledger };
      this.loaded = { name: tag.name, point };
      return point;
    }
    return own;
  }

  complete(seq: number, atMs: number): boolean {
    return this.live().checkpoints.complete(seq, atMs);
  }

  /** Back to live: the fold read for the past is let go (at a chain's size it is tens of MB). */
  release(): void {
    this.loaded = null;
    this.listing = null;
    this.found.clear();
  }

  /**
   * One warehouse's newest checkpoint before the moment, by name: its latest when that holds nothing later than
   * the moment, else the end of the moment's week or of the newest week before it that holds nothing later (a
   * warehouse quiet for a week has no checkpoint of that week).
   */
  private async warehouseBefore(
    warehouse: string,
    stream: StreamNow,
    atMs: number,
    fresh: boolean,
  ): Promise<CheckpointTag | null> {
    const fits = (tag: CheckpointTag | null): tag is CheckpointTag =>
      tag !== null && usableCheckpoint(tag, stream) && tag.maxEventMs <= atMs;
    const latest = await this.find(warehouseCheckpointName(warehouse, stream.viewsVersion, 'latest'), fresh);
    if (fits(latest)) return latest;
    const week = weekOf(atMs);
    for (let back = 0; back <= WEEKS_BACK; back++) {
      const tag = await this.find(
        warehouseCheckpointName(warehouse, stream.viewsVersion, week - back),
        fresh,
      );
      if (fits(tag)) return tag;
    }
    return null;
  }

  private async find(name: string, fresh: boolean): Promise<CheckpointTag | null> {
    const now = this.now();
    const cached = this.found.get(name);
    if (!fresh && cached && now - cached.atMs < LISTING_FRESH_MS) return cached.tag;
    const tag = await this.shared.find(name);
    this.found.set(name, { tag, atMs: now });
    return tag;
  }

  private async tags(fresh: boolean): Promise<CheckpointTag[]> {
    const now = this.now();
    if (!fresh && this.listing && now - this.listing.atMs < LISTING_FRESH_MS) return this.listing.tags;
    const tags = await this.shared.list();
    this.listing = { tags, atMs: now };
    return tags;
  }

  private tell(kind: string, message: string): void {
    if (this.told.has(kind)) return;
    this.told.add(kind);
    this.notice(message);
  }
}
