import type { Decoded, RawMessage } from '../core/codec';
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
}

/** What the time machine needs to know about the live fold's checkpoints. */
export interface CheckpointIndex {
  before(atMs: number): Checkpoint;
  complete(seq: number, atMs: number): boolean;
}

type OpenReader = (fromSeq: number, signal: AbortSignal) => AsyncGenerator<Batch>;

const TICK_MS = 250;

export function eventTime(decoded: Decoded): number {
  return decoded.kind === 'malformed' ? decoded.timestampMs : decoded.meta.timestampMs;
}

function seqOf(decoded: Decoded): number {
  return decoded.kind === 'malformed' ? decoded.seq : decoded.meta.seq;
}

/** Reads the stream forward from a sequence, one decoded message at a time, without waiting at the end. */
class Reader {
  private readonly abort = new AbortController();
  private readonly batches: AsyncGenerator<Batch>;
  private pending: Decoded[] = [];
  private index = 0;
  private caughtUp = false;

  constructor(
    open: OpenReader,
    fromSeq: number,
    private readonly decode: (m: RawMessage) => Decoded,
  ) {
    this.batches = open(fromSeq, this.abort.signal);
  }

  /** The next message, or null once everything stored when it was last asked has been read. */
  async next(): Promise<Decoded | null> {
    while (this.index >= this.pending.length) {
      // The replay follows live after catching up; asking again would wait for a new event.
      if (this.caughtUp) return null;
      const batch = await this.batches.next();
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
 * read so that playing forward refolds from memory instead of from the server.
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

  constructor(
    private readonly open: OpenReader,
    private readonly decode: (m: RawMessage) => Decoded,
    private readonly checkpoints: CheckpointIndex,
    private readonly onChange: (state: PastState | null) => void,
    private readonly onError: (error: unknown) => void,
    private readonly clock: () => number,
  ) {}

  jump(atMs: number): void {
    this.enqueue(() => this.show(atMs, this.state?.speed ?? 0));
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
    this.enqueue(() => {
      this.forget();
      this.onChange(null);
    });
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.forget();
  }

  private tick(): void {
    this.enqueue(async () => {
      if (!this.state || this.state.speed <= 0) return;
      const atMs = this.state.atMs + this.state.speed * TICK_MS;
      if (atMs >= this.clock()) {
        this.live();
        return;
      }
      await this.show(atMs, this.state.speed);
    });
  }

  private async show(atMs: number, speed: number): Promise<void> {
    const base = this.checkpoints.before(atMs);
    if (this.base?.seq !== base.seq) this.rebase(base);
    while (!this.checkpoints.complete(this.readThrough, atMs)) {
      const next = await this.reader?.next();
      if (!next) break;
      this.read.push(next);
      this.readThrough = seqOf(next);
    }
    const happened = this.read.filter((d) => eventTime(d) <= atMs);
    this.state = { atMs, speed, ledger: applyBatch(base.ledger, happened) };
    this.onChange(this.state);
  }

  /** Moves the starting point, keeping what was already read after it. */
  private rebase(base: Checkpoint): void {
    const keep = this.base !== null && base.seq >= this.base.seq && base.seq <= this.readThrough;
    this.base = base;
    if (keep) {
      this.read = this.read.filter((d) => seqOf(d) > base.seq);
      return;
    }
    this.reader?.close();
    this.read = [];
    this.readThrough = base.seq;
    this.reader = new Reader(this.open, base.seq + 1, this.decode);
  }

  private forget(): void {
    this.reader?.close();
    this.reader = null;
    this.base = null;
    this.read = [];
    this.readThrough = 0;
    this.state = null;
  }

  private enqueue(step: () => void | Promise<void>): void {
    this.queue = this.queue.then(step).catch((error: unknown) => this.onError(error));
  }
}
