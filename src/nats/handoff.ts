/**
 * Hands messages from a nats.js consumer callback to an async generator: the callback pushes and decides when
 * the reader should wake; the reader waits for that, or lingers a moment for more; the consumer closing or the
 * caller aborting wakes it too, so a generator never hangs on a consumer that is gone.
 */
export class Handoff<T> {
  readonly buffer: T[] = [];
  finished = false;
  failure: Error | undefined;
  private wake: (() => void) | null = null;

  notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Resolves at the next notify(). */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  /** Resolves at the next notify() or after `ms`, whichever comes first. */
  linger(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /**
   * The next batch of at most `size` items: waits for the first one, then lingers for a full batch while
   * `moreComing(last)` says more is on its way (but not forever: a server restart mid-replay). Null once the
   * producer has finished with nothing left, or the signal aborted.
   */
  async takeBatch(
    size: number,
    lingerMs: number,
    moreComing: (last: T) => boolean,
    signal: AbortSignal,
  ): Promise<T[] | null> {
    while (!signal.aborted) {
      if (this.buffer.length === 0) {
        if (this.finished) return null;
        await this.next();
        continue;
      }
      const last = this.buffer[this.buffer.length - 1]!;
      if (this.buffer.length < size && moreComing(last) && !this.finished) {
        await this.linger(lingerMs);
        if (signal.aborted) return null;
      }
      return this.buffer.splice(0, size);
    }
    return null;
  }

  /** Notes the consumer's end (with its error, if any) and wakes the reader. */
  follow(closed: Promise<void | Error>): void {
    void closed.then((err) => {
      this.finished = true;
      if (err instanceof Error) this.failure = err;
      this.notify();
    });
  }

  /** Closes the consumer when the signal aborts; returns the function that removes the listener. */
  stopOn(signal: AbortSignal, close: () => Promise<unknown>): () => void {
    const onAbort = () => {
      void close();
      this.notify();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  }
}
