/**
 * Stockwire's own replay in Chromium: the built app, cold (a fresh browser context, so nothing cached), signed in
 * as `display` through the form; then the warm start: the wall display reopened in the same context, where
 * IndexedDB survives. Both are timed until #root says every event is folded and the replay is caught up.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { LOGINS } from '../../test/support/users';
import { heapAfterGc, type HeapMb } from './heap';
import { addProbe, longestTask, readProbe, waitUntilCaughtUp } from './page-probe';

export interface ColdReplay {
  ms: number;
  eps: number;
  /** Longest main-thread task between the click and caught-up. */
  maxLongTaskMs: number;
  longTasks: number;
  heap: HeapMb;
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

/** A fresh context, the app signed in as `display` through the form, waited for until all `count` are folded. */
export async function signInCold(
  browser: Browser,
  appUrl: string,
  wsUrl: string,
  count: number,
  timeoutMs: number,
): Promise<SignedIn> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await addProbe(page, count);
  await page.goto(appUrl);
  await page.getByLabel('Server URL').fill(wsUrl);
  await page.getByLabel('User', { exact: true }).fill(LOGINS.display.user);
  await page.getByLabel('Password', { exact: true }).fill(LOGINS.display.password);
  const clickedMs = Date.now();
  await page.getByRole('button', { name: 'Sign in' }).click();
  const doneMs = await waitUntilCaughtUp(page, timeoutMs);
  return { page, context, clickedMs, doneMs };
}

export async function coldReplay(
  browser: Browser,
  appUrl: string,
  wsUrl: string,
  count: number,
  timeoutMs: number,
): Promise<ColdReplay> {
  const { page, context, clickedMs, doneMs } = await signInCold(browser, appUrl, wsUrl, count, timeoutMs);
  const probe = await readProbe(page);
  const tasks = longestTask(probe, clickedMs, doneMs);
  const heap = await heapAfterGc(page);
  await page.close();
  const ms = doneMs - clickedMs;
  return {
    ms,
    eps: Math.round((count / ms) * 1000),
    maxLongTaskMs: tasks.maxMs,
    longTasks: tasks.count,
    heap,
    context,
  };
}

export function displayUrl(
  appUrl: string,
  wsUrl: string,
  login: { user: string; password: string } = LOGINS.display,
): string {
  const credential = new URLSearchParams(login);
  return new URL(`/display?${new URLSearchParams({ server: wsUrl })}#${credential}`, appUrl).href;
}

export interface WarmStart {
  ms: number;
  /** Still open and live: the live-latency phase watches it. */
  page: Page;
}

/** Opens the wall display in the context of an earlier session, timed from navigation to caught-up. */
export async function warmStart(
  context: BrowserContext,
  url: string,
  count: number,
  timeoutMs: number,
): Promise<WarmStart> {
  const page = await context.newPage();
  await addProbe(page, count);
  const startedMs = Date.now();
  await page.goto(url);
  const doneMs = await waitUntilCaughtUp(page, timeoutMs);
  return { ms: doneMs - startedMs, page };
}
