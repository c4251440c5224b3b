/**
 * The demo's live simulator (src/core/demo-history.ts) as the bench runs it after the history: one state and one
 * random source for the whole run, so the events stored after the history — the warm start's tail, then the live
 * phase — continue each other and never sell what an earlier one already took.
 */
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  createRng,
  DEMO_WORLD,
  simulatorState,
  simulatorStepInPlace,
  type DemoEvent,
  type Rng,
  type SimulatorState,
  type SimulatorWorld,
} from '../../src/core/demo-history';
import { TEST_HEADER_NAMES } from '../../src/core/testing';
import type { NatsConnection } from '../../src/nats/connection';
import { publishStockEvent, type PublishResult } from '../../src/nats/publish';
import { InFlight } from './window';

/** Enough acks awaited at once to keep the server busy, few enough that a refusal stops the tail early. */
const TAIL_IN_FLIGHT = 1_000;

const TICK_MS = 10;
/** Re-sends of an unacknowledged event (same id) before it counts as failed. */
const PUBLISH_RETRIES = 3;

export class BenchSimulator {
  private readonly rng: Rng;
  /** The warehouse of each event stored, by its sequence. */
  private readonly warehouseOfSeq = new Map<number, string>();

  /** Starts from `state` in `world` (the small demo's, or the chain's). */
  constructor(
    /** This simulator's own: it is moved on in place. */
    private readonly state: SimulatorState,
    private readonly world: SimulatorWorld = DEMO_WORLD,
    seed = 42,
  ) {
    this.rng = createRng(seed);
  }

  /** Starts from the stock the demo's history leaves. */
  static after(history: Iterable<Pick<DemoEvent, 'warehouse' | 'event'>>): BenchSimulator {
    return new BenchSimulator(simulatorState(history));
  }

  /**
   * The simulator's next event, published now as the bench's admin. The state moves on before the ack, so
   * events published back to back continue each other; the stream keeps one connection's publishes in order.
   */
  publishNext(nc: NatsConnection, nowMs = Date.now()): Promise<PublishResult> {
    const step = simulatorStepInPlace(this.state, this.rng, nowMs, this.world);
    const options = { names: TEST_HEADER_NAMES, user: 'admin', id: randomUUID(), timestampMs: nowMs };
    const send = () => publishStockEvent(nc, step.warehouse, step.event, options);
    return send().then(async (first) => {
      let result = first;
      // On a machine busy with 50 pages this process can be starved past the acknowledgement's timeout: the same
      // id again is safe within the server's duplicate window, as the app's outbox does. The send time stays the
      // first attempt's, so the wait counts in the latency measured.
      for (let retry = 0; !result.ok && result.kind === 'timeout' && retry < PUBLISH_RETRIES; retry++) {
        result = await send();
      }
      if (result.ok) this.warehouseOfSeq.set(result.seq, step.warehouse);
      return result;
    });
  }

  /**
   * Of events sent (sequence → send time), those of one warehouse: all that a page folding that warehouse's
   * subjects alone receives (docs/architecture.md#one-warehouse-or-the-chain).
   */
  sentTo(sentAt: ReadonlyMap<number, number>, warehouse: string): Map<number, number> {
    return new Map([...sentAt].filter(([seq]) => this.warehouseOfSeq.get(seq) === warehouse));
  }

  /** `count` events as fast as the server acknowledges them; resolves with the stream sequence of the last. */
  async publishMany(nc: NatsConnection, count: number): Promise<number> {
    const window = new InFlight(TAIL_IN_FLIGHT);
    const failures: string[] = [];
    let lastSeq = 0;
    for (let i = 0; i < count && failures.length === 0; i++) {
      await window.acquire();
      void this.publishNext(nc).then((result) => {
        window.release();
        if (result.ok) lastSeq = Math.max(lastSeq, result.seq);
        else failures.push(result.message);
      });
    }
    await window.drain();
    if (failures.length > 0) throw new Error(`publishes failed: ${failures.slice(0, 3).join('; ')}`);
    return lastSeq;
  }

  /**
   * `rate` events a second for `seconds`; resolves with each stored event's sequence → send time once every
   * publish is acknowledged, and throws when any was refused.
   */
  async publishAtRate(nc: NatsConnection, rate: number, seconds: number): Promise<Map<number, number>> {
    const sentAt = new Map<number, number>();
    const failures: string[] = [];
    const acks: Promise<void>[] = [];
    const total = Math.round(rate * seconds);
    const started = Date.now();
    // An acknowledgement "not within 5 s" may be this process's event loop stalled (a major GC), not the
    // server: said with the failure.
    const loop = monitorEventLoopDelay({ resolution: 20 });
    loop.enable();
    let sent = 0;
    try {
      // Catch-up pacing: each tick sends what the rate says is due by now, so a late tick does not lower the rate.
      while (sent < total) {
        const due = Math.min(total, Math.floor(((Date.now() - started) * rate) / 1000));
        for (; sent < due; sent++) {
          const nowMs = Date.now();
          acks.push(
            this.publishNext(nc, nowMs).then((result) => {
              if (result.ok) sentAt.set(result.seq, nowMs);
              else failures.push(result.message);
            }),
          );
        }
        await new Promise((r) => setTimeout(r, TICK_MS));
      }
      await Promise.all(acks);
    } finally {
      loop.disable();
    }
    if (failures.length > 0) {
      const stalledMs = Math.round(loop.max / 1e6);
      throw new Error(
        `live publishes failed (${failures.length} of ${total}; this process's event loop stalled up to ` +
          `${stalledMs} ms): ${failures.slice(0, 3).join('; ')}`,
      );
    }
    return sentAt;
  }
}
