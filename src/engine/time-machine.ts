import { eventTimeOf, type Decoded, type RawMessage } from '../core/codec';
import { applyBatch, type LedgerState } from '../core/ledger';
import type { Checkpoint } from './checkpoints';

export interface Batch {
  messages: RawMessage[];
  caughtUp: boolean;
}

export interface PastState {
  atMs: number;
  ledger: LedgerState;
  /** Playback speed (1 = real time), 0 when paused. */
  speed: number;
  /** The one warehouse whose events were read, exact for it alone; null when every event was. */
  warehouse: string | null;
}

/** A jump still reading the stream: how far it has got, for the page to say so and offer to cancel. */
export interface Seeking {
  atMs: number;
  /** Messages read for this moment so far. */
  read: number;
}

/** Where a moment starts from, and when reading on from there may stop. */
export interface CheckpointIndex {
  /**
   * The newest starting point holding nothing that happened after `atMs` (it may have to be read first), exact
   * for `warehouse` alone, or for every warehouse when null.
   */
  before(atMs: number, warehouse: string | null): Promise<Checkpoint>;
  complete(seq: number, atMs: number): boolean;
  /** Back to live: whatever was kept for the past may go. */
  release(): void;
}

/** Reads the stream from a sequence: every subject, or only one warehouse's. */
type OpenReader = (fromSeq: number, warehouse: string | null, signal: AbortSignal) => AsyncGenerator<Batch>;

const TICK_MS = 250;
/** A long read tells the page how far it has got every this many messages. */
const SEEK_REPORT_EVERY = 5000;

function seqOf(decoded: Decoded): number {
  return decoded.kind === 'malformed' ? decoded.seq : decoded.meta.seq;
}

/** Reads the stream forward from a sequence, one decoded message at a time, without waiting at the end. */
class Reader {
  private readonly abort = new AbortController();
  /** Settles when closed: a reader waiting on a slow server must not hold up what comes after it. */
  private readonly closed = new Promise<IteratorResult<Batch>>((resolve) =>
    this.abort.signal.addEventListener('abort', () => resolve({ done: true, value: undefined })),
  );
  private readonly batches: AsyncGenerator<Batch>;
  private pending: Decoded[] = [];
  private index = 0;
  private caughtUp = false;

  constructor(
    open: OpenReader,
    fromSeq: number,
    warehouse: string | null,
    private readonly decode: (m: RawMessage) => Decoded,
  ) {
    this.batches = open(fromSeq, warehouse, this.abort.signal);
  }

  /** The next message, or null once everything stored when it was last asked has been read. */
  async next(): Promise<Decoded | null> {
    while (this.index >= this.pending.length) {
      // The replay follows live after catching up; asking again would wait for a new event.
      if (this.caughtUp) return null;
      const batch = await Promise.race([this.batches.next(), this.closed]);
      if (batch.done) return null;
      this.pending = batch.value.messages.map(this.decode);
      this.index = 0;
      this.caughtUp = batch.value.caughtUp;
    }
    return this.pending[this.index++] ?? null;
  }

  close(): void {
    this.abort.abort();
    void this.batches.return(undefined).catch(() => undefined);
  }
}

/**
 * The views as they were at a moment: every event that happened at or before it (event time), folded in
 * stream order, nothing after. It starts from the newest checkpoint holding nothing later than the moment and
 * reads the stream on only as far as an event at or before the moment may still be found, keeping what it
 * read so that playing forward refolds from memory instead of from the server. Narrowed to one warehouse, it
 * reads that warehouse's subjects alone (docs/architecture.md#time-travel-at-a-chains-size).
 *
 * Leaving the past, or narrowing to another warehouse, takes effect at once, also during a long read: every
 * such step starts a new epoch, and a step of an older epoch stops at its next await without showing anything.
 */
export class TimeMachine {
  private base: Checkpoint | null = null;
  /** Messages after `base.seq`, in stream order, as read so far. */
  private read: Decoded[] = [];
  private readThrough = 0;
  private reader: Reader | null = null;
  private state: PastState | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private queue: Promise<void> = Promise.resolve();
  private epoch = 0;
  private warehouse: string | null = null;
  /** The moment asked for last, shown or still being read. */
  private wanted: { atMs: number; speed: number } | null = null;

  constructor(
    private readonly open: OpenReader,
    private readonly decode: (m: RawMessage) => Decoded,
    private readonly checkpoints: CheckpointIndex,
    private readonly onChange: (state: PastState | null) => void,
    private readonly onSeek: (seeking: Seeking | null) => void,
    private readonly onError: (error: unknown) => void,
    private readonly clock: () => number,
  ) {}

  jump(atMs: number): void {
    const epoch = ++this.epoch;
    const wanted = { atMs, speed: this.state?.speed ?? 0 };
    this.wanted = wanted;
    this.enqueue(() => this.show(wanted.atMs, wanted.speed, epoch, true));
  }

  /** Reads only this warehouse's events from now on (null: every event); a moment on screen is read again. */
  narrowTo(warehouse: string | null): void {
    if (warehouse === this.warehouse) return;
    this.warehouse = warehouse;
    const epoch = ++this.epoch;
    this.dropReader();
    const wanted = this.wanted;
    if (wanted) this.enqueue(() => this.show(wanted.atMs, wanted.speed, epoch, true));
  }

  play(speed: number): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = speed > 0 ? setInterval(() => this.tick(), TICK_MS) : null;
    this.enqueue(() => {
      if (!this.state) return;
      this.state = { ...this.state, speed };
      this.onChange(this.state);
    });
  }

  live(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    const epoch = ++this.epoch;
    // A read in progress is cut short now, not after it finishes.
    this.forget();
    this.enqueue(() => {
      if (epoch !== this.epoch) return;
      this.onSeek(null);
      this.onChange(null);
    });
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.epoch++;
    this.forget();
  }

  private tick(): void {
    const epoch = this.epoch;
    this.enqueue(async () => {
      if (!this.state || this.state.speed <= 0 || epoch !== this.epoch) return;
      const atMs = this.state.atMs + this.state.speed * TICK_MS;
      if (atMs >= this.clock()) {
        this.live();
        return;
      }
      this.wanted = { atMs, speed: this.state.speed };
      await this.show(atMs, this.state.speed, epoch, false);
    });
  }

  /** `announce`: a jump the person is waiting for, told at once that reading has begun (playback is not). */
  private async show(atMs: number, speed: number, epoch: number, announce: boolean): Promise<void> {
    if (epoch !== this.epoch) return;
    if (announce) this.onSeek({ atMs, read: 0 });
    const base = await this.checkpoints.before(atMs, this.warehouse);
    if (epoch !== this.epoch) return;
    if (this.base?.seq !== base.seq || this.reader === null) this.rebase(base);
    let readHere = 0;
    while (!this.checkpoints.complete(this.readThrough, atMs)) {
      if (readHere % SEEK_REPORT_EVERY === 0 && (readHere > 0 || !announce))
        this.onSeek({ atMs, read: readHere });
      const next = await this.nextRead();
      if (epoch !== this.epoch) return;
      if (!next) break;
      this.read.push(next);
      this.readThrough = seqOf(next);
      readHere++;
    }
    const happened = this.read.filter((d) => eventTimeOf(d) <= atMs);
    this.state = { atMs, speed, warehouse: this.warehouse, ledger: applyBatch(base.ledger, happened) };
    this.onSeek(null);
    this.onChange(this.state);
  }

  /**
   * The reader's next message. A reader kept open while a moment is on screen is not read meanwhile, and its
   * consumer may give up on the server (a push consumer stalls unread and stops sending heartbeats): it is
   * opened again where it stopped, once; a second failure is the caller's.
   */
  private async nextRead(): Promise<Decoded | null> {
    const reader = this.reader;
    if (!reader) return null;
    try {
      return await reader.next();
    } catch {
      if (reader !== this.reader) return null;
      reader.close();
      this.reader = new Reader(this.open, this.readThrough + 1, this.warehouse, this.decode);
      return this.reader.next();
    }
  }

  /** Moves the starting point, keeping what was already read after it. */
  private rebase(base: Checkpoint): void {
    const keep =
      this.reader !== null && this.base !== null && base.seq >= this.base.seq && base.seq <= this.readThrough;
    this.base = base;
    if (keep) {
      this.read = this.read.filter((d) => seqOf(d) > base.seq);
      return;
    }
    this.reader?.close();
    this.read = [];
    this.readThrough = base.seq;
    this.reader = new Reader(this.open, base.seq + 1, this.warehouse, this.decode);
  }

  /**
   * Called outside the queue too: a step of an older epoch suspended at its read returns at once when it
   * resumes, so it never sees the cleared fields.
   */
  private dropReader(): void {
    this.reader?.close();
    this.reader = null;
    this.base = null;
    this.read = [];
    this.readThrough = 0;
  }

  private forget(): void {
    this.dropReader();
    this.wanted = null;
    this.state = null;
    this.checkpoints.release();
  }

  private enqueue(step: () => void | Promise<void>): void {
    this.queue = this.queue.then(step).catch((error: unknown) => this.onError(error));
  }
}
