/**
 * A bound on requests in flight (publishes, KV puts): acquire before sending, release on the answer. Cheaper
 * than racing a set of promises, which costs O(in flight) per message.
 */
export class InFlight {
  private count = 0;
  private wake: (() => void) | null = null;

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.count;
  }

  /** Resolves at once while below the limit, else when an answer frees a slot. */
  async acquire(): Promise<void> {
    while (this.count >= this.limit) await this.waitForRelease();
    this.count++;
  }

  release(): void {
    this.count--;
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Resolves when nothing is in flight any more. */
  async drain(): Promise<void> {
    while (this.count > 0) await this.waitForRelease();
  }

  private waitForRelease(): Promise<void> {
    return new Promise((resolve) => {
      const previous = this.wake;
      this.wake = () => {
        previous?.();
        resolve();
      };
    });
  }
}
