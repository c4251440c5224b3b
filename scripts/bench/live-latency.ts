/**
 * The live-latency goal: an event published by one client, visible in another client's view. A Node publisher
 * sends demo-shaped live events at a steady rate; each event's send time is kept by the stream sequence its
 * ack names. The page (caught up and live) logs every change of #root's `data-applied-seq` with its time; an
 * event is visible at the first change whose sequence reaches it. Same machine, same clock.
 */
import type { Page } from '@playwright/test';
import type { NatsConnection } from '../../src/nats/connection';
import { readProbe, retarget, waitUntilCaughtUp } from './page-probe';
import type { BenchSimulator } from './simulator';
import { lastSeqOf, seenBy } from './live-seen';
import { percentile } from './stats';

export interface LiveLatency {
  sent: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Events published but never seen by the page (should be 0). */
  unseen: number;
}

export async function liveLatency(
  page: Page,
  nc: NatsConnection,
  simulator: BenchSimulator,
  options: { rate: number; seconds: number; settleTimeoutMs: number },
): Promise<LiveLatency> {
  const sentAt = await simulator.publishAtRate(nc, options.rate, options.seconds);
  const lastSeq = lastSeqOf(sentAt);
  await retarget(page, lastSeq);
  await waitUntilCaughtUp(page, options.settleTimeoutMs);
  const { latencies, unseen } = seenBy((await readProbe(page)).seqLog, sentAt);
  return {
    sent: sentAt.size,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.length > 0 ? latencies.reduce((a, b) => Math.max(a, b)) : Number.NaN,
    unseen,
  };
}
