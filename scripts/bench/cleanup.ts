/**
 * Everything the benchmark starts is registered here and stopped in reverse order — at the end, after an error
 * and on Ctrl-C or SIGTERM — each through its own handle (a child's PID, the browser object), never by name.
 */
import type { ChildProcess } from 'node:child_process';

/** May return a promise; it is awaited either way. */
type Stop = () => unknown;

/** A stop that hangs (a wedged child) must not keep the others from running. */
const STOP_TIMEOUT_MS = 15_000;

export class Cleanup {
  private readonly stops: { what: string; stop: Stop }[] = [];
  private readonly children = new Set<ChildProcess>();
  private running: Promise<void> | null = null;
  /** Set by Ctrl-C or SIGTERM: nothing new should start. */
  signalled = false;

  constructor() {
    // Last resort when the process dies without running the stops: no child outlives it.
    process.on('exit', () => {
      for (const child of this.children) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    });
  }

  /** Registers a stop; the returned function runs it now (once) and forgets it. */
  add(what: string, stop: Stop): () => Promise<void> {
    const entry = { what, stop };
    this.stops.push(entry);
    return async () => {
      const i = this.stops.indexOf(entry);
      if (i === -1) return;
      this.stops.splice(i, 1);
      await runStop(entry);
    };
  }

  /** A child process stopped with SIGTERM (SIGKILL after 5 s) by its PID. */
  child(what: string, child: ChildProcess): () => Promise<void> {
    this.children.add(child);
    return this.add(what, async () => {
      await stopChild(child);
      this.children.delete(child);
    });
  }

  /** Runs every registered stop, newest first; safe to call more than once. */
  run(): Promise<void> {
    this.running ??= (async () => {
      while (this.stops.length > 0) await runStop(this.stops.pop()!);
    })();
    return this.running;
  }

  /** Ctrl-C and SIGTERM stop everything, then exit with the signal's conventional code. */
  onSignals(log: (line: string) => void): void {
    const handle = (signal: NodeJS.Signals, code: number) => {
      this.signalled = true;
      log(`${signal}: stopping everything this run started`);
      void this.run().finally(() => process.exit(code));
    };
    process.once('SIGINT', () => handle('SIGINT', 130));
    process.once('SIGTERM', () => handle('SIGTERM', 143));
    // A second Ctrl-C while stopping is not a reason to leave children behind: the stops keep running.
    process.on('SIGINT', () => undefined);
    process.on('SIGTERM', () => undefined);
  }
}

async function runStop({ what, stop }: { what: string; stop: Stop }): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(stop),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${STOP_TIMEOUT_MS} ms`)),
          STOP_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (error) {
    console.error(`[bench] stopping ${what} failed: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
