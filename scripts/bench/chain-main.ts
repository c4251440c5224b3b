/**
 * `npm run bench -- --chain`: the product at a chain's size — the chain demo's year (50 warehouses × 2,000
 * products × 40 locations, 10M events) in a store the run keeps for the next one (chain-store.ts), then what
 * people and services do with it: a shared checkpoint written, the projector rebuilding 100k keys, first
 * visits of a manager and of marketing, a jump to a day of the year, one product's trail over the year, a wall
 * display on a slow CPU and many screens at once while a busy chain's events arrive.
 */
import type { Browser } from '@playwright/test';
import { CHAIN_PROFILE } from '../../src/core/chain-history';
import { DAY_MS } from '../../src/core/sales';
import { LEDGER_SNAPSHOT_VERSION } from '../../src/core/ledger-snapshot';
import { STREAMS } from '../../src/core/resources';
import type { CheckpointTag } from '../../src/core/checkpoint-catalog';
import { deleteCheckpoint, listCheckpoints } from '../../src/nats/checkpoint-store';
import { streamState } from '../../src/nats/replay';
import { chainSimulatorStart } from '../../src/workers/chain-demo';
import { SCOPED_MANAGER, LOGINS } from '../../test/support/users';
import { freePort } from '../lib/nats-server.mjs';
import { buildForRun } from './app-build';
import { displayUrl } from './app-replay';
import { launchChromium } from './browser';
import { foldChainAndCheckpoint, foldToEnd, readFold, type ChainFold } from './chain-checkpoint';
import { openChainStore } from './chain-store';
import { notifierStart, projectorLive, resetProjector } from './chain-projector';
import { runDashboards, type Dashboards } from './chain-dashboards';
import { throttledDisplay, type ThrottledDisplay } from './chain-throttled';
import { auditTrail, firstVisit, timeTravel, type FirstVisit } from './chain-visits';
import type { Cleanup } from './cleanup';
import { heapAfterGc, type HeapMb } from './heap';
import { kvPutRate } from './kv-puts';
import type { Phases } from './phases';
import { say } from './phases';
import { startPreview } from './preview';
import { BenchSimulator } from './simulator';
import { expectedLevels, measureRebuild, startProjector } from './projector-run';
import { perSecond, round } from './stats';
import { createRng } from '../../src/core/demo-history';

/** The tail a browser starting from the shared checkpoint replays: what two checkpoints apart may leave. */
const CHECKPOINT_TAIL = 10_000;
const PAGE_TIMEOUT_MS = 120_000;
/** Events a second the projector is fed once caught up: a chain's busiest moments, with room to spare. */
const PROJECTOR_LIVE_RATE = 5000;

export interface ChainOptions {
  dashboards: number;
  liveRate: number;
  liveSeconds: number;
}

export interface ChainResults {
  chain_events: number;
  chain_reused_store: boolean;
  chain_fill_s: number | null;
  chain_node_fold_eps: number | null;
  /** Events the Node fold read: from a week-end set an earlier run left, or from sequence 1. */
  chain_node_folded: number | null;
  checkpoint_ms: number | null;
  checkpoint_bytes: number | null;
  checkpoint_raw_bytes: number | null;
  /** The warehouses' checkpoints of the set, gzipped, all together. */
  checkpoint_warehouse_bytes: number | null;
  checkpoint_tail: number;
  /** Week-end checkpoints of the history in the store, and their gzipped bytes (null: those kept from a run before). */
  history_checkpoints: number | null;
  history_checkpoint_bytes: number | null;
  chain_projector_eps: number | null;
  chain_projector_keys: number | null;
  chain_kv_put_eps: number | null;
  chain_projector_ratio: number | null;
  chain_projector_live_rate: number;
  chain_projector_live_eps: number | null;
  chain_projector_live_drain_ms: number | null;
  chain_notifier_ready_ms: number | null;
  chain_first_visit_ms: number | null;
  chain_first_visit_max_long_task_ms: number | null;
  chain_marketing_first_visit_ms: number | null;
  chain_heap_mb: number | null;
  chain_heap_peak_mb: number | null;
  chain_heap_page_mb: number | null;
  chain_heap_worker_mb: number | null;
  /** The slowest of the moments. */
  chain_time_travel_ms: number | null;
  chain_time_travel_moments: { at: string; ms: number }[] | null;
  chain_audit_ms: number | null;
  chain_audit_product: string | null;
  throttled_max_long_task_ms: number | null;
  throttled_long_tasks: number | null;
  throttled_live_p99_ms: number | null;
  throttled_unseen: number | null;
  dashboards: number | null;
  dashboards_live_p50_ms: number | null;
  dashboards_live_p99_ms: number | null;
  dashboards_unseen: number | null;
  dashboards_crashed: number | null;
  dashboards_machine_peak_mb: number | null;
  dashboards_first_visit_max_ms: number | null;
  dashboards_server_cpu_pct: number | null;
  dashboards_server_rss_mb: number | null;
  dashboards_per_page: Dashboards['perPage'] | null;
  phase_s: Record<string, number>;
  total_s: number;
  errors: Record<string, string>;
}

export async function chainBench(
  options: ChainOptions,
  cleanup: Cleanup,
  phases: Phases,
): Promise<ChainResults> {
  const buildDir = await phases.run('build', 60, () => buildForRun(cleanup));
  const appPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  const abort = new AbortController();
  cleanup.add('the fill', () => abort.abort());
  const store = await phases.run('chain store', 1800, async () => {
    const store = await openChainStore(cleanup, [appUrl], abort.signal);
    await startPreview(cleanup, buildDir, appPort);
    return store;
  });
  const { server, admin } = store;
  say(
    `${store.events.toLocaleString('en-US')} events in the stream, last #${store.lastSeq}; app ${appUrl}; ` +
      `nats-server ${server.wsUrl} (pid ${server.pid})`,
  );

  // The week-end checkpoints of an earlier run on this stream and views version are kept (the same fold
  // writes them at the same sequences); anything else it left would be newer than this run's cut.
  const cutSeq = store.lastSeq - CHECKPOINT_TAIL;
  const fold: ChainFold = await phases.run('fold + checkpoint', 1500, async () => {
    const { tags } = await listCheckpoints(admin);
    const { created } = await streamState(admin, STREAMS.warehouse);
    const stored: CheckpointTag[] = [];
    for (const tag of tags) {
      if (tag.streamCreated === created && tag.viewsVersion === LEDGER_SNAPSHOT_VERSION && tag.seq < cutSeq)
        stored.push(tag);
      else await deleteCheckpoint(admin, tag.name);
    }
    return foldChainAndCheckpoint(admin, store.lastSeq, cutSeq, stored);
  });
  say(
    `history checkpoints (one set per week): ${fold.history.written} written ` +
      `(${fold.history.compressedBytes.toLocaleString('en-US')} bytes gzipped, ${fold.history.ms} ms), ` +
      `${fold.history.kept} kept from an earlier run`,
  );
  say(
    `Node fold ${perSecond(fold.folded, fold.foldMs).toLocaleString('en-US')} events/s ` +
      `(${fold.folded.toLocaleString('en-US')} events from #${fold.resumedSeq}); checkpoint at ` +
      `#${fold.checkpoint.seq}: ${fold.checkpoint.bytes.toLocaleString('en-US')} bytes, ` +
      `${fold.checkpoint.compressedBytes.toLocaleString('en-US')} gzipped, and ${fold.checkpoint.warehouses} ` +
      `warehouses' (${fold.checkpoint.warehouseBytes.toLocaleString('en-US')} bytes gzipped, ` +
      `${fold.checkpoint.warehousesMs} ms); the set written in ${fold.checkpoint.ms} ms`,
  );

  const browser: Browser = await phases.run('chromium', 30, () => launchChromium(cleanup));
  const managerTarget = store.lastSeq;

  let manager: FirstVisit | null = null;
  let heap: HeapMb | null = null;
  manager = await phases.measure('first visit, manager of 46', 180, async () => {
    const visit = await firstVisit(
      browser,
      appUrl,
      server.wsUrl,
      SCOPED_MANAGER,
      { kind: 'warehouse', warehouse: '46' },
      managerTarget,
      PAGE_TIMEOUT_MS,
    );
    heap = await heapAfterGc(visit.page);
    return visit;
  });

  // A random day, and days spread over the year: the later the day, the more of the year is read.
  const rng = createRng(7);
  const moments = [rng(), 0.25, 0.5, 0.75, 0.95].map(
    (share) =>
      fold.minEventMs + Math.floor(share * (CHAIN_PROFILE.days - 1)) * DAY_MS + Math.floor(rng() * DAY_MS),
  );
  const travels = manager
    ? await phases.measure('time travel', 300, async () => {
        const each: { at: string; ms: number }[] = [];
        for (const atMs of moments) {
          each.push({ at: new Date(atMs).toISOString(), ms: await timeTravel(manager.page, atMs, 90_000) });
        }
        return each;
      })
    : null;
  const travel = travels ? Math.max(...travels.map((t) => t.ms)) : null;
  const product = fold.auditProduct;
  const audit =
    manager && product
      ? await phases.measure('audit trail', 120, () => auditTrail(manager.page, product, 60_000))
      : null;
  await manager?.context.close();

  const marketing = await phases.measure('first visit, marketing', 180, async () => {
    const visit = await firstVisit(
      browser,
      appUrl,
      server.wsUrl,
      LOGINS.marketing,
      { kind: 'marketing' },
      managerTarget,
      PAGE_TIMEOUT_MS,
    );
    await visit.context.close();
    return visit;
  });

  const start = await phases.run('live simulator', 300, () =>
    chainSimulatorStart(admin, {
      seed: 1,
      profile: CHAIN_PROFILE,
      log: (line) => say(`  ${line}`),
      nowMs: Date.now(),
      utcOffsetMinutes: 0,
    }),
  );
  const live = new BenchSimulator(start.state, start.world);

  const throttled: ThrottledDisplay | null = await phases.measure('wall display, CPU 4× slower', 600, () =>
    throttledDisplay(browser, displayUrl(appUrl, server.wsUrl, LOGINS.display, '46'), admin, live, {
      rate: options.liveRate,
      seconds: options.liveSeconds,
      timeoutMs: 300_000,
      warehouse: '46',
    }),
  );

  const dashboards: Dashboards | null = await phases.measure('dashboards', 1800, () =>
    runDashboards(
      cleanup,
      browser,
      { appUrl, wsUrl: server.wsUrl, server, admin, live },
      {
        count: options.dashboards,
        rate: options.liveRate,
        seconds: options.liveSeconds,
        timeoutMs: 600_000,
      },
    ),
  );

  // Last: the longest phase, and the pages above read the bucket as an earlier run left it. The live phases
  // above added events since the fold; the bucket must hold them too.
  const projected = await foldToEnd(admin, await readFold(admin, fold.checkpoint.name));
  const expected = expectedLevels(projected);
  await resetProjector(admin);
  const projecting = startProjector(cleanup, server.clientUrl);
  const projector = await phases.measure('projector, 100k keys', 900, () =>
    measureRebuild(admin, projecting, expected, projected.lastSeq, 900_000),
  );
  if (projector)
    say(
      `projector ${perSecond(projected.lastSeq, projector.ms).toLocaleString('en-US')} events/s, ${projector.keys} keys`,
    );
  const kvPuts = await phases.measure('kv puts, 100k keys', 120, () =>
    kvPutRate(admin, expected, Math.max(100_000, expected.size)),
  );

  const projectorFollowing = projector
    ? await phases.measure(`projector live at ${PROJECTOR_LIVE_RATE}/s`, 300, () =>
        projectorLive(admin, projecting, live, {
          rate: PROJECTOR_LIVE_RATE,
          seconds: options.liveSeconds,
          timeoutMs: 120_000,
        }),
      )
    : null;
  await projecting.stop();
  const notifierReadyMs = await phases.measure('notifier, 100k keys', 300, () =>
    notifierStart(cleanup, server.clientUrl, 240_000),
  );

  const ratio = (a: number | null | undefined, b: number | null | undefined) =>
    a && b ? round(a / b, 2) : null;
  const projectorEps = projector ? perSecond(projected.lastSeq, projector.ms) : null;
  const h = heap as HeapMb | null;
  return {
    chain_events: store.events,
    chain_reused_store: store.reused,
    chain_fill_s: store.reused ? null : round(store.fillMs / 1000, 0),
    chain_node_fold_eps: perSecond(fold.folded, fold.foldMs),
    chain_node_folded: fold.folded,
    checkpoint_ms: fold.checkpoint.ms,
    checkpoint_bytes: fold.checkpoint.compressedBytes,
    checkpoint_raw_bytes: fold.checkpoint.bytes,
    checkpoint_warehouse_bytes: fold.checkpoint.warehouseBytes,
    checkpoint_tail: CHECKPOINT_TAIL,
    history_checkpoints: fold.history.written + fold.history.kept,
    history_checkpoint_bytes: fold.history.kept === 0 ? fold.history.compressedBytes : null,
    chain_projector_eps: projectorEps,
    chain_projector_keys: projector?.keys ?? null,
    chain_kv_put_eps: kvPuts?.eps ?? null,
    chain_projector_ratio: ratio(projectorEps, kvPuts?.eps),
    chain_projector_live_rate: PROJECTOR_LIVE_RATE,
    chain_projector_live_eps: projectorFollowing?.publishedEps ?? null,
    chain_projector_live_drain_ms: projectorFollowing?.drainMs ?? null,
    chain_notifier_ready_ms: notifierReadyMs,
    chain_first_visit_ms: manager?.ms ?? null,
    chain_first_visit_max_long_task_ms: manager ? round(manager.maxLongTaskMs, 0) : null,
    chain_marketing_first_visit_ms: marketing?.ms ?? null,
    chain_heap_mb: h ? round(h.page + h.worker, 1) : null,
    chain_heap_peak_mb: manager ? round(manager.heapPeakMb, 1) : null,
    chain_heap_page_mb: h ? round(h.page, 1) : null,
    chain_heap_worker_mb: h ? round(h.worker, 1) : null,
    chain_time_travel_ms: travel,
    chain_time_travel_moments: travels,
    chain_audit_ms: audit,
    chain_audit_product: product,
    throttled_max_long_task_ms: throttled ? round(throttled.maxLongTaskMs, 0) : null,
    throttled_long_tasks: throttled?.longTasks ?? null,
    throttled_live_p99_ms: throttled ? round(throttled.p99Ms, 0) : null,
    throttled_unseen: throttled?.unseen ?? null,
    dashboards: dashboards?.count ?? null,
    dashboards_live_p50_ms: dashboards ? round(dashboards.p50Ms, 0) : null,
    dashboards_live_p99_ms: dashboards ? round(dashboards.p99Ms, 0) : null,
    dashboards_unseen: dashboards?.unseen ?? null,
    dashboards_crashed: dashboards?.crashed ?? null,
    dashboards_machine_peak_mb: dashboards ? round(dashboards.machinePeakMb, 0) : null,
    dashboards_first_visit_max_ms: dashboards?.firstVisitMaxMs ?? null,
    dashboards_server_cpu_pct: dashboards ? round(dashboards.serverCpuPct, 0) : null,
    dashboards_server_rss_mb: dashboards ? round(dashboards.serverRssMb, 0) : null,
    dashboards_per_page: dashboards?.perPage ?? null,
    phase_s: phases.seconds,
    total_s: 0,
    errors: phases.errors,
  };
}
