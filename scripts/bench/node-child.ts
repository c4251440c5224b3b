/** Node child processes of the benchmark (vite build, vite preview, workers), each registered for cleanup. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { REPO_ROOT } from '../lib/nats-server.mjs';
import type { Cleanup } from './cleanup';

export interface NodeChild {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop: () => Promise<void>;
}

export function startNode(
  cleanup: Cleanup,
  what: string,
  args: readonly string[],
  options: SpawnOptions = {},
): NodeChild {
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, ...options });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, stop: cleanup.child(what, child) };
}

/** Runs a Node program to its end with its output shown; throws on a non-zero exit. */
export async function runNode(cleanup: Cleanup, what: string, args: readonly string[]): Promise<void> {
  const run = startNode(cleanup, what, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  const { code, signal } = await run.exited;
  await run.stop();
  if (code !== 0) throw new Error(`${what} failed (${signal ?? `exit code ${code}`})`);
}
