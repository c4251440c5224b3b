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

type OpenReader = (fromSeq: number, signal: AbortSignal) => AsyncGenerator<Batch>;

const TICK_MS = 250;
const APPLY_EVERY = 5000;

export function eventTime(decoded: Decoded): number {
  return decoded.kind === 'malformed' ? decoded.timestampMs : decoded.meta.timestampMs;
}

/** Reads the stream forward from a sequence, one decoded message at a time, without blocking at the end. */
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
  async peek(): Promise<Decoded | null> {
    while (this.index >= this.pending.length) {
      // The replay follows live after catching up; asking again would wait for a new event.
      if (this.caughtUp) return null;
      const next = await this.batches.next();
      if (next.done) return null;
      this.pending = next.value.messages.map(this.decode);
      this.index = 0;
      this.caughtUp = next.value.caughtUp;
    }
    return this.pending[this.index] ?? null;
  }

  take(): void {
    this.index += 1;
  }

  close(): void {
    this.abort.abort();
    void this.batches.return(undefined).catch(() => undefined);
  }
}

/**
 * The views as they were at a moment: the nearest checkpoint before it, then the stream read forward in
 * stream order until the first event that happened after the moment. Playing moves the moment forward and
 * reads on from where it stopped; reaching the present hands back to live.
 */
export class TimeMachine {
  private reader: Reader | null = null;
  private state: PastState | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly open: OpenReader,
    private readonly decode: (m: RawMessage) => Decoded,
    private readonly checkpointBefore: (atMs: number) => Checkpoint,
    private readonly onChange: (state: PastState | null) => void,
    private readonly onError: (error: unknown) => void,
    private readonly clock: () => number,
  ) {}

  jump(atMs: number): void {
    this.enqueue(async () => {
      const speed = this.state?.speed ?? 0;
      this.reader?.close();
      const checkpoint = this.checkpointBefore(atMs);
      this.reader = new Reader(this.open, checkpoint.seq + 1, this.decode);
      this.state = { atMs, ledger: checkpoint.ledger, speed };
      await this.advance();
    });
  }

  play(speed: number): void {
    if (!this.state) this.jump(this.clock());
    this.enqueue(async () => {
      if (!this.state) return;
      this.state = { ...this.state, speed };
      this.onChange(this.state);
    });
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = speed > 0 ? setInterval(() => this.tick(), TICK_MS) : null;
  }

  live(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.enqueue(async () => {
      this.reader?.close();
      this.reader = null;
      this.state = null;
      this.onChange(null);
    });
  }

  private tick(): void {
    this.enqueue(async () => {
      if (!this.state || this.state.speed <= 0) return;
      const atMs = this.state.atMs + this.state.speed * TICK_MS;
      if (atMs >= this.clock()) {
        this.live();
        return;
      }
      this.state = { ...this.state, atMs };
      await this.advance();
    });
  }

  private async advance(): Promise<void> {
    const reader = this.reader;
    const state = this.state;
    if (!reader || !state) return;
    let ledger = state.ledger;
    let ready: Decoded[] = [];
    for (let next = await reader.peek(); next && eventTime(next) <= state.atMs; next = await reader.peek()) {
      ready.push(next);
      reader.take();
      if (ready.length >= APPLY_EVERY) {
        ledger = applyBatch(ledger, ready);
        ready = [];
      }
    }
    ledger = applyBatch(ledger, ready);
    if (this.reader !== reader) return;
    this.state = { ...state, ledger };
    this.onChange(this.state);
  }

  private enqueue(step: () => Promise<void>): void {
    this.queue = this.queue.then(step).catch((error: unknown) => this.onError(error));
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.reader?.close();
    this.reader = null;
    this.state = null;
  }
}
