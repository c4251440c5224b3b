/**
 * The project's Node programs (demo seeder, projector, notifier) as child processes of a spec: each in
 * its own process with its own transport, stopped by the handle that started it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/lib/nats-server.mjs';
import { LOGINS } from '../../test/support/users';

export interface RunningProgram {
  readonly output: () => string;
  /** SIGTERM (then SIGKILL after 10 s); resolves with the exit code. */
  stop(): Promise<number | null>;
}

function spawnTsx(script: string, args: readonly string[]): ChildProcess {
  const env = { ...process.env };
  for (const name of [
    'STOCKWIRE_NATS_URL',
    'STOCKWIRE_USER',
    'STOCKWIRE_PASSWORD',
    'STOCKWIRE_HEADER_PREFIX',
    'NATS_URL',
    'NATS_USER',
    'NATS_PASSWORD',
  ]) {
    delete env[name];
  }
  // `node --import tsx` rather than the tsx wrapper, so signals reach the program itself.
  return spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, script), ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function startProgram(script: string, args: readonly string[]): RunningProgram {
  const child = spawnTsx(script, args);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * The checkpointer on a private server, as `services`, writing once caught up and then not again for an hour:
 * what a test reads is the checkpoint of what it published before.
 */
export function startCheckpointer(clientUrl: string): RunningProgram {
  return startProgram('src/workers/checkpointer.ts', [
    '--server',
    clientUrl,
    '--user',
    LOGINS.services.user,
    '--password',
    LOGINS.services.password,
    '--every-seconds',
    '3600',
  ]);
}

/** Runs a program to its end; rejects with its output if it fails or overruns. */
export async function runProgram(
  script: string,
  args: readonly string[],
  timeoutMs = 60_000,
): Promise<string> {
  const child = spawnTsx(script, args);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${script} exited with ${code}:\n${output}`));
    });
  });
}
