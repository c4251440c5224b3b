/**
 * A worker child process kept alive the way a service manager would: whenever it exits (killed by the test or
 * crashed), a new one is started, until stop(). Every process it started stays listed for the assertions.
 */
import { spawnWorker, type WorkerProcess } from '../../workers/helpers';

export interface SupervisedWorker {
  /** The process running now. */
  readonly current: WorkerProcess;
  /** Every process started so far, oldest first. */
  readonly generations: readonly WorkerProcess[];
  /** Processes that exited without being asked to (not by killCurrent or stop). */
  readonly unexpectedExits: number;
  /** SIGKILLs the running process; the supervisor starts the next one. Resolves once it is gone. */
  killCurrent(): Promise<void>;
  /** Stops supervising and SIGTERMs the running process. */
  stop(): Promise<void>;
}

export function superviseWorker(
  name: 'projector' | 'notifier',
  url: string,
  args: readonly string[] = [],
): SupervisedWorker {
  const generations: WorkerProcess[] = [];
  const expected = new Set<WorkerProcess>();
  let stopping = false;
  let unexpectedExits = 0;
  const start = () => {
    const worker = spawnWorker(name, url, args);
    generations.push(worker);
    void worker.exited.then(() => {
      if (!expected.has(worker)) unexpectedExits += 1;
      if (!stopping) start();
    });
  };
  start();
  const current = () => generations[generations.length - 1]!;
  return {
    get current() {
      return current();
    },
    generations,
    get unexpectedExits() {
      return unexpectedExits;
    },
    async killCurrent() {
      const w = current();
      expected.add(w);
      await w.kill('SIGKILL');
    },
    async stop() {
      stopping = true;
      const w = current();
      expected.add(w);
      await w.kill('SIGTERM');
    },
  };
}
