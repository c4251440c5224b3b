import { describe, expect, it } from 'vitest';
import type { Decoded, RawMessage } from '../core/codec';
import { applyBatch, initialLedger } from '../core/ledger';
import { TestStream } from '../core/testing';
import { locationQuantity } from '../core/warehouse-stock';
import { Checkpoints } from './checkpoints';
import { TimeMachine, type Batch, type PastState } from './time-machine';

const HOUR = 3600_000;
const T0 = 1_700_000_000_000;

/** A stream of decoded events served in batches, as the replay adapter would, ending "caught up". */
function fakeStream(events: Decoded[], batchSize = 3) {
  const bySeq = new Map(events.map((d, i) => [i + 1, d]));
  const asRaw = (seq: number) => ({ seq }) as unknown as RawMessage;
  const decode = (m: RawMessage) => bySeq.get(m.seq) as Decoded;
  const reads: number[] = [];
  async function* open(fromSeq: number): AsyncGenerator<Batch> {
    reads.push(fromSeq);
    for (let seq = fromSeq; seq <= events.length; seq += batchSize) {
      const last = Math.min(events.length, seq + batchSize - 1);
      const messages = Array.from({ length: last - seq + 1 }, (_, i) => asRaw(seq + i));
      yield { messages, caughtUp: last === events.length };
    }
    if (fromSeq > events.length) yield { messages: [], caughtUp: true };
    await new Promise(() => undefined); // follows live: never ends by itself
  }
  return { open, decode, reads };
}

function machine(events: Decoded[], checkpoints = new Checkpoints()) {
  const stream = fakeStream(events);
  const states: (PastState | null)[] = [];
  let nowMs = T0 + 100 * HOUR;
  const tm = new TimeMachine(
    stream.open,
    stream.decode,
    (atMs) => checkpoints.before(atMs),
    (state) => states.push(state),
    (error) => {
      throw error;
    },
    () => nowMs,
  );
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
  return { tm, states, settle, reads: stream.reads, setNow: (ms: number) => (nowMs = ms) };
}

describe('TimeMachine', () => {
  const s = new TestStream();
  // One event per hour: 10 apples at T0+1h, then one sold every hour.
  const events = [
    s.replenished('46', 'Apples', 10, 'A1', { at: T0 + HOUR }),
    ...Array.from({ length: 8 }, (_, i) => s.sold('46', 'Apples', 1, 'A1', { at: T0 + (i + 2) * HOUR })),
  ];
  const quantityAt = (state: PastState | null | undefined) =>
    state ? locationQuantity(state.ledger.stock, '46', 'Apples', 'A1') : null;

  it('given a moment, shows the fold of every event up to it and none after', async () => {
    const { tm, states, settle } = machine(events);
    tm.jump(T0 + 4 * HOUR + 1);
    await settle();
    expect(quantityAt(states.at(-1))).toBe(10 - 3);
    tm.jump(T0 + HOUR - 1);
    await settle();
    expect(quantityAt(states.at(-1))).toBe(0);
    expect(states.at(-1)?.ledger.lastSeq).toBe(0);
  });

  it('starts from the nearest checkpoint that holds nothing after the moment', async () => {
    const checkpoints = new Checkpoints(5);
    // A checkpoint after the first 5 events (their newest time T0+5h).
    checkpoints.afterBatch(applyBatch(initialLedger(), events.slice(0, 5)), T0 + 5 * HOUR);
    expect(checkpoints.count).toBe(2);
    const { tm, states, settle, reads } = machine(events, checkpoints);
    tm.jump(T0 + 7 * HOUR);
    await settle();
    expect(reads.at(-1)).toBe(6);
    expect(quantityAt(states.at(-1))).toBe(10 - 6);
  });

  it('plays forward from where it stopped and hands back to live at the present', async () => {
    const { tm, states, settle, setNow } = machine(events);
    tm.jump(T0 + 2 * HOUR);
    await settle();
    expect(quantityAt(states.at(-1))).toBe(9);
    setNow(T0 + 2 * HOUR + 3 * 250 * 3600 + 100);
    tm.play(3600); // an hour per second: 250 ms ticks move a quarter hour
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(states.at(-1)).toBeNull();
    const lastPast = states.filter((x) => x !== null).at(-1);
    expect(lastPast?.speed).toBe(3600);
    expect(quantityAt(lastPast)).toBe(9);
  });

  it('replayed twice to the same moment gives the same state', async () => {
    const { tm, states, settle } = machine(events);
    tm.jump(T0 + 6 * HOUR);
    await settle();
    const first = states.at(-1);
    tm.jump(T0 + 6 * HOUR);
    await settle();
    expect(states.at(-1)?.ledger).toEqual(first?.ledger);
  });
});
