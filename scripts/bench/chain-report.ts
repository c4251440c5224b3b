/** The chain run's record: the goals at a chain's size, then the figures behind them. */
import type { ChainResults } from './chain-main';
import { info, n, renderTable, verdict, type Row } from './report';

export function chainReportLines(r: ChainResults): string[] {
  const rows: Row[] = [
    {
      goal: 'first visit, manager of one warehouse',
      measured: `${n(r.chain_first_visit_ms)} ms (longest task ${n(r.chain_first_visit_max_long_task_ms)} ms)`,
      target: '≤ 3,000 ms',
      met: verdict(r.chain_first_visit_ms, (v) => v <= 3000),
    },
    {
      goal: 'first visit, marketing (all sales windows)',
      measured: `${n(r.chain_marketing_first_visit_ms)} ms`,
      target: '≤ 5,000 ms',
      met: verdict(r.chain_marketing_first_visit_ms, (v) => v <= 5000),
    },
    {
      goal: 'JS heap, page + workers: peak, and after GC',
      measured: `${n(r.chain_heap_peak_mb, 1)} MB; ${n(r.chain_heap_mb, 1)} MB (page ${n(r.chain_heap_page_mb, 1)}, workers ${n(r.chain_heap_worker_mb, 1)})`,
      target: '≤ 200 MB',
      met: verdict(
        r.chain_heap_peak_mb === null || r.chain_heap_mb === null
          ? null
          : Math.max(r.chain_heap_peak_mb, r.chain_heap_mb),
        (v) => v <= 200,
      ),
    },
    {
      goal: 'time travel to a day of the year: slowest of 5',
      measured:
        `${n(r.chain_time_travel_ms)} ms (` +
        (r.chain_time_travel_moments ?? []).map((t) => `${t.at.slice(0, 10)} ${n(t.ms)}`).join(', ') +
        ')',
      target: '≤ 2,000 ms',
      met: verdict(r.chain_time_travel_ms, (v) => v <= 2000),
    },
    {
      goal: 'audit trail of one product, whole year',
      measured: `${n(r.chain_audit_ms)} ms (${r.chain_audit_product ?? '—'})`,
      target: '≤ 1,000 ms',
      met: verdict(r.chain_audit_ms, (v) => v <= 1000),
    },
    {
      goal: 'projector vs raw KV puts, 100k keys',
      measured: `${n(r.chain_projector_ratio, 2)}× (${n(r.chain_projector_eps)} vs ${n(r.chain_kv_put_eps)} /s, ${n(r.chain_projector_keys)} keys)`,
      target: '≥ 1.5×',
      met: verdict(r.chain_projector_ratio, (v) => v >= 1.5),
    },
    {
      goal: `projector live at ${n(r.chain_projector_live_rate)} ev/s: behind after the last`,
      measured: `${n(r.chain_projector_live_drain_ms)} ms (published at ${n(r.chain_projector_live_eps)} ev/s)`,
      target: '≤ 1,000 ms',
      met: verdict(r.chain_projector_live_drain_ms, (v) => v <= 1000),
    },
    {
      goal: `${n(r.dashboards)} screens at once: live p99`,
      measured: `${n(r.dashboards_live_p99_ms)} ms (p50 ${n(r.dashboards_live_p50_ms)})`,
      target: '≤ 250 ms',
      met: verdict(r.dashboards_live_p99_ms, (v) => v <= 250),
    },
    {
      goal: `${n(r.dashboards)} screens at once: events never seen`,
      measured: `${n(r.dashboards_unseen)} (${n(r.dashboards_crashed)} pages crashed)`,
      target: '0',
      met: verdict(r.dashboards_unseen, (v) => v === 0),
    },
    {
      goal: 'wall display, CPU 4× slower: longest task',
      measured: `${n(r.throttled_max_long_task_ms)} ms (${n(r.throttled_long_tasks)} tasks > 50 ms)`,
      target: '≤ 50 ms',
      met: verdict(r.throttled_max_long_task_ms, (v) => v <= 50),
    },
    {
      goal: 'wall display, CPU 4× slower: live p99',
      measured: `${n(r.throttled_live_p99_ms)} ms (unseen ${n(r.throttled_unseen)})`,
      target: '≤ 250 ms',
      met: verdict(r.throttled_live_p99_ms, (v) => v <= 250),
    },
    info(
      'the chain',
      `${n(r.chain_events)} events, ` +
        (r.chain_reused_store ? 'store reused from an earlier run' : `filled in ${n(r.chain_fill_s)} s`),
    ),
    info(
      'shared checkpoints, one set',
      `the chain's ${n(r.checkpoint_bytes)} bytes gzipped (${n(r.checkpoint_raw_bytes)} raw), the warehouses' ` +
        `${n(r.checkpoint_warehouse_bytes)}, written in ${n(r.checkpoint_ms)} ms; tail ${n(r.checkpoint_tail)} events`,
    ),
    info(
      'week-end checkpoints for time travel',
      `${n(r.history_checkpoints)}` +
        (r.history_checkpoint_bytes === null
          ? ' (kept from an earlier run)'
          : `, ${n(r.history_checkpoint_bytes)} bytes gzipped in all`),
    ),
    info(
      'Node fold of the chain and each warehouse',
      `${n(r.chain_node_fold_eps)} ev/s over ${n(r.chain_node_folded)} events`,
    ),
    info('notifier, 100k keys: start to following', `${n(r.chain_notifier_ready_ms)} ms`),
    info(
      'screens at once: server',
      `${n(r.dashboards_server_cpu_pct)} % of a core, ${n(r.dashboards_server_rss_mb)} MB resident; slowest first visit ${n(r.dashboards_first_visit_max_ms)} ms`,
    ),
    info('screens at once: the machine', `${n(r.dashboards_machine_peak_mb)} MB in use at most`),
  ];
  return renderTable(`Stockwire bench — the chain, ${r.total_s.toFixed(0)} s in all`, rows, r);
}
