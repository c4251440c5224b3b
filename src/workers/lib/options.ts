/**
 * Command line of a worker: the connection flags every Stockwire command takes, on/off switches, and whole-number
 * tunables. `npm start` passes NATS_URL / NATS_USER / NATS_PASSWORD; the command-line tools use STOCKWIRE_*; both
 * are accepted, STOCKWIRE_* first.
 */
import { UsageError, parseArgs, single, wholeNumber } from '../../cli/args';
import { CONNECTION_FLAGS, connectionTarget, type ConnectionTarget } from '../../cli/connection';

export interface NumberOption {
  default: number;
  min: number;
}

export interface WorkerArgsSpec {
  switches: readonly string[];
  numbers: Readonly<Record<string, NumberOption>>;
}

export interface WorkerArgs {
  target: ConnectionTarget;
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
  const target = connectionTarget(args, 'services', {
    ...env,
    STOCKWIRE_NATS_URL: env.STOCKWIRE_NATS_URL ?? env.NATS_URL,
    STOCKWIRE_USER: env.STOCKWIRE_USER ?? env.NATS_USER,
    STOCKWIRE_PASSWORD: env.STOCKWIRE_PASSWORD ?? env.NATS_PASSWORD,
  });
  if (target.transport !== 'tcp') throw new UsageError('workers connect over TCP: use a nats:// URL');
  return { target, switches, numbers };
}

export const CONNECTION_USAGE = `  --server URL         nats://host:port (default nats://127.0.0.1:4222; env STOCKWIRE_NATS_URL or NATS_URL)
  --user U             default services (env STOCKWIRE_USER or NATS_USER)
  --password P         default the demo password of the user (env STOCKWIRE_PASSWORD or NATS_PASSWORD)`;
