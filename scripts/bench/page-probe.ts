/**
 * What the benchmark watches inside an app page, installed before any of the page's scripts run: every change
 * of #root's `data-applied-seq` (with the time it happened), the moment the replay is caught up with a target
 * sequence, and the main thread's long tasks. Times are epoch milliseconds (Date.now()), comparable with the
 * Node side's clock on the same machine.
 */
import type { Page } from '@playwright/test';

export interface ProbeState {
  target: number;
  /** When #root first said caught-up with an applied sequence ≥ target. */
  doneAtMs: number | null;
  /** [applied sequence, time] for every change of `data-applied-seq`. */
  seqLog: [number, number][];
  /** [start, duration] of every long task (> 50 ms) the browser reported. */
  longTasks: [number, number][];
}

declare global {
  interface Window {
    __bench?: ProbeState;
  }
}

/** Runs in the page (via addInitScript): must be self-contained. */
function installProbe(target: number): void {
  const state: ProbeState = { target, doneAtMs: null, seqLog: [], longTasks: [] };
  window.__bench = state;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      state.longTasks.push([performance.timeOrigin + e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
  let lastSeq = -1;
  new MutationObserver(() => {
    const root = document.getElementById('root');
    if (!root) return;
    const seq = Number(root.getAttribute('data-applied-seq') ?? '0');
    const now = Date.now();
    if (seq !== lastSeq) {
      lastSeq = seq;
      state.seqLog.push([seq, now]);
    }
    if (state.doneAtMs === null && seq >= state.target && root.getAttribute('data-caught-up') === 'true')
      state.doneAtMs = now;
  }).observe(document, {
    subtree: true,
    attributes: true,
    attributeFilter: ['data-applied-seq', 'data-caught-up'],
  });
}

export async function addProbe(page: Page, target: number): Promise<void> {
  await page.addInitScript(installProbe, target);
}

/** Resolves with the time the page was caught up with all `target` events. */
export async function waitUntilCaughtUp(page: Page, timeoutMs: number): Promise<number> {
  const handle = await page.waitForFunction(() => window.__bench?.doneAtMs ?? null, undefined, {
    polling: 100,
    timeout: timeoutMs,
  });
  return (await handle.jsonValue()) as number;
}

/** Sets a new target, e.g. the last sequence of a live burst; the page may already be past it. */
export async function retarget(page: Page, target: number): Promise<void> {
  await page.evaluate((t) => {
    const state = window.__bench!;
    state.target = t;
    const root = document.getElementById('root');
    const seq = Number(root?.getAttribute('data-applied-seq') ?? '0');
    state.doneAtMs = seq >= t && root?.getAttribute('data-caught-up') === 'true' ? Date.now() : null;
  }, target);
}

/** Where the page's fold began, as #root says: a saved fold, a shared checkpoint or the stream itself. */
export async function readStart(page: Page): Promise<{ from: string; seq: number }> {
  return page.evaluate(() => {
    const root = document.getElementById('root');
    return {
      from: root?.getAttribute('data-start-from') ?? '',
      seq: Number(root?.getAttribute('data-start-seq') ?? '0'),
    };
  });
}

export async function readProbe(page: Page): Promise<ProbeState> {
  return page.evaluate(() => window.__bench!);
}

/** The longest main-thread task that started within [fromMs, toMs]; 0 when there was none over 50 ms. */
export function longestTask(
  state: ProbeState,
  fromMs: number,
  toMs: number,
): { maxMs: number; count: number } {
  const inside = state.longTasks.filter(([start]) => start >= fromMs && start <= toMs);
  return { maxMs: Math.max(0, ...inside.map(([, duration]) => duration)), count: inside.length };
}
