/**
 * The demo's live simulator (src/core/demo-history.ts) as the bench runs it after the history: one state and one
 * random source for the whole run, so the events stored after the history — the warm start's tail, then the live
 * phase — continue each other and never sell what an earlier one already took.
 */
import { randomUUID } from 'node:crypto';
import {
  createRng,
  simulatorState,
  simulatorStep,
  type DemoEvent,
  type Rng,
  type SimulatorState,
} from '../../src/core/demo-history';
import { TEST_HEADER_NAMES } from '../../src/core/testing';
import type { NatsConnection } from '../../src/nats/connection';
import { publishStockEvent, type PublishResult } from '../../src/nats/publish';
import { InFlight } from './window';

/** Enough acks awaited at once to keep the server busy, few enough that a refusal stops the tail early. */
const TAIL_IN_FLIGHT = 1_000;

export class BenchSimulator {
  private state: SimulatorState;
  private readonly rng: Rng;

  /** Starts from the stock the history leaves. */
  constructor(history: Iterable<Pick<DemoEvent, 'warehouse' | 'event'>>, seed = 42) {
    this.state = simulatorState(history);
    this.rng = createRng(seed);
  }

  /**
   * The simulator's next event, published now as the bench's admin. The state moves on before the ack, so
   * events published back to back continue each other; the stream keeps one connection's publishes in order.
   */
  publishNext(nc: NatsConnection, nowMs = Date.now()): Promise<PublishResult> {
    const step = simulatorStep(this.state, this.rng, nowMs);
    this.state = step.state;
    return publishStockEvent(nc, step.event.warehouse, step.event.event, {
      names: TEST_HEADER_NAMES,
      user: 'admin',
      id: randomUUID(),
      timestampMs: nowMs,
    });
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
}
