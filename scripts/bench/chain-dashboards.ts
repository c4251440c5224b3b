/**
 * Many screens on one server: wall displays, managers, marketing and procurement pages, each in its own browser
 * context (split over two Chromium processes, as two machines' worth of screens), all signed in and caught up;
 * then a busy chain's events arrive for a while. Measured: when each page saw each event, and what the server
 * spent meanwhile (CPU from /proc, memory from its monitoring port).
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { STREAMS } from '../../src/core/resources';
import type { NatsConnection } from '../../src/nats/connection';
import { streamState } from '../../src/nats/replay';
import { LOGINS, SCOPED_MANAGER, SECOND_SCREEN } from '../../test/support/users';
import type { NatsServerHandle } from '../lib/nats-server.mjs';
import { displayUrl } from './app-replay';
import { launchChromium } from './browser';
import type { BenchSimulator } from './simulator';
import { lastSeqOf, seenBy } from './live-seen';
import { firstVisit, type FirstPage, type Login } from './chain-visits';
import type { Cleanup } from './cleanup';
import { addProbe, readProbe, retarget, waitUntilCaughtUp } from './page-probe';
import { say } from './phases';
import { percentile } from './stats';

interface Screen {
  who: string;
  what: string;
  /** The one warehouse its fold reads, whose live events it is measured by; null for the chain. */
  warehouse: string | null;
  open: (browser: Browser, target: number) => Promise<{ page: Page; context: BrowserContext; ms: number }>;
}

export interface PageFigures {
  who: string;
  what: string;
  first_visit_ms: number;
  p50_ms: number;
  p99_ms: number;
  unseen: number;
  /** The page's renderer died (out of memory, mostly): everything after is unseen. */
  crashed: boolean;
}

export interface Dashboards {
  count: number;
  /** Pages whose renderer died during the phase; their events count as unseen. */
  crashed: number;
  /** Memory in use on the machine (MemTotal − MemAvailable) at its highest during the phase. */
  machinePeakMb: number;
  p50Ms: number;
  p99Ms: number;
  unseen: number;
  firstVisitMaxMs: number;
  serverCpuPct: number;
  serverRssMb: number;
  perPage: PageFigures[];
}

interface Env {
  appUrl: string;
  wsUrl: string;
  server: NatsServerHandle;
  admin: NatsConnection;
  live: BenchSimulator;
}

/** Sign-ins running at once: enough to fill the time, few enough not to make each first visit a crowd. */
const OPENING_AT_ONCE = 4;

function screens(env: Env, count: number, timeoutMs: number): Screen[] {
  const signedIn = (login: Login, first: FirstPage, what: string): Screen => ({
    who: login.user,
    what,
    warehouse: first.kind === 'warehouse' ? first.warehouse : null,
    // Heaps are sampled in the first visits measured alone: over DevTools, 50 pages' workers would be sampled
    // at a time when the machine has no time to answer, and the figure would measure the crowd.
    open: (browser, target) =>
      firstVisit(browser, env.appUrl, env.wsUrl, login, first, target, timeoutMs, { sampleHeap: false }),
  });
  const display = (login: Login, warehouse: string): Screen => ({
    who: login.user,
    what: `wall display ${warehouse}`,
    warehouse,
    open: async (browser, target) => {
      const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
      const page = await context.newPage();
      await addProbe(page, target);
      const started = Date.now();
      await page.goto(displayUrl(env.appUrl, env.wsUrl, login, warehouse));
      return { page, context, ms: (await waitUntilCaughtUp(page, timeoutMs)) - started };
    },
  });
  // A chain's screens: mostly wall displays and managers, some head-office pages.
  const kinds: ((i: number) => Screen)[] = [
    (i) => (i % 2 === 0 ? display(LOGINS.display, '46') : display(SECOND_SCREEN, '52')),
    (i) => {
      const warehouse = String(11 + ((i * 7) % 50));
      return signedIn(LOGINS.manager, { kind: 'warehouse', warehouse }, `warehouse ${warehouse}`);
    },
    () => signedIn(SCOPED_MANAGER, { kind: 'warehouse', warehouse: '46' }, 'warehouse 46'),
    (i) =>
      i % 2 === 0
        ? signedIn(LOGINS.marketing, { kind: 'marketing' }, 'marketing')
        : signedIn(LOGINS.procurement, { kind: 'procurement' }, 'procurement'),
    (i) => (i % 2 === 0 ? display(SECOND_SCREEN, '52') : display(LOGINS.display, '46')),
  ];
  return Array.from({ length: count }, (_, i) => kinds[i % kinds.length]!(i));
}

/** CPU time a process has used, ms (user + system, from /proc; Linux only). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // USER_HZ is 100 on Linux
}

/** Memory in use on the whole machine, MB (from /proc/meminfo; Linux only). */
function machineUsedMb(): number {
  const info = readFileSync('/proc/meminfo', 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
  return (kb('MemTotal') - kb('MemAvailable')) / 1024;
}

async function serverRssMb(server: NatsServerHandle): Promise<number> {
  const varz = (await (await fetch(`http://127.0.0.1:${server.httpPort}/varz`)).json()) as { mem: number };
  return varz.mem / 1024 ** 2;
}

export async function runDashboards(
  cleanup: Cleanup,
  firstBrowser: Browser,
  env: Env,
  options: { count: number; rate: number; seconds: number; timeoutMs: number },
): Promise<Dashboards> {
  const browsers = [firstBrowser, await launchChromium(cleanup)];
  const target = (await streamState(env.admin, STREAMS.warehouse)).lastSeq;
  const plan = screens(env, options.count, options.timeoutMs);
  const open: { screen: Screen; page: Page; context: BrowserContext; ms: number }[] = [];
  const crashed = new Set<Page>();
  let machinePeakMb = machineUsedMb();
  const memory = setInterval(() => (machinePeakMb = Math.max(machinePeakMb, machineUsedMb())), 1000);
  try {
    let next = 0;
    const opener = async () => {
      while (next < plan.length) {
        const i = next++;
        const screen = plan[i]!;
        const opened = await screen.open(browsers[i % browsers.length]!, target).catch((error: unknown) => {
          next = plan.length;
          throw error;
        });
        opened.page.on('crash', () => crashed.add(opened.page));
        open.push({ screen, ...opened });
        say(`  ${open.length}/${plan.length} ${screen.who} · ${screen.what}: caught up in ${opened.ms} ms`);
      }
    };
    const openers = await Promise.allSettled(Array.from({ length: OPENING_AT_ONCE }, opener));
    // Every opener has stopped by now (a failed one stops the others at their next screen): nothing is left
    // signing in while the next phase is measured.
    const failed = openers.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;

    const cpuBefore = cpuMsOf(env.server.pid);
    const wallBefore = Date.now();
    const sentAt = await env.live.publishAtRate(env.admin, options.rate, options.seconds);
    const alive = () => open.filter(({ page }) => !crashed.has(page));
    // A renderer may die in the middle of being asked: its 'crash' event can come after the failed call.
    const unlessCrashed = async (page: Page, ask: () => Promise<unknown>) => {
      try {
        await ask();
      } catch (error) {
        if (!/crash/i.test(String(error))) throw error;
        crashed.add(page);
      }
    };
    // A page folding one warehouse receives that warehouse's events alone, and is measured by them.
    const sentToPage = (screen: Screen) =>
      screen.warehouse === null ? sentAt : env.live.sentTo(sentAt, screen.warehouse);
    for (const { page, screen } of alive())
      await unlessCrashed(page, () => retarget(page, lastSeqOf(sentToPage(screen))));
    for (const { page } of alive())
      await unlessCrashed(page, () => waitUntilCaughtUp(page, options.timeoutMs));
    const serverCpuPct = ((cpuMsOf(env.server.pid) - cpuBefore) * 100) / (Date.now() - wallBefore);
    const rss = await serverRssMb(env.server);

    const all: number[] = [];
    let unseen = 0;
    const perPage: PageFigures[] = [];
    for (const { screen, page, ms } of open) {
      const mine = sentToPage(screen);
      let seen = { latencies: [] as number[], unseen: mine.size };
      if (!crashed.has(page))
        await unlessCrashed(page, async () => (seen = seenBy((await readProbe(page)).seqLog, mine)));
      all.push(...seen.latencies);
      unseen += seen.unseen;
      perPage.push({
        who: screen.who,
        what: screen.what,
        first_visit_ms: ms,
        p50_ms: percentile(seen.latencies, 50),
        p99_ms: percentile(seen.latencies, 99),
        unseen: seen.unseen,
        crashed: crashed.has(page),
      });
    }
    return {
      count: open.length,
      crashed: crashed.size,
      machinePeakMb,
      p50Ms: percentile(all, 50),
      p99Ms: percentile(all, 99),
      unseen,
      firstVisitMaxMs: Math.max(...open.map((o) => o.ms)),
      serverCpuPct,
      serverRssMb: rss,
      perPage,
    };
  } finally {
    clearInterval(memory);
    for (const { context } of open) await context.close().catch(() => undefined);
  }
}
