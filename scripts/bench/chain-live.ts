/**
 * Live events at a steady rate, and when each page saw them. A Node publisher sends simulator events (the
 * chain's world or the small demo's); each send time is kept under the stream sequence its ack names. A page's
 * probe (page-probe.ts) logs every change of its applied sequence; an event is seen at the first change that
 * reaches its sequence. Same machine, same clock.
 */
import { randomUUID } from 'node:crypto';
import {
  createRng,
  simulatorStep,
  type SimulatorState,
  type SimulatorWorld,
} from '../../src/core/demo-history';
import { TEST_HEADER_NAMES } from '../../src/core/testing';
import type { NatsConnection } from '../../src/nats/connection';
import { publishStockEvent } from '../../src/nats/publish';

const TICK_MS = 10;

export class LiveSource {
  private readonly rng = createRng(42);

  constructor(
    private state: SimulatorState,
    private readonly world: SimulatorWorld,
  ) {}

  /**
   * Publishes `rate` events a second for `seconds`; resolves with each stored event's sequence → send time
   * once every publish is acknowledged. Throws when any was refused.
   */
  async publish(nc: NatsConnection, rate: number, seconds: number): Promise<Map<number, number>> {
    const sentAt = new Map<number, number>();
    const failures: string[] = [];
    const acks: Promise<void>[] = [];
    const total = Math.round(rate * seconds);
    const started = Date.now();
    let sent = 0;
    // Catch-up pacing: each tick sends what the rate says is due by now, so a late tick does not lower the rate.
    while (sent < total) {
      const due = Math.min(total, Math.floor(((Date.now() - started) * rate) / 1000));
      for (; sent < due; sent++) {
        const nowMs = Date.now();
        const step = simulatorStep(this.state, this.rng, nowMs, this.world);
        this.state = step.state;
        acks.push(
          publishStockEvent(nc, step.event.warehouse, step.event.event, {
            names: TEST_HEADER_NAMES,
            user: 'admin',
            id: randomUUID(),
            timestampMs: nowMs,
          }).then((result) => {
            if (result.ok) sentAt.set(result.seq, nowMs);
            else failures.push(result.message);
          }),
        );
      }
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
    await Promise.all(acks);
    if (failures.length > 0) throw new Error(`live publishes failed: ${failures.slice(0, 3).join('; ')}`);
    return sentAt;
  }
}

export interface Seen {
  /** Send → seen, ms, one per event the page saw. */
  latencies: number[];
  unseen: number;
}

/** How long after its send each event showed in a page whose probe logged `seqLog`. */
export function seenBy(seqLog: readonly [number, number][], sentAt: ReadonlyMap<number, number>): Seen {
  const latencies: number[] = [];
  let unseen = 0;
  for (const [seq, sendMs] of sentAt) {
    const seenMs = firstTimeAtOrAbove(seqLog, seq);
    if (seenMs === undefined) unseen++;
    else latencies.push(seenMs - sendMs);
  }
  return { latencies, unseen };
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

export function lastSeqOf(sentAt: ReadonlyMap<number, number>): number {
  let last = 0;
  for (const seq of sentAt.keys()) if (seq > last) last = seq;
  return last;
}
