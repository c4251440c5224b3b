/** Running `npm run cli` as a child process (its own transport, its own process). */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/lib/nats-server.mjs';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `main` = `npm run cli`, `provision` = `npm run provision`. */
export type CliEntry = 'main' | 'provision';

function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv, entry: CliEntry = 'main'): ChildProcess {
  const clean = { ...process.env };
  delete clean.STOCKWIRE_NATS_URL;
  delete clean.STOCKWIRE_USER;
  delete clean.STOCKWIRE_PASSWORD;
  delete clean.STOCKWIRE_HEADER_PREFIX;
  // `node --import tsx` instead of the tsx wrapper: signals reach the CLI process itself.
  const script = join(REPO_ROOT, 'src', 'cli', `${entry}.ts`);
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  { entry = 'main', timeoutMs = 30_000 }: { entry?: CliEntry; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, env, entry);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cli ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RunningCli {
  /** Resolves with everything printed on stdout once it matches. */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<string>;
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM (Ctrl-C equivalent) and the result. */
  stop(): Promise<CliResult>;
}

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningCli {
  const child = spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const check = () => waiters.forEach((w) => w());
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    check();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    check();
  });
  const closed = new Promise<CliResult>((resolve) => {
    child.on('close', (code) => {
      check();
      resolve({ code, stdout, stderr });
    });
  });
  const waitFor = (read: () => string, pattern: RegExp, timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(
          new Error(
            `no output matching ${pattern} within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`,
          ),
        );
      }, timeoutMs);
      const waiter = () => {
        if (pattern.test(read())) {
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(read());
        } else if (child.exitCode !== null) {
          clearTimeout(timer);
          waiters.delete(waiter);
          reject(
            new Error(
              `cli exited (${child.exitCode}) before printing ${pattern}\nstdout:\n${stdout}\nstderr:\n${stderr}`,
            ),
          );
        }
      };
      waiters.add(waiter);
      waiter();
    });
  return {
    waitForStdout: (pattern, timeoutMs = 15_000) => waitFor(() => stdout, pattern, timeoutMs),
    waitForStderr: (pattern, timeoutMs = 15_000) => waitFor(() => stderr, pattern, timeoutMs),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const result = await closed;
      clearTimeout(timer);
      return result;
    },
  };
}
