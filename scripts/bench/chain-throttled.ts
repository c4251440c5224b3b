/**
 * The wall display on a slow device: Chromium's CPU throttled 4× (DevTools `Emulation.setCPUThrottlingRate`)
 * from before the page loads, so the first visit, the fold and the live updates all run on the slow CPU. Then a
 * busy chain's events arrive; measured are the main thread's long tasks while they do and how long each took
 * to show.
 */
import type { Browser } from '@playwright/test';
import type { NatsConnection } from '../../src/nats/connection';
import type { BenchSimulator } from './simulator';
import { lastSeqOf, seenBy } from './live-seen';
import { addProbe, longestTask, readProbe, retarget, waitUntilCaughtUp } from './page-probe';
import { percentile } from './stats';
import { STREAMS } from '../../src/core/resources';
import { streamState } from '../../src/nats/replay';

const THROTTLE = 4;

export interface ThrottledDisplay {
  /** Open to caught up, throttled. */
  firstVisitMs: number;
  maxLongTaskMs: number;
  longTasks: number;
  p50Ms: number;
  p99Ms: number;
  unseen: number;
}

export async function throttledDisplay(
  browser: Browser,
  url: string,
  admin: NatsConnection,
  live: BenchSimulator,
  options: { rate: number; seconds: number; timeoutMs: number; warehouse: string },
): Promise<ThrottledDisplay> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
    await addProbe(page, (await streamState(admin, STREAMS.warehouse)).lastSeq);
    const openedMs = Date.now();
    await page.goto(url);
    const caughtUpMs = await waitUntilCaughtUp(page, options.timeoutMs);
    const liveFromMs = Date.now();
    // The display folds its warehouse's subjects alone: it is measured by that warehouse's events.
    const sentAt = live.sentTo(
      await live.publishAtRate(admin, options.rate, options.seconds),
      options.warehouse,
    );
    await retarget(page, lastSeqOf(sentAt));
    const doneMs = await waitUntilCaughtUp(page, options.timeoutMs);
    const probe = await readProbe(page);
    const tasks = longestTask(probe, liveFromMs, doneMs);
    const seen = seenBy(probe.seqLog, sentAt);
    return {
      firstVisitMs: caughtUpMs - openedMs,
      maxLongTaskMs: tasks.maxMs,
      longTasks: tasks.count,
      p50Ms: percentile(seen.latencies, 50),
      p99Ms: percentile(seen.latencies, 99),
      unseen: seen.unseen,
    };
  } finally {
    await context.close();
  }
}
