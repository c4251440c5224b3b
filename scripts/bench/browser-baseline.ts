/**
 * The baseline of the cold-replay goal (Stockwire's replay against the stock consumer): the stock ordered
 * consumers (pull and push) decoding every event in a Chromium page's main thread, each in a fresh browser
 * context, on the same server and data as the app. The faster one is the baseline.
 */
import type { Browser } from '@playwright/test';
import { STREAMS } from '../../src/core/resources';
import { streamSubjectFilter } from '../../src/nats/names';
import { BASELINE_PATH } from './app-build';
import type { BaselineRequest, BaselineResult } from './baseline-page/main';
import type { StockConsumerKind } from './stock-consumer';
import { withTimeout } from './timeout';
import { LOGINS } from '../../test/support/users';

export interface BrowserBaseline {
  kind: StockConsumerKind;
  ms: number;
  eps: number;
}

export async function runBrowserBaseline(
  browser: Browser,
  appUrl: string,
  wsUrl: string,
  kind: StockConsumerKind,
  count: number,
  timeoutMs: number,
): Promise<BrowserBaseline> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(timeoutMs);
    await page.goto(new URL(BASELINE_PATH, appUrl).href);
    await page.waitForFunction(() => typeof window.stockBaseline === 'function');
    const request: BaselineRequest = {
      kind,
      servers: wsUrl,
      ...LOGINS.display,
      stream: STREAMS.warehouse,
      filter: streamSubjectFilter(STREAMS.warehouse)!,
      count,
    };
    const result: BaselineResult = await withTimeout(
      `the ${kind} baseline`,
      timeoutMs,
      page.evaluate((r) => window.stockBaseline!(r), request),
    );
    if (result.count !== count || result.withHeaders !== count) {
      throw new Error(
        `the ${kind} baseline decoded ${result.count} events, ${result.withHeaders} with all headers, of ${count}`,
      );
    }
    return { kind, ms: result.ms, eps: Math.round((count / result.ms) * 1000) };
  } finally {
    await context.close();
  }
}

/** Stockwire's push delivery alone in a page (no decoding, no fold): what the browser's WebSocket allows. */
export async function runDeliveryOnly(
  browser: Browser,
  appUrl: string,
  wsUrl: string,
  count: number,
  timeoutMs: number,
): Promise<{ ms: number; eps: number }> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(timeoutMs);
    await page.goto(new URL(BASELINE_PATH, appUrl).href);
    await page.waitForFunction(() => typeof window.deliveryOnly === 'function');
    const result = await withTimeout(
      'delivery alone',
      timeoutMs,
      page.evaluate((r) => window.deliveryOnly!(r), {
        servers: wsUrl,
        ...LOGINS.display,
        stream: STREAMS.warehouse,
        filter: streamSubjectFilter(STREAMS.warehouse)!,
        count,
      }),
    );
    if (result.count < count) throw new Error(`delivery alone saw ${result.count} of ${count} events`);
    return { ms: result.ms, eps: Math.round((count / result.ms) * 1000) };
  } finally {
    await context.close();
  }
}
