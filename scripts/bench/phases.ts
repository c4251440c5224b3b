/**
 * Phases of a run, each timed and printed with its budget, so a slow run shows where its ten minutes went.
 * A measuring phase that fails is recorded (null + the reason) and the run goes on: the benchmark is a
 * record, and one broken measurement should not hide the others.
 */

export const say = (line: string): void => console.log(`[bench] ${line}`);

export class Phases {
  readonly seconds: Record<string, number> = {};
  readonly errors: Record<string, string> = {};
  private readonly started = performance.now();

  /** `stopped` says whether the run was interrupted (Ctrl-C): then no further phase starts. */
  constructor(private readonly stopped: () => boolean = () => false) {}

  /** A phase the run cannot continue without: its error ends the run. */
  async run<T>(name: string, budgetSeconds: number, work: () => Promise<T>): Promise<T> {
    if (this.stopped()) throw new Error(`not started (${name}): the run was interrupted`);
    say(`▶ ${name} (budget ${budgetSeconds} s)`);
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.finish(name, budgetSeconds, t0);
    }
  }

  /** A measurement: its error is recorded and the run goes on with null. */
  async measure<T>(name: string, budgetSeconds: number, work: () => Promise<T>): Promise<T | null> {
    try {
      return await this.run(name, budgetSeconds, work);
    } catch (error) {
      if (this.stopped()) throw error;
      const message = error instanceof Error ? error.message : String(error);
      this.errors[name] = message.split('\n')[0] ?? message;
      say(`✗ ${name} failed: ${message}`);
      return null;
    }
  }

  totalSeconds(): number {
    return (performance.now() - this.started) / 1000;
  }

  private finish(name: string, budgetSeconds: number, t0: number): void {
    const s = (performance.now() - t0) / 1000;
    this.seconds[name] = Math.round(s * 10) / 10;
    const over = s > budgetSeconds ? `  — OVER its budget of ${budgetSeconds} s` : '';
    say(`  ${name}: ${s.toFixed(1)} s (run so far ${this.totalSeconds().toFixed(0)} s)${over}`);
  }
}
