/**
 * Command line of a worker: the connection flags every Stockwire command takes, on/off switches, and whole-number
 * tunables. `npm start` passes NATS_URL / NATS_USER / NATS_PASSWORD; the command-line tools use STOCKWIRE_*; both
 * are accepted, STOCKWIRE_* first. NATS_CA names the CA of a server with TLS on its client port (docs/tls.md).
 */
import { existsSync } from 'node:fs';
import { UsageError, parseArgs, single, wholeNumber, type ParsedArgs } from '../../command-line/args';
import {
  CONNECTION_FLAGS,
  connectionTarget,
  type ConnectionTarget,
} from '../../command-line/connection-target';
import { HEADER_PREFIX_USAGE, headerSetting, type HeaderSetting } from '../../command-line/header-prefix';
import { parseServerList } from '../../core/server-list';

export interface NumberOption {
  default: number;
  min: number;
}

export interface WorkerArgsSpec {
  switches: readonly string[];
  numbers: Readonly<Record<string, NumberOption>>;
}

/** Where a worker connects; `caFile` when the server's certificate is signed by a private CA. */
export interface WorkerTarget extends ConnectionTarget {
  caFile?: string;
}

export interface WorkerArgs {
  target: WorkerTarget;
  headers: HeaderSetting;
  switches: ReadonlySet<string>;
  numbers: Readonly<Record<string, number>>;
}

export function parseWorkerArgs(
  argv: readonly string[],
  spec: WorkerArgsSpec,
  env: NodeJS.ProcessEnv = process.env,
): WorkerArgs {
  const switches = new Set<string>();
  const rest: string[] = [];
  for (const arg of argv) {
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name !== undefined && spec.switches.includes(name)) switches.add(name);
    else rest.push(arg);
  }
  const args = parseArgs(rest, [...CONNECTION_FLAGS, ...Object.keys(spec.numbers)]);
  if (args.positionals.length > 0) throw new UsageError(`unexpected ${args.positionals.join(' ')}`);
  const numbers: Record<string, number> = {};
  for (const [name, option] of Object.entries(spec.numbers)) {
    const text = single(args, name);
    numbers[name] = text === undefined ? option.default : wholeNumber(name, text, option.min);
  }
  checkServerList(args, env);
  const target = connectionTarget(args, 'services', {
    ...env,
    STOCKWIRE_NATS_URL: env.STOCKWIRE_NATS_URL ?? env.NATS_URL,
    STOCKWIRE_USER: env.STOCKWIRE_USER ?? env.NATS_USER,
    STOCKWIRE_PASSWORD: env.STOCKWIRE_PASSWORD ?? env.NATS_PASSWORD,
  });
  if (target.transport !== 'tcp') throw new UsageError('workers connect over TCP: use a nats:// URL');
  const caFile = env.STOCKWIRE_NATS_CA || env.NATS_CA || undefined;
  // Checked here: a missing file would otherwise show up only as a connect failure retried forever.
  if (caFile !== undefined && !existsSync(caFile)) throw new UsageError(`NATS_CA: no file at ${caFile}`);
  const headers = headerSetting(env);
  return { target: caFile === undefined ? target : { ...target, caFile }, headers, switches, numbers };
}

/**
 * A cluster is given as a comma-separated list (`nats://n1:4222,nats://n2:4223`). A bad entry is refused
 * here, with which setting it came from, instead of surfacing as a connect failure retried forever.
 */
function checkServerList(args: ParsedArgs, env: NodeJS.ProcessEnv): void {
  const sources: [string, string | undefined][] = [
    ['--server', single(args, 'server')],
    ['STOCKWIRE_NATS_URL', env.STOCKWIRE_NATS_URL],
    ['NATS_URL', env.NATS_URL],
  ];
  const given = sources.find(([, value]) => value !== undefined);
  if (!given) return;
  const list = parseServerList(given[1]!, 'tcp');
  if (!list.ok) throw new UsageError(`${given[0]}: ${list.message}`);
}

export const CONNECTION_USAGE = `  --server URL[,URL…]  nats://host:port, several for a cluster (default nats://127.0.0.1:4222; env STOCKWIRE_NATS_URL or NATS_URL)
  --user U             default services (env STOCKWIRE_USER or NATS_USER)
  --password P         default the demo password of the user (env STOCKWIRE_PASSWORD or NATS_PASSWORD)
  env NATS_CA=FILE     PEM of the CA that signed the server's TLS certificate (or STOCKWIRE_NATS_CA); with it the
                       worker trusts only that CA and refuses a server without TLS
${HEADER_PREFIX_USAGE}`;
