/**
 * Where the time machine starts rebuilding a moment (docs/architecture.md#time-travel-at-a-chains-size): the
 * newest point that holds nothing later than the moment, among the live fold's own checkpoints and the shared
 * checkpoints of the history (the checkpointer keeps one at the end of each week). A browser that started from
 * a shared checkpoint has no point of its own in the year before it, so without the shared ones a moment of
 * the year would be read from sequence 1.
 */
import { checkpointBefore, type CheckpointTag } from '../core/checkpoint-catalog';
import { decodeCheckpoint } from '../core/checkpoint-codec';
import { LEDGER_SNAPSHOT_VERSION } from '../core/ledger-snapshot';
import { describeNatsError } from '../nats/errors';
import type { SharedCheckpoints } from './checkpoint-port';
import type { Checkpoint, Checkpoints } from './checkpoints';
import type { CheckpointIndex } from './time-machine';
import { CHECKPOINT_MIN_GAIN } from './warehouse-follower';

/** The live fold as the starting points need it. */
export interface LiveFold {
  checkpoints: Checkpoints;
  /** Creation time of the stream it was folded from; null before the first check. */
  streamCreated: string | null;
  lastSeq: number;
}

/** The listing of shared checkpoints is asked again after this long: the checkpointer adds and prunes. */
export const LISTING_FRESH_MS = 60_000;

export class PastStartingPoints implements CheckpointIndex {
  private listing: { tags: CheckpointTag[]; atMs: number } | null = null;
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

  async before(atMs: number): Promise<Checkpoint> {
    const fold = this.live();
    const own = fold.checkpoints.before(atMs);
    if (fold.streamCreated === null) return own;
    const stream = {
      viewsVersion: LEDGER_SNAPSHOT_VERSION,
      streamCreated: fold.streamCreated,
      lastSeq: fold.lastSeq,
    };
    // Twice: the checkpointer may have pruned the one a stale listing names.
    for (let attempt = 0; attempt < 2; attempt++) {
      let tags: CheckpointTag[];
      try {
        tags = await this.tags(attempt > 0);
      } catch (error) {
        this.tell(
          'list',
          `The shared checkpoints could not be listed (${describeNatsError(error)}); reading the stream.`,
        );
        return own;
      }
      const tag = checkpointBefore(tags, stream, atMs);
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
