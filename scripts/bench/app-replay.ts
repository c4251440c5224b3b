/**
 * Stockwire's own replay in Chromium: the built app, cold (a fresh browser context, so nothing cached), signed in
 * as `display` through the form; then the warm start: the wall display reopened in the same context, where
 * IndexedDB survives, after more events were stored (see main.ts). Both are timed until #root says every event
 * is folded and the replay is caught up.
 */
import type { Browser, BrowserContext, Page, Worker } from '@playwright/test';
import { LOGINS } from '../../test/support/users';
import { watchScripts } from './bundle-size';
import { heapAfterGc, startHeapSampler, type HeapMb } from './heap';
import { addProbe, longestTask, readProbe, readStart, waitUntilCaughtUp } from './page-probe';

export interface ColdReplay {
  ms: number;
  eps: number;
  /** Longest main-thread task between the click and caught-up. */
  maxLongTaskMs: number;
  longTasks: number;
  /** After the replay and a garbage collection: what the page lives with from then on. */
  heap: HeapMb;
  /** Page and workers together at their largest during the replay, the replay pump included. */
  heapPeakMb: number;
  /** The app's scripts (paths in the build) requested until the page first showed folded events. */
  scripts: string[];
  /** Kept open for the warm start, which needs the same IndexedDB. */
  context: BrowserContext;
}

export interface SignedIn {
  page: Page;
  context: BrowserContext;
  /** Epoch ms of the click on "Sign in" and of #root saying every event is folded and caught up. */
  clickedMs: number;
  doneMs: number;
}

/** A fresh context (nothing cached, nothing saved) and a page in it that watches for `count` events. */
async function freshPage(browser: Browser, count: number): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await addProbe(page, count);
  return { context, page };
}

async function openSignInForm(page: Page, appUrl: string, wsUrl: string): Promise<void> {
  await page.goto(appUrl);
  await page.getByLabel('Server URL').fill(wsUrl);
  await page.getByLabel('User', { exact: true }).fill(LOGINS.display.user);
  await page.getByLabel('Password', { exact: true }).fill(LOGINS.display.password);
}

async function signInAndWait(page: Page, timeoutMs: number): Promise<{ clickedMs: number; doneMs: number }> {
  const clickedMs = Date.now();
  await page.getByRole('button', { name: 'Sign in' }).click();
  return { clickedMs, doneMs: await waitUntilCaughtUp(page, timeoutMs) };
}

/** A fresh context, the app signed in as `display` through the form, waited for until all `count` are folded. */
export async function signInCold(
  browser: Browser,
  appUrl: string,
  wsUrl: string,
  count: number,
  timeoutMs: number,
): Promise<SignedIn> {
  const { context, page } = await freshPage(browser, count);
  await openSignInForm(page, appUrl, wsUrl);
  return { page, context, ...(await signInAndWait(page, timeoutMs)) };
}

/**
 * The replay pump is terminated about a second after it has read its part of the stream
 * (src/engine/replay-pump-client.ts); waiting for it makes the figure after the replay the one the page keeps,
 * while the sampler has seen the pump at work. One still there after this long is measured with the rest.
 */
const REPLAY_WORKERS_END_MS = 5_000;

async function replayWorkersEnded(page: Page, before: readonly Worker[]): Promise<void> {
  const deadline = Date.now() + REPLAY_WORKERS_END_MS;
  while (page.workers().some((worker) => !before.includes(worker)) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
}

export async function coldReplay(
  browser: Browser,
  appUrl: string,
  wsUrl: string,
  count: number,
  timeoutMs: number,
): Promise<ColdReplay> {
  const { context, page } = await freshPage(browser, count);
  const scripts = watchScripts(page, appUrl);
  const sampler = await startHeapSampler(page);
  const run = async () => {
    await openSignInForm(page, appUrl, wsUrl);
    // The engine worker starts with the page; workers that appear after the click are the replay's.
    const workersBefore = page.workers();
    return { workersBefore, ...(await signInAndWait(page, timeoutMs)) };
  };
  const { workersBefore, clickedMs, doneMs } = await run().catch(async (error: unknown) => {
    await sampler.stop().catch(() => undefined);
    throw error;
  });
  const { peakMb } = await sampler.stop();
  const probe = await readProbe(page);
  const tasks = longestTask(probe, clickedMs, doneMs);
  const firstView = probe.seqLog.find(([seq]) => seq > 0);
  await replayWorkersEnded(page, workersBefore);
  const heap = await heapAfterGc(page);
  await waitForSavedFold(page, SAVE_TIMEOUT_MS);
  await page.close();
  const ms = doneMs - clickedMs;
  return {
    ms,
    eps: Math.round((count / ms) * 1000),
    maxLongTaskMs: tasks.maxMs,
    longTasks: tasks.count,
    heap,
    heapPeakMb: peakMb,
    scripts: scripts.requestedBy(firstView?.[1] ?? doneMs),
    context,
  };
}

export function displayUrl(
  appUrl: string,
  wsUrl: string,
  login: { user: string; password: string } = LOGINS.display,
  /** Its warehouse, as a wall display is set up; without it, the chain's first. */
  warehouse?: string,
): string {
  const credential = new URLSearchParams(login);
  const query = new URLSearchParams({ server: wsUrl, ...(warehouse === undefined ? {} : { warehouse }) });
  return new URL(`/display?${query}#${credential}`, appUrl).href;
}

/** The engine saves its fold when first caught up; at a million events writing it takes a moment. */
const SAVE_TIMEOUT_MS = 60_000;
const SAVE_POLL_MS = 100;

/**
 * Waits until the engine's saved fold is in this context's IndexedDB: closing the page earlier could cut the
 * write short and leave the warm start nothing to start from. The context is fresh, so any fold there is the one
 * saved at the end of this replay. Reads the app's own database (src/engine/snapshot-store.ts) by name.
 */
async function waitForSavedFold(page: Page, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await page.evaluate(countSavedFolds)) === 0) {
    if (Date.now() > deadline) throw new Error(`the engine saved no fold within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, SAVE_POLL_MS));
  }
}

/** Runs in the page: must be self-contained. */
function countSavedFolds(): Promise<number> {
  return new Promise((resolve) => {
    const request = indexedDB.open('stockwire');
    // Opening without a version would create a missing database, without the store the engine creates.
    request.onupgradeneeded = () => request.transaction?.abort();
    request.onerror = () => resolve(0);
    request.onsuccess = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains('ledger-snapshots')) {
        db.close();
        resolve(0);
        return;
      }
      const count = db.transaction('ledger-snapshots').objectStore('ledger-snapshots').count();
      // A closing connection still lets its transaction finish.
      db.close();
      count.onsuccess = () => resolve(count.result);
      count.onerror = () => resolve(0);
    };
  });
}

export interface WarmStart {
  ms: number;
  /** Events stored after the saved fold, which the warm start replayed. */
  tail: number;
  /** Still open and live: the live-latency phase watches it. */
  page: Page;
}

/**
 * Opens the wall display in the context of an earlier session, timed from navigation until caught up with
 * `lastSeq`. It must start from the fold that session saved at `savedSeq`: a start from anywhere else would
 * time some other replay under the warm start's name.
 */
export async function warmStart(
  context: BrowserContext,
  url: string,
  seqs: { savedSeq: number; lastSeq: number },
  timeoutMs: number,
): Promise<WarmStart> {
  const page = await context.newPage();
  await addProbe(page, seqs.lastSeq);
  const startedMs = Date.now();
  await page.goto(url);
  const doneMs = await waitUntilCaughtUp(page, timeoutMs);
  const start = await readStart(page);
  if (start.from !== 'saved' || start.seq !== seqs.savedSeq) {
    throw new Error(
      `the display started from ${start.from || 'nothing'} at ${start.seq}, not from the fold saved at ${seqs.savedSeq}`,
    );
  }
  return { ms: doneMs - startedMs, tail: seqs.lastSeq - seqs.savedSeq, page };
}
