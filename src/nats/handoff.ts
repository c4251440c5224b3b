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
