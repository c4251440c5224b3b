/** A small argv parser: positionals, `--name value`, `--name=value`, repeatable flags. */

/** A mistake in the command line: printed with the usage text, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string[]>;
}

export function parseArgs(argv: readonly string[], known: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (!known.includes(name)) {
      throw new UsageError(`unknown option --${name}${suggest(name, known)}`);
    }
    let value: string;
    if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new UsageError(`option --${name} needs a value`);
      }
      value = next;
      i++;
    }
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { positionals, flags };
}

function suggest(name: string, known: readonly string[]): string {
  const close = known.find((k) => distance(k, name) <= 2);
  return close ? ` (did you mean --${close}?)` : '';
}

/** Levenshtein distance, for "did you mean" on short option names. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The single value of a flag; refuses repeats so a typo does not silently win or lose. */
export function single(args: ParsedArgs, name: string): string | undefined {
  const values = args.flags.get(name);
  if (!values) return undefined;
  if (values.length > 1)
    throw new UsageError(`option --${name} is given ${values.length} times; give it once`);
  return values[0];
}

export function required(args: ParsedArgs, name: string, why: string): string {
  const value = single(args, name);
  if (value === undefined || value === '') throw new UsageError(`--${name} is required ${why}`);
  return value;
}

export function wholeNumber(name: string, value: string, min: number): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min) {
    throw new UsageError(`--${name} must be a whole number of at least ${min}, got "${value}"`);
  }
  return Number(value);
}
