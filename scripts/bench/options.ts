/** The benchmark's command line: `--quick` (100k events), `--events N` (default 1M), `--live-seconds N`. */

export interface BenchOptions {
  events: number;
  /** Duration of the live-latency phase. */
  liveSeconds: number;
  /** Events per second the live publisher sends. */
  liveRate: number;
}

export const USAGE = `Usage: npm run bench -- [--quick] [--events N] [--live-seconds N] [--live-rate N]
  --quick            100,000 events instead of 1,000,000
  --events N         N events of the demo's shape (overrides --quick)
  --live-seconds N   length of the live-latency phase (default 15)
  --live-rate N      events per second published during it (default 1000)`;

export class BenchUsageError extends Error {}

const DEFAULT_EVENTS = 1_000_000;
const QUICK_EVENTS = 100_000;

export function parseBenchOptions(argv: readonly string[]): BenchOptions | 'help' {
  let events: number | undefined;
  let quick = false;
  let liveSeconds = 15;
  let liveRate = 1000;
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = (): number => {
      const text = inline ?? argv[++i];
      const n = Number(text);
      if (text === undefined || !Number.isSafeInteger(n) || n < 1)
        throw new BenchUsageError(`${name} needs a whole number above zero, got ${text ?? 'nothing'}`);
      return n;
    };
    if (name === '--quick') quick = true;
    else if (name === '--events') events = value();
    else if (name === '--live-seconds') liveSeconds = value();
    else if (name === '--live-rate') liveRate = value();
    else if (name === '--help' || name === '-h') return 'help';
    else throw new BenchUsageError(`unknown option ${name}`);
  }
  return { events: events ?? (quick ? QUICK_EVENTS : DEFAULT_EVENTS), liveSeconds, liveRate };
}
