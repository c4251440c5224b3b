/**
 * `npm run bench`: one run, one private nats-server, one data set, every measurement — the goals and their
 * targets are the rows of report.ts. Order matters: the Node phases run first (the projector writes
 * `stock_levels`, which the app then shows as it would in production), the browser phases next, and the warm
 * start and the live phase last because they add events to the stream.
 *
 *   node scripts/bench.mjs [--quick] [--events N] [--live-seconds N] [--live-rate N]
 */
import { rmSync } from 'node:fs';
import type { Browser } from '@playwright/test';
import { connectNode } from '../../src/nats/connect-node';
import type { NatsConnection } from '../../src/nats/connection';
import { provision } from '../../src/nats/provision';
import { LOGINS } from '../../test/support/users';
import { freePort, startNatsServer, type NatsServerHandle } from '../lib/nats-server.mjs';
import { buildForRun } from './app-build';
import { coldReplay, displayUrl, warmStart, type ColdReplay, type WarmStart } from './app-replay';
import { chainBench } from './chain-main';
import { chainReportLines } from './chain-report';
import { runBrowserBaseline, runDeliveryOnly, type BrowserBaseline } from './browser-baseline';
import { launchChromium } from './browser';
import { bundleSize } from './bundle-size';
import { Cleanup } from './cleanup';
import { demoEvents } from './demo-events';
import { fillStream } from './fill';
import { kvPutRate } from './kv-puts';
import { liveLatency, type LiveLatency } from './live-latency';
import { stockNodeReplay, stockwireNodeReplay } from './node-replay';
import { BenchUsageError, parseBenchOptions, USAGE, type BenchOptions } from './options';
import { Phases, say } from './phases';
import { startPreview } from './preview';
import { expectedLevels, runProjector, type ProjectorRun } from './projector-run';
import { reportLines, type BenchResults } from './report';
import { BenchSimulator } from './simulator';
import { perSecond, round } from './stats';
import { withTimeout } from './timeout';

/**
 * Events stored between the cold replay and the warm start: a display reopened after about a week of the demo's
 * traffic, which the engine reads through the replay pump (PUMP_MIN_BACKLOG) as it would then.
 */
const WARM_START_TAIL = 10_000;

/** Seconds allowed for a phase over `events`: a floor plus a share per million events. */
const scaled = (events: number, floorS: number, perMillionS: number) =>
  Math.round(floorS + (perMillionS * events) / 1_000_000);

async function bench(options: BenchOptions, cleanup: Cleanup, phases: Phases): Promise<BenchResults> {
  const N = options.events;
  const timeoutMs = (floorS: number, perMillionS: number) => scaled(N, floorS, perMillionS) * 1000;

  const buildDir = await phases.run('build', 60, () => buildForRun(cleanup));

  const appPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  const { server, admin } = await phases.run('servers', 30, async () => {
    const server: NatsServerHandle = await startNatsServer({ allowedOrigins: [appUrl] });
    cleanup.add(`nats-server (pid ${server.pid})`, async () => {
      await server.stop();
      rmSync(server.storeDir, { recursive: true, force: true });
    });
    await startPreview(cleanup, buildDir, appPort);
    const admin: NatsConnection = await connectNode({
      servers: server.clientUrl,
      ...LOGINS.admin,
      name: 'bench-admin',
    });
    cleanup.add('admin connection', () => admin.close());
    await provision(admin);
    say(`nats-server ${server.clientUrl} ${server.wsUrl} (pid ${server.pid}); app ${appUrl}`);
    return { server, admin };
  });

  const fill = await phases.run('fill', scaled(N, 10, 60), async () => {
    const events = demoEvents(N, Date.now());
    const simulator = BenchSimulator.after(events);
    const result = await withTimeout(
      'filling the stream',
      timeoutMs(60, 300),
      fillStream(admin, events, 'admin', (done) => say(`  ${done.toLocaleString('en-US')} stored`)),
    );
    say(`${N.toLocaleString('en-US')} events stored at ${perSecond(N, result.ms).toLocaleString('en-US')}/s`);
    return { ...result, simulator };
  });

  const nodeBaseline = await phases.measure('node stock consumers', scaled(N, 10, 30), async () => {
    const pull = await withTimeout('Node stock pull', timeoutMs(30, 120), stockNodeReplay(admin, 'pull', N));
    const push = await withTimeout('Node stock push', timeoutMs(30, 120), stockNodeReplay(admin, 'push', N));
    say(
      `Node stock pull ${perSecond(N, pull).toLocaleString('en-US')}/s, push ${perSecond(N, push).toLocaleString('en-US')}/s`,
    );
    return pull <= push ? { kind: 'pull' as const, ms: pull } : { kind: 'push' as const, ms: push };
  });
  const nodeReplay = await phases.measure('node Stockwire replay', scaled(N, 10, 60), async () => {
    const { ms, ledger } = await withTimeout(
      'Node Stockwire replay',
      timeoutMs(30, 240),
      stockwireNodeReplay(admin, N),
    );
    say(`Node Stockwire replay + decode + fold ${perSecond(N, ms).toLocaleString('en-US')}/s`);
    return { ms, expected: expectedLevels(ledger) };
  });

  let projector: ProjectorRun | null = null;
  let kvPuts: { ms: number; eps: number } | null = null;
  if (nodeReplay) {
    projector = await phases.measure('projector', scaled(N, 30, 90), () =>
      runProjector(cleanup, admin, server.clientUrl, nodeReplay.expected, N, timeoutMs(60, 240)),
    );
    if (projector)
      say(
        `projector ${perSecond(N, projector.ms).toLocaleString('en-US')} events/s into ${projector.keys} keys`,
      );
    const puts = Math.min(100_000, Math.max(20_000, Math.round(N / 10)));
    kvPuts = await phases.measure('kv puts', 30, () =>
      withTimeout('raw KV puts', 120_000, kvPutRate(admin, nodeReplay.expected, puts)),
    );
    if (kvPuts)
      say(`raw KV puts ${kvPuts.eps.toLocaleString('en-US')}/s (${puts.toLocaleString('en-US')} puts)`);
  }

  const browser: Browser = await phases.run('chromium', 30, () => launchChromium(cleanup));
  const baselines: Partial<Record<'pull' | 'push', BrowserBaseline>> = {};
  for (const kind of ['pull', 'push'] as const) {
    const result = await phases.measure(`browser stock ${kind}`, scaled(N, 15, 60), () =>
      runBrowserBaseline(browser, appUrl, server.wsUrl, kind, N, timeoutMs(60, 180)),
    );
    if (result) {
      baselines[kind] = result;
      say(`Chromium stock ${kind} consumer ${result.eps.toLocaleString('en-US')} events/s`);
    }
  }
  const delivery = await phases.measure('browser delivery alone', scaled(N, 15, 60), () =>
    runDeliveryOnly(browser, appUrl, server.wsUrl, N, timeoutMs(60, 180)),
  );
  if (delivery) say(`Chromium push delivery alone ${delivery.eps.toLocaleString('en-US')} events/s`);
  const baseline = [baselines.pull, baselines.push]
    .filter((b): b is BrowserBaseline => b !== undefined)
    .sort((a, b) => b.eps - a.eps)[0];

  const cold: ColdReplay | null = await phases.measure('cold replay', scaled(N, 15, 90), () =>
    coldReplay(browser, appUrl, server.wsUrl, N, timeoutMs(60, 240)),
  );
  if (cold) say(`Stockwire cold replay ${cold.eps.toLocaleString('en-US')} events/s (${cold.ms} ms)`);
  const bundle =
    cold &&
    (await phases.measure('initial JS', 10, () => Promise.resolve(bundleSize(buildDir, cold.scripts))));
  if (bundle) say(`initial JS ${bundle.initialGzKb} KB gzipped: ${bundle.initialFiles.join(', ')}`);

  let warm: WarmStart | null = null;
  if (cold) {
    warm = await phases.measure('warm start', scaled(N, 15, 90), async () => {
      // Stored while no page is open, so the reopened display has them to read after its saved fold.
      const lastSeq = await withTimeout(
        'storing the tail',
        60_000,
        fill.simulator.publishMany(admin, WARM_START_TAIL),
      );
      const url = displayUrl(appUrl, server.wsUrl);
      return warmStart(cold.context, url, { savedSeq: fill.lastSeq, lastSeq }, timeoutMs(60, 240));
    });
    if (warm)
      say(`warm start ${warm.ms} ms (${warm.tail.toLocaleString('en-US')} events since the saved fold)`);
  }

  let live: LiveLatency | null = null;
  if (warm) {
    const page = warm.page;
    live = await phases.measure('live latency', options.liveSeconds + 30, () =>
      liveLatency(page, admin, fill.simulator, {
        rate: options.liveRate,
        seconds: options.liveSeconds,
        settleTimeoutMs: 30_000,
      }),
    );
  }

  const ratio = (a: number | undefined | null, b: number | undefined | null) =>
    a && b ? round(a / b, 2) : null;
  const replayEps = cold?.eps ?? null;
  const projectorEps = projector ? perSecond(N, projector.ms) : null;
  const nodeReplayEps = nodeReplay ? perSecond(N, nodeReplay.ms) : null;
  const nodeBaselineEps = nodeBaseline ? perSecond(N, nodeBaseline.ms) : null;
  return {
    events: N,
    fill_eps: perSecond(N, fill.ms),
    baseline_pull_eps: baselines.pull?.eps ?? null,
    baseline_push_eps: baselines.push?.eps ?? null,
    baseline_replay_eps: baseline?.eps ?? null,
    baseline_kind: baseline?.kind ?? null,
    replay_ms: cold?.ms ?? null,
    replay_eps: replayEps,
    replay_ratio: ratio(replayEps, baseline?.eps),
    delivery_only_eps: delivery?.eps ?? null,
    delivery_only_ratio: ratio(delivery?.eps, baseline?.eps),
    warm_start_ms: warm?.ms ?? null,
    warm_start_tail: warm?.tail ?? null,
    max_long_task_ms: cold ? round(cold.maxLongTaskMs, 0) : null,
    long_tasks: cold?.longTasks ?? null,
    live_rate: options.liveRate,
    live_sent: live?.sent ?? null,
    live_unseen: live?.unseen ?? null,
    live_p50_ms: live ? round(live.p50Ms, 0) : null,
    live_p99_ms: live ? round(live.p99Ms, 0) : null,
    live_max_ms: live ? round(live.maxMs, 0) : null,
    projector_eps: projectorEps,
    kv_put_eps: kvPuts?.eps ?? null,
    projector_ratio: ratio(projectorEps, kvPuts?.eps),
    node_baseline_eps: nodeBaselineEps,
    node_baseline_kind: nodeBaseline?.kind ?? null,
    node_replay_eps: nodeReplayEps,
    node_replay_ratio: ratio(nodeReplayEps, nodeBaselineEps),
    heap_mb: cold ? round(cold.heap.page + cold.heap.worker, 1) : null,
    heap_page_mb: cold ? round(cold.heap.page, 1) : null,
    heap_worker_mb: cold ? round(cold.heap.worker, 1) : null,
    heap_peak_mb: cold ? round(cold.heapPeakMb, 1) : null,
    bundle_gz_kb: bundle?.initialGzKb ?? null,
    bundle_other_gz_kb: bundle?.otherGzKb ?? null,
    phase_s: phases.seconds,
    total_s: 0,
    errors: phases.errors,
  };
}

async function main(): Promise<number> {
  let options: BenchOptions | 'help';
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const cleanup = new Cleanup();
  cleanup.onSignals(say);
  const phases = new Phases(() => cleanup.signalled);
  if (options.chain) {
    say(
      `the chain: ${options.dashboards} screens at once; live phases ${options.liveSeconds} s at ${options.liveRate}/s`,
    );
    return record(() => chainBench(options, cleanup, phases), chainReportLines, cleanup, phases);
  }
  say(
    `${options.events.toLocaleString('en-US')} events; live phase ${options.liveSeconds} s at ${options.liveRate}/s`,
  );
  return record(() => bench(options, cleanup, phases), reportLines, cleanup, phases);
}

/** Runs a bench, stops what it started, prints its table and its JSON line; exit code 1 if a phase failed. */
async function record<R extends { phase_s: Record<string, number>; total_s: number; errors: object }>(
  run: () => Promise<R>,
  table: (results: R) => string[],
  cleanup: Cleanup,
  phases: Phases,
): Promise<number> {
  let results: R;
  try {
    results = await run();
  } finally {
    if (cleanup.signalled) await cleanup.run();
    else await phases.run('stop everything', 30, () => cleanup.run());
  }
  results.phase_s = phases.seconds;
  results.total_s = round(phases.totalSeconds(), 1);
  for (const line of table(results)) console.log(line);
  console.log(JSON.stringify(results));
  return Object.keys(results.errors).length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('[bench] the run stopped:', error);
    process.exit(1);
  },
);
