/**
 * Structured logs for the Node workers: one JSON object per line on stdout, so `npm start` can prefix them and
 * a test or a log shipper can parse them without guessing.
 */

export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export type LogSink = (line: string) => void;

let stdoutGuarded = false;

/** Writes to stdout; a closed stdout (its reader is gone) loses the lines but must not stop the worker. */
function stdoutSink(): LogSink {
  if (!stdoutGuarded) {
    stdoutGuarded = true;
    process.stdout.on('error', () => undefined);
  }
  return (line) => {
    if (process.stdout.writable) process.stdout.write(`${line}\n`);
  };
}

export function createLogger(worker: string, sink: LogSink = stdoutSink()): Logger {
  const write = (level: LogLevel, msg: string, fields: LogFields = {}): void => {
    // Fixed fields last so that a field named like one of them cannot hide it.
    sink(JSON.stringify({ ...fields, ts: new Date().toISOString(), level, worker, msg }, jsonSafe));
  };
  return {
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}

/** Errors as their message, bigints as numbers: JSON.stringify would drop the first and throw on the second. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Error) return value.message;
  if (typeof value === 'bigint') return Number(value);
  return value;
}
