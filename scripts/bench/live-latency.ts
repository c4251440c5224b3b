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
import { percentile } from './stats';

export interface LiveLatency {
  sent: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Events published but never seen by the page (should be 0). */
  unseen: number;
}

const TICK_MS = 10;

export async function liveLatency(
  page: Page,
  nc: NatsConnection,
  simulator: BenchSimulator,
  options: { rate: number; seconds: number; settleTimeoutMs: number },
): Promise<LiveLatency> {
  const sentAt = new Map<number, number>();
  const failures: string[] = [];
  const acks: Promise<void>[] = [];
  const total = options.rate * options.seconds;
  const started = Date.now();
  let sent = 0;
  // Catch-up pacing: each tick sends what the rate says is due by now, so a late tick does not lower the rate.
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - started) * options.rate) / 1000));
    for (; sent < due; sent++) {
      const nowMs = Date.now();
      acks.push(
        simulator.publishNext(nc, nowMs).then((result) => {
          if (result.ok) sentAt.set(result.seq, nowMs);
          else failures.push(result.message);
        }),
      );
    }
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  await Promise.all(acks);
  if (failures.length > 0) throw new Error(`live publishes failed: ${failures.slice(0, 3).join('; ')}`);

  const lastSeq = [...sentAt.keys()].reduce((a, b) => Math.max(a, b), 0);
  await retarget(page, lastSeq);
  await waitUntilCaughtUp(page, options.settleTimeoutMs);
  const { seqLog } = await readProbe(page);
  const latencies: number[] = [];
  let unseen = 0;
  for (const [seq, sendMs] of sentAt) {
    const seenMs = firstTimeAtOrAbove(seqLog, seq);
    if (seenMs === undefined) unseen++;
    else latencies.push(seenMs - sendMs);
  }
  return {
    sent: sentAt.size,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.length > 0 ? latencies.reduce((a, b) => Math.max(a, b)) : Number.NaN,
    unseen,
  };
}

/** The log's sequences never decrease, so the first entry reaching `seq` is found by bisection. */
function firstTimeAtOrAbove(log: readonly [number, number][], seq: number): number | undefined {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (log[mid]![0] >= seq) hi = mid;
    else lo = mid + 1;
  }
  return log[lo]?.[1];
}
