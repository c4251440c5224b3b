/**
 * The benchmark's command line: `--quick` (100k events), `--events N` (default 1M), `--live-seconds N`; or
 * `--chain`, the chain-sized run (chain-main.ts).
 */

export interface BenchOptions {
  /** The chain-sized run instead of the demo-shaped one. */
  chain: boolean;
  /** Screens open at once in the chain run. */
  dashboards: number;
  events: number;
  /** Duration of the live-latency phase. */
  liveSeconds: number;
  /** Events per second the live publisher sends. */
  liveRate: number;
}

export const USAGE = `Usage: npm run bench -- [--quick] [--events N] [--live-seconds N] [--live-rate N]
       npm run bench -- --chain [--dashboards N] [--live-seconds N] [--live-rate N]
  --quick            100,000 events instead of 1,000,000
  --events N         N events of the demo's shape (overrides --quick)
  --live-seconds N   length of each live phase (default 15; chain 30)
  --live-rate N      events per second published during it (default 1000; chain 200, a busy chain's peak)
  --chain            the chain demo's year (10M events, kept in .tmp/bench-chain/ for the next run)
  --dashboards N     screens open at once in the chain run (default 50)`;

export class BenchUsageError extends Error {}

const DEFAULT_EVENTS = 1_000_000;
const QUICK_EVENTS = 100_000;

export function parseBenchOptions(argv: readonly string[]): BenchOptions | 'help' {
  let events: number | undefined;
  let quick = false;
  let chain = false;
  let dashboards = 50;
  let liveSeconds: number | undefined;
  let liveRate: number | undefined;
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
    else if (name === '--chain') chain = true;
    else if (name === '--dashboards') dashboards = value();
    else if (name === '--help' || name === '-h') return 'help';
    else throw new BenchUsageError(`unknown option ${name}`);
  }
  if (chain && (quick || events !== undefined))
    throw new BenchUsageError('--chain has its own size; leave out --quick and --events');
  return {
    chain,
    dashboards,
    events: events ?? (quick ? QUICK_EVENTS : DEFAULT_EVENTS),
    liveSeconds: liveSeconds ?? (chain ? 30 : 15),
    liveRate: liveRate ?? (chain ? 200 : 1000),
  };
}
