/** The real process behind CommandIo: stdout/stderr, environment, and Ctrl-C / SIGTERM as an abort. */
import type { CommandIo } from './io';

export function processIo(): CommandIo {
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    signal: abort.signal,
  };
}

/** Runs a command and exits with its code once output is flushed. */
export async function exitWith(code: Promise<number>): Promise<void> {
  const result = await code;
  // nats.js may keep timers alive briefly after close(); the command is done, so leave now.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(result)));
}
