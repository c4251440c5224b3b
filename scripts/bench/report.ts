/**
 * The record of a run: a table a person reads (goal, measured, target, met?) and, as the very last line, one
 * JSON object for tools and closing notes. A measurement that failed shows as "failed" and null.
 */

export interface BenchResults {
  events: number;
  fill_eps: number | null;
  baseline_pull_eps: number | null;
  baseline_push_eps: number | null;
  /** The faster of the two stock consumers. */
  baseline_replay_eps: number | null;
  baseline_kind: 'pull' | 'push' | null;
  replay_ms: number | null;
  replay_eps: number | null;
  replay_ratio: number | null;
  /** Stockwire's push delivery with no decoding or fold, in a page: the ceiling the browser allows. */
  delivery_only_eps: number | null;
  delivery_only_ratio: number | null;
  warm_start_ms: number | null;
  /** Events stored after the cold replay's saved fold, which the warm start read. */
  warm_start_tail: number | null;
  max_long_task_ms: number | null;
  long_tasks: number | null;
  /** Events per second the live phase published. */
  live_rate: number;
  live_sent: number | null;
  live_unseen: number | null;
  live_p50_ms: number | null;
  live_p99_ms: number | null;
  live_max_ms: number | null;
  projector_eps: number | null;
  kv_put_eps: number | null;
  projector_ratio: number | null;
  node_baseline_eps: number | null;
  node_baseline_kind: 'pull' | 'push' | null;
  node_replay_eps: number | null;
  node_replay_ratio: number | null;
  /** After the cold replay and a garbage collection: the page and all its workers. */
  heap_mb: number | null;
  heap_page_mb: number | null;
  heap_worker_mb: number | null;
  /** The largest heap of page and workers together during the cold replay, sampled every 250 ms. */
  heap_peak_mb: number | null;
  /** Every script the cold replay's page and its workers loaded before the first figures showed. */
  bundle_gz_kb: number | null;
  bundle_other_gz_kb: Record<string, number> | null;
  phase_s: Record<string, number>;
  total_s: number;
  errors: Record<string, string>;
}

/** `open`: measured at another size than the goal's, in the direction that cannot decide it (see verdictAt). */
type Verdict = 'yes' | 'NO' | 'open' | '—';

export interface Row {
  goal: string;
  measured: string;
  target: string;
  met: Verdict;
}

export const n = (v: number | null, digits = 0): string =>
  v === null || Number.isNaN(v) ? 'failed' : v.toLocaleString('en-US', { maximumFractionDigits: digits });

export function verdict(value: number | null, ok: (v: number) => boolean): Verdict {
  return value === null || Number.isNaN(value) ? 'NO' : ok(value) ? 'yes' : 'NO';
}

/** The history the goals on memory and on reopening were set for. */
const GOAL_EVENTS = 1_000_000;
/** The live traffic the latency goal was set for. */
const GOAL_LIVE_RATE = 1_000;

/**
 * A goal set for one size (events in the history, events per second) whose measure grows with that size: a run
 * of another size decides it one way only. A smaller run can miss it but not meet it, a larger one meet it but
 * not miss it; otherwise the verdict stays open.
 */
function verdictAt(
  value: number | null,
  ok: (v: number) => boolean,
  size: { run: number; goal: number },
): Verdict {
  const met = verdict(value, ok);
  if (value === null || size.run === size.goal) return met;
  if (size.run < size.goal) return met === 'NO' ? 'NO' : 'open';
  return met === 'yes' ? 'yes' : 'open';
}

export function reportLines(r: BenchResults): string[] {
  const rows: Row[] = [
    {
      goal: '1 cold replay in Chromium vs stock consumer',
      measured: `${n(r.replay_ratio, 2)}× (${n(r.replay_eps)} vs ${n(r.baseline_replay_eps)} ev/s ${r.baseline_kind ?? ''})`,
      target: '≥ 2.0×',
      met: verdict(r.replay_ratio, (v) => v >= 2),
    },
    {
      goal: `2 warm start (reopen${r.warm_start_tail === null ? '' : `, ${n(r.warm_start_tail)} new events`}, caught up)`,
      measured: `${n(r.warm_start_ms)} ms`,
      target: `≤ 1,500 ms at ${n(GOAL_EVENTS)} events`,
      met: verdictAt(r.warm_start_ms, (v) => v <= 1500, { run: r.events, goal: GOAL_EVENTS }),
    },
    {
      goal: '3 longest main-thread task, cold replay',
      measured: `${n(r.max_long_task_ms)} ms (${n(r.long_tasks)} tasks > 50 ms)`,
      target: '≤ 50 ms',
      met: verdict(r.max_long_task_ms, (v) => v <= 50),
    },
    {
      goal: `4 live latency p99 at ${n(r.live_rate)} ev/s`,
      measured: `${n(r.live_p99_ms)} ms (p50 ${n(r.live_p50_ms)}, max ${n(r.live_max_ms)}, unseen ${n(r.live_unseen)})`,
      target: `≤ 100 ms at ${n(GOAL_LIVE_RATE)} ev/s`,
      met: verdictAt(r.live_p99_ms, (v) => v <= 100, { run: r.live_rate, goal: GOAL_LIVE_RATE }),
    },
    {
      goal: '5 projector vs raw pipelined KV puts',
      measured: `${n(r.projector_ratio, 2)}× (${n(r.projector_eps)} vs ${n(r.kv_put_eps)} /s)`,
      target: '≥ 1.5×',
      met: verdict(r.projector_ratio, (v) => v >= 1.5),
    },
    {
      goal: '6 JS heap after replay (page + workers)',
      measured: `${n(r.heap_mb, 1)} MB (page ${n(r.heap_page_mb, 1)}, workers ${n(r.heap_worker_mb, 1)}; peak during replay ${n(r.heap_peak_mb, 1)})`,
      target: `< 150 MB at ${n(GOAL_EVENTS)} events`,
      met: verdictAt(r.heap_mb, (v) => v < 150, { run: r.events, goal: GOAL_EVENTS }),
    },
    {
      goal: '7 initial JS (page and workers, until the first figures), gzipped',
      measured: `${n(r.bundle_gz_kb, 1)} KB`,
      target: '≤ 300 KB',
      met: verdict(r.bundle_gz_kb, (v) => v <= 300),
    },
    info('Chromium stock pull consumer (batch 1000)', `${n(r.baseline_pull_eps)} ev/s`),
    info('Chromium stock push consumer', `${n(r.baseline_push_eps)} ev/s`),
    info(
      'Chromium push delivery alone (no decode, no fold)',
      `${n(r.delivery_only_eps)} ev/s (${n(r.delivery_only_ratio, 2)}× stock: the ceiling for any cold replay)`,
    ),
    info('Chromium Stockwire cold replay', `${n(r.replay_ms)} ms for ${n(r.events)} events`),
    info(
      `Node stock ${r.node_baseline_kind ?? ''} consumer decoding`.replace('  ', ' '),
      `${n(r.node_baseline_eps)} ev/s`,
    ),
    info(
      'Node Stockwire replay + decode + fold',
      `${n(r.node_replay_eps)} ev/s (${n(r.node_replay_ratio, 2)}× stock)`,
    ),
    info('filling the stream', `${n(r.fill_eps)} ev/s`),
    info(
      'other JS (lazy chunks), gz',
      Object.entries(r.bundle_other_gz_kb ?? {})
        .map(([file, kb]) => `${file.replace(/^assets\//, '')} ${kb} KB`)
        .join(', ') || 'none',
    ),
  ];
  return renderTable(
    `Stockwire bench — ${n(r.events)} events of the demo's shape, ${r.total_s.toFixed(0)} s in all`,
    rows,
    r,
  );
}

/** The table, the phases' durations and the failures, as lines. */
export function renderTable(
  title: string,
  rows: Row[],
  r: { phase_s: Record<string, number>; errors: Record<string, string> },
): string[] {
  const widths = [
    Math.max(4, ...rows.map((row) => row.goal.length)),
    Math.max(8, ...rows.map((row) => row.measured.length)),
    Math.max(6, ...rows.map((row) => row.target.length)),
  ];
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  const out = [
    '',
    title,
    line(['goal', 'measured', 'target', 'met?']),
    line(widths.map((w) => '-'.repeat(w)).concat('----')),
    ...rows.map((row) => line([row.goal, row.measured, row.target, row.met])),
    ...(rows.some((row) => row.met === 'open')
      ? [
          "open: measured at another size than the goal's; a smaller run can only miss such a goal, a larger one " +
            'only meet it, and this one did neither',
        ]
      : []),
    '',
    `phases (s): ${Object.entries(r.phase_s)
      .map(([name, s]) => `${name} ${s}`)
      .join(', ')}`,
  ];
  for (const [phase, error] of Object.entries(r.errors)) out.push(`failed: ${phase}: ${error}`);
  return out;
}

export function info(goal: string, measured: string): Row {
  return { goal, measured, target: '', met: '—' };
}
