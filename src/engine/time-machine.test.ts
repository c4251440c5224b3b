import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventTimeOf, type Decoded, type RawMessage } from '../core/codec';
import { applyBatch, initialLedger, ledgerViews } from '../core/ledger';
import { TestStream } from '../core/testing';
import { locationQuantity } from '../core/warehouse-stock';
import { TimeMarks } from '../core/time-marks';
import { Checkpoints } from './checkpoints';
import { TimeMachine, type Batch, type PastState, type Seeking } from './time-machine';

const HOUR = 3600_000;
const T0 = 1_700_000_000_000;

function warehouseOf(d: Decoded): string {
  return d.kind === 'malformed' ? d.subject.split('.')[1]! : d.meta.warehouse;
}

/**
 * Serves decoded events as the replay adapter would: in batches (of one warehouse's subjects when asked),
 * "caught up" at the end, then waiting. `hold` stops it before a sequence, as a slow server would.
 */
function fakeStream(events: readonly Decoded[], batchSize = 3, hold = Number.POSITIVE_INFINITY) {
  const bySeq = new Map(events.map((d, i) => [i + 1, d]));
  const decode = (m: RawMessage) => bySeq.get(m.seq) as Decoded;
  const opened: { fromSeq: number; warehouse: string | null }[] = [];
  let delivered = 0;
  async function* open(fromSeq: number, warehouse: string | null): AsyncGenerator<Batch> {
    opened.push({ fromSeq, warehouse });
    const wanted = [...bySeq]
      .filter(([seq, d]) => seq >= fromSeq && (warehouse === null || warehouseOf(d) === warehouse))
      .map(([seq]) => seq);
    for (let i = 0; i < wanted.length; i += batchSize) {
      const seqs = wanted.slice(i, i + batchSize);
      if (seqs[0]! >= hold) break;
      delivered += seqs.length;
      yield {
        messages: seqs.map((seq) => ({ seq }) as RawMessage),
        caughtUp: i + batchSize >= wanted.length,
      };
    }
    if (wanted.length === 0) yield { messages: [], caughtUp: true };
    await new Promise(() => undefined);
  }
  return { open, decode, opened, delivered: () => delivered };
}

/** The live fold as the engine keeps it: batches of `batch` events, with checkpoints every `every`. */
function liveCheckpoints(events: readonly Decoded[], every: number, batch = 2): Checkpoints {
  const checkpoints = new Checkpoints(every);
  let ledger = initialLedger();
  for (let i = 0; i < events.length; i += batch) {
    const slice = events.slice(i, i + batch);
    ledger = applyBatch(ledger, slice);
    const times = slice.map(eventTimeOf);
    checkpoints.afterBatch(ledger, Math.min(...times), Math.max(...times));
  }
  return checkpoints;
}

function machine(
  events: readonly Decoded[],
  checkpoints: Checkpoints,
  { nowMs = T0 + 1000 * HOUR, hold = Number.POSITIVE_INFINITY } = {},
) {
  const stream = fakeStream(events, 3, hold);
  const states: (PastState | null)[] = [];
  const seeks: (Seeking | null)[] = [];
  let clock = nowMs;
  const tm = new TimeMachine(
    stream.open,
    stream.decode,
    {
      before: async (atMs) => checkpoints.before(atMs),
      complete: (seq, atMs) => checkpoints.complete(seq, atMs),
      release: () => undefined,
    },
    (s) => states.push(s),
    (s) => seeks.push(s),
    (e) => {
      throw e;
    },
    () => clock,
  );
  const settle = () => new Promise((resolve) => setTimeout(resolve, 10));
  return { tm, states, seeks, settle, stream, setClock: (ms: number) => (clock = ms) };
}

describe('TimeMachine', () => {
  const s = new TestStream();
  // One event per hour: 10 apples at T0+1h, then one sold every hour.
  const events = [
    s.replenished('46', 'Apples', 10, 'A1', { at: T0 + HOUR }),
    ...Array.from({ length: 8 }, (_, i) => s.sold('46', 'Apples', 1, 'A1', { at: T0 + (i + 2) * HOUR })),
  ];
  const apples = (state: PastState | null | undefined) =>
    state ? locationQuantity(state.ledger.stock, '46', 'Apples', 'A1') : null;

  it('given a moment, shows every event up to it and none after', async () => {
    const { tm, states, settle } = machine(events, liveCheckpoints(events, 1000));
    tm.jump(T0 + 4 * HOUR + 1);
    await settle();
    expect(apples(states.at(-1))).toBe(10 - 3);
    tm.jump(T0 + HOUR - 1);
    await settle();
    expect(apples(states.at(-1))).toBe(0);
  });

  it('starts at the newest checkpoint that holds nothing later, and stops reading once nothing earlier is left', async () => {
    const { tm, states, settle, stream } = machine(events, liveCheckpoints(events, 4));
    tm.jump(T0 + 7 * HOUR);
    await settle();
    expect(apples(states.at(-1))).toBe(10 - 6);
    expect(stream.opened).toEqual([{ fromSeq: 5, warehouse: null }]);
    expect(stream.delivered()).toBeLessThan(events.length);
  });

  it('plays forward and hands back to live at the present', async () => {
    const { tm, states, settle, setClock } = machine(events, liveCheckpoints(events, 4));
    tm.jump(T0 + 2 * HOUR);
    await settle();
    expect(apples(states.at(-1))).toBe(9);
    setClock(T0 + 3 * HOUR + 100);
    tm.play(3600 * 2); // half an hour per 250 ms tick
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const played = states.filter((x): x is PastState => x !== null);
    expect(played.map((p) => p.atMs)).toEqual(expect.arrayContaining([T0 + 2.5 * HOUR, T0 + 3 * HOUR]));
    expect(apples(played.find((p) => p.atMs === T0 + 3 * HOUR))).toBe(8);
    expect(states.at(-1)).toBeNull();
  });

  it('given a start from a shared checkpoint with time marks, then a moment before it stops reading early', async () => {
    const t = new TestStream();
    const year = Array.from({ length: 60 }, (_, i) =>
      t.replenished('46', 'Apples', 1, 'A1', { at: T0 + i * HOUR }),
    );
    const marks = new TimeMarks(10);
    for (let i = 0; i < year.length; i += 5) {
      marks.afterBatch(i + 5, T0 + i * HOUR, T0 + (i + 4) * HOUR);
    }
    const checkpoints = new Checkpoints();
    const folded = applyBatch(initialLedger(), year);
    checkpoints.resumeFrom(folded, T0, T0 + 59 * HOUR, marks.through(year.length));
    const { tm, states, settle, stream } = machine(year, checkpoints);
    tm.jump(T0 + 12 * HOUR);
    await settle();
    expect(apples(states.at(-1))).toBe(13);
    expect(stream.opened).toEqual([{ fromSeq: 1, warehouse: null }]);
    // Read through the mark after the moment (#20), not to the checkpoint (#60).
    expect(stream.delivered()).toBe(21);
  });

  it('given pages of one warehouse, then only its events are read, and its figures are those of every event', async () => {
    const t = new TestStream();
    const mixed = Array.from({ length: 12 }, (_, i) =>
      t.replenished(i % 3 === 0 ? '46' : '52', 'Apples', i + 1, 'A1', { at: T0 + i * HOUR }),
    );
    const atMs = T0 + 7 * HOUR;
    const { tm, states, settle, stream } = machine(mixed, liveCheckpoints(mixed, 1000));
    tm.narrowTo('46');
    tm.jump(atMs);
    await settle();
    const everything = applyBatch(
      initialLedger(),
      mixed.filter((d) => eventTimeOf(d) <= atMs),
    );
    const shown = states.at(-1);
    expect(shown?.warehouse).toBe('46');
    expect(locationQuantity(shown!.ledger.stock, '46', 'Apples', 'A1')).toBe(
      locationQuantity(everything.stock, '46', 'Apples', 'A1'),
    );
    expect(stream.delivered()).toBe(4);

    tm.narrowTo(null);
    await settle();
    expect(stream.opened.at(-1)).toEqual({ fromSeq: 1, warehouse: null });
    expect(states.at(-1)?.warehouse).toBeNull();
    expect(ledgerViews(states.at(-1)!.ledger).stock).toEqual(ledgerViews(everything).stock);
  });

  it('given a long read, then it says how far it got, and back to live ends it at once', async () => {
    const many = Array.from({ length: 12_000 }, (_, i) =>
      s.replenished('46', 'Apples', 1, 'A1', { at: T0 + i * 1000 }),
    );
    const { tm, states, seeks, settle } = machine(many, liveCheckpoints(many, 100_000, 1000), {
      hold: 11_000,
    });
    tm.jump(T0 + 20_000 * 1000);
    await settle();
    expect(seeks.map((x) => x?.read)).toEqual([0, 5000, 10_000]);
    expect(states).toEqual([]);
    tm.live();
    await settle();
    expect(states).toEqual([null]);
    expect(seeks.at(-1)).toBeNull();
  });

  it('equals folding exactly the events that happened by then, whatever order the stream holds them in', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            hour: fc.integer({ min: 0, max: 30 }),
            qty: fc.integer({ min: 1, max: 5 }),
            sell: fc.boolean(),
          }),
          {
            minLength: 1,
            maxLength: 40,
          },
        ),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: -1, max: 31 }),
        async (spec, every, atHour) => {
          const stream = new TestStream();
          const list = spec.map(({ hour, qty, sell }) =>
            sell
              ? stream.sold('46', 'Apples', qty, 'A1', { at: T0 + hour * HOUR })
              : stream.replenished('46', 'Apples', qty, 'A1', { at: T0 + hour * HOUR }),
          );
          const atMs = T0 + atHour * HOUR;
          const { tm, states, settle } = machine(list, liveCheckpoints(list, every));
          tm.jump(atMs);
          await settle();
          const expected = applyBatch(
            initialLedger(),
            list.filter((d) => eventTimeOf(d) <= atMs),
          );
          const shown = states.at(-1);
          expect(shown && ledgerViews(shown.ledger).stock).toEqual(ledgerViews(expected).stock);
          tm.stop();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('given a reader that lost its place while a moment was on screen, then it is opened again where it stopped', async () => {
    const stream = fakeStream(events);
    const opened: number[] = [];
    let failOnce = true;
    async function* open(
      fromSeq: number,
      warehouse: string | null,
      signal: AbortSignal,
    ): AsyncGenerator<Batch> {
      opened.push(fromSeq);
      const inner = stream.open(fromSeq, warehouse);
      // The first reader delivers one batch, then fails as a stalled consumer would.
      yield (await inner.next()).value as Batch;
      if (failOnce) {
        failOnce = false;
        throw new Error('the replay lost its place (no heartbeat for 6000 ms)');
      }
      yield* inner;
      void signal;
    }
    const states: (PastState | null)[] = [];
    const tm = new TimeMachine(
      open,
      stream.decode,
      {
        before: async (atMs) => liveCheckpoints(events, 1000).before(atMs),
        complete: (seq, atMs) => liveCheckpoints(events, 1000).complete(seq, atMs),
        release: () => undefined,
      },
      (state) => states.push(state),
      () => undefined,
      (error) => {
        throw error;
      },
      () => T0 + 1000 * HOUR,
    );
    tm.jump(T0 + 2 * HOUR);
    await new Promise((resolve) => setTimeout(resolve, 10));
    tm.jump(T0 + 6 * HOUR);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(apples(states.at(-1))).toBe(10 - 5);
    expect(opened).toEqual([1, 4]);
  });
});
