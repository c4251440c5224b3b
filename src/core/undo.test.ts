import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditTrail } from './audit';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-codec';
import { subjectOf, type Decoded } from './codec';
import { UNASSIGNED_LOCATION, subjectWarehouse, type StockEvent } from './events';
import { applyBatch, applyDecoded, initialLedger, type LedgerState } from './ledger';
import { snapshotLedger } from './ledger-snapshot';
import { stockLevel } from './procurement-stock';
import { DAY_MS, HOUR_MS, soldInWindow, WEEK_MS } from './sales';
import { TestStream } from './testing';
import { rememberedCount } from './undo-memory';
import { locationQuantity, locationRows } from './warehouse-stock';

const T0 = 1_764_000_000_000;
const WAREHOUSES = ['46', '52'] as const;
const PRODUCTS = ['Apples', 'Milk'] as const;
const LOCATIONS = ['A01', 'B01', UNASSIGNED_LOCATION] as const;

describe('undo: a reversal takes back one event in every view', () => {
  it('given a sale, when it is reversed, then stock and the sales windows are as before the sale', () => {
    const s = new TestStream(T0);
    const state = applyBatch(initialLedger(), [
      s.replenished('46', 'Apples', 10, 'A01'),
      s.sold('46', 'Apples', 3, 'A01', { id: 'sale-1' }),
      s.reversed('46', 'Apples', 'sale-1', 'rang up twice'),
    ]);
    expect(locationQuantity(state.stock, '46', 'Apples', 'A01')).toBe(10);
    expect(stockLevel(state.procurement, '46.Apples')?.quantity).toBe(10);
    expect(soldInWindow(state.sales, T0 + HOUR_MS, DAY_MS).get('Apples')).toBeUndefined();
    expect(state.quality.total).toBe(0);
  });

  it('given a return, when it is reversed, then the units leave the stock and count as sold again', () => {
    const s = new TestStream(T0);
    const state = applyBatch(initialLedger(), [
      s.sold('46', 'Apples', 5, '-'),
      s.returned('46', 'Apples', 2, '-', '', { id: 'return-1' }),
      s.reversed('46', 'Apples', 'return-1'),
    ]);
    expect(locationQuantity(state.stock, '46', 'Apples', '-')).toBe(-5);
    expect(soldInWindow(state.sales, T0 + HOUR_MS, DAY_MS).get('Apples')).toBe(5);
  });

  it('given a move, when it is reversed, then the units go back where they came from', () => {
    const s = new TestStream(T0);
    const state = applyBatch(initialLedger(), [
      s.corrected('46', 'Apples', 'A01', 8),
      s.moved('46', 'Apples', 'A01', 'Kühlraum ❄', 3, { id: 'move-1' }),
      s.reversed('46', 'Apples', 'move-1'),
    ]);
    expect(locationQuantity(state.stock, '46', 'Apples', 'A01')).toBe(8);
    expect(locationQuantity(state.stock, '46', 'Apples', 'Kühlraum ❄')).toBe(0);
  });

  it('takes a sale back in the hour it was made, not in the hour of the undo', () => {
    const s = new TestStream(T0);
    const state = applyBatch(initialLedger(), [
      s.sold('46', 'Apples', 4, '-', { id: 'old-sale', at: T0 }),
      s.sold('46', 'Apples', 1, '-', { at: T0 + 3 * HOUR_MS }),
      s.reversed('46', 'Apples', 'old-sale', 'typo', { at: T0 + 3 * HOUR_MS + 1000 }),
    ]);
    const now = T0 + 3 * HOUR_MS + 60_000;
    expect(soldInWindow(state.sales, now, HOUR_MS).get('Apples')).toBe(1);
    expect(soldInWindow(state.sales, now, DAY_MS).get('Apples')).toBe(1);
  });

  it.each([
    ['an unknown id', 'nothing-1', 'reverses_unknown'],
    ['an event of another product', 'pear-sale', 'reverses_other_product'],
    ['a count', 'count-1', 'not_reversible'],
    ['a reversal', 'undo-1', 'not_reversible'],
    ['an event already undone', 'sale-1', 'reverses_twice'],
  ] as const)('refuses a reversal of %s: counted under data quality, no figure changes', (_, id, reason) => {
    const s = new TestStream(T0);
    const before = applyBatch(initialLedger(), [
      s.corrected('46', 'Apples', 'A01', 10, { id: 'count-1' }),
      s.sold('46', 'Pears', 1, 'A01', { id: 'pear-sale' }),
      s.sold('46', 'Apples', 2, 'A01', { id: 'sale-1' }),
      s.reversed('46', 'Apples', 'sale-1', 'typo', { id: 'undo-1' }),
    ]);
    const after = applyDecoded(before, s.reversed('46', 'Apples', id));
    expect(cellsOf(after)).toEqual(cellsOf(before));
    expect(after.sales.hours).toEqual(before.sales.hours);
    expect(stockLevel(after.procurement, '46.Apples')?.quantity).toBe(10);
    expect(after.quality.byKind.refused).toBe(1);
    expect(after.quality.byReason[reason]).toBe(1);
    expect(after.quality.recent.at(-1)).toMatchObject({ kind: 'refused', reason, seq: 5 });
  });

  it('refuses a reversal of an event of the same id in another warehouse', () => {
    const s = new TestStream(T0);
    const state = applyBatch(initialLedger(), [
      s.sold('52', 'Apples', 2, 'A01', { id: 'sale-1' }),
      s.reversed('46', 'Apples', 'sale-1'),
    ]);
    expect(state.quality.byReason.reverses_unknown).toBe(1);
    expect(locationQuantity(state.stock, '52', 'Apples', 'A01')).toBe(-2);
  });

  it('remembers events for the id horizon only: a reversal two weeks and more later is refused', () => {
    const s = new TestStream(T0);
    const state = applyBatch(initialLedger(), [
      s.sold('46', 'Apples', 2, '-', { id: 'early', at: T0 }),
      s.sold('46', 'Apples', 1, '-', { at: T0 + WEEK_MS }),
      s.sold('46', 'Apples', 2, '-', { id: 'late', at: T0 + WEEK_MS + 1000 }),
      s.sold('46', 'Apples', 1, '-', { at: T0 + 2 * WEEK_MS + 1 }),
      s.reversed('46', 'Apples', 'early', 'too late', { at: T0 + 2 * WEEK_MS + 2 }),
      s.reversed('46', 'Apples', 'late', 'in time', { at: T0 + 2 * WEEK_MS + 3 }),
    ]);
    expect(state.quality.byReason.reverses_unknown).toBe(1);
    expect(locationQuantity(state.stock, '46', 'Apples', '-')).toBe(-4);
    // The oldest generation went whole: two sales of the week before, and the newest sale and two reversals.
    expect(rememberedCount(state.undo)).toBe(5);
  });

  it('never changes a state it was given, and going on from an older state again is still correct', () => {
    const s = new TestStream(T0);
    const before = applyBatch(initialLedger(), [s.sold('46', 'Apples', 1, '-', { id: 'sale-1' })]);
    const undo = s.reversed('46', 'Apples', 'sale-1');
    const once = applyBatch(before, [undo]);
    expect(locationQuantity(once.stock, '46', 'Apples', '-')).toBe(0);
    // The older state still sees the sale as not undone: a second fold from it may undo it too.
    const other = applyBatch(before, [s.reversed('46', 'Apples', 'sale-1')]);
    expect(other.quality.byKind.refused).toBe(0);
    expect(locationQuantity(other.stock, '46', 'Apples', '-')).toBe(0);
    // And the first line of history may still refuse a second undo.
    const twice = applyBatch(once, [s.reversed('46', 'Apples', 'sale-1')]);
    expect(twice.quality.byReason.reverses_twice).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Any history with reversals — valid, unknown, of another product, of counts, twice — against a model written
// apart from src/core.

type Step =
  | { kind: 'event'; warehouse: string; event: StockEvent }
  | { kind: 'undo'; warehouse: string; product: string; target: number };

const product = fc.constantFrom(...PRODUCTS);
const location = fc.constantFrom(...LOCATIONS);
const quantity = fc.integer({ min: 1, max: 9 });
const event: fc.Arbitrary<StockEvent> = fc.oneof(
  fc
    .record({ product_name: product, location, quantity: fc.integer({ min: 0, max: 9 }) })
    .map((a): StockEvent => ({ type: 'stock.corrected', ...a })),
  fc
    .record({ product_name: product, location, quantity })
    .map((a): StockEvent => ({ type: 'stock.replenished', ...a })),
  fc
    .record({ product_name: product, location, quantity })
    .map((a): StockEvent => ({ type: 'stock.sold', ...a })),
  fc
    .record({ product_name: product, location, quantity })
    .map((a): StockEvent => ({ type: 'stock.destroyed', ...a, reason: 'rotten' })),
  fc
    .record({ product_name: product, location, quantity })
    .map((a): StockEvent => ({ type: 'stock.returned', ...a, reason: '' })),
  fc
    .record({ product_name: product, from: location, to: location, quantity })
    .filter((a) => a.from !== a.to)
    .map((a): StockEvent => ({ type: 'stock.moved', ...a })),
);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('event' as const),
      warehouse: fc.constantFrom(...WAREHOUSES),
      event,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('undo' as const),
      warehouse: fc.constantFrom(...WAREHOUSES),
      product,
      // An earlier step's id, or (past the end) one nobody published.
      target: fc.nat({ max: 60 }),
    }),
  },
);

const idOf = (i: number): string => `step-${i}`;

function streamOf(steps: readonly Step[]): Decoded[] {
  const s = new TestStream(T0);
  return steps.map((st, i) =>
    st.kind === 'event'
      ? s.stock(st.warehouse, st.event, { id: idOf(i) })
      : s.reversed(st.warehouse, st.product, idOf(st.target), 'mistake', { id: idOf(i) }),
  );
}

interface Model {
  cells: Map<string, number>;
  /** warehouse/product → net units sold */
  sold: Map<string, number>;
  refused: number;
}

function model(steps: readonly Step[]): Model {
  const cells = new Map<string, number>();
  const sold = new Map<string, number>();
  const add = (w: string, p: string, at: string, d: number) =>
    cells.set(`${w}/${p}/${at}`, (cells.get(`${w}/${p}/${at}`) ?? 0) + d);
  const sell = (w: string, p: string, d: number) => sold.set(`${w}/${p}`, (sold.get(`${w}/${p}`) ?? 0) + d);
  const apply = (w: string, e: StockEvent, sign: number) => {
    switch (e.type) {
      case 'stock.corrected':
        cells.set(`${w}/${e.product_name}/${e.location}`, e.quantity);
        break;
      case 'stock.replenished':
        add(w, e.product_name, e.location, sign * e.quantity);
        break;
      case 'stock.returned':
        add(w, e.product_name, e.location, sign * e.quantity);
        sell(w, e.product_name, -sign * e.quantity);
        break;
      case 'stock.sold':
        add(w, e.product_name, e.location, -sign * e.quantity);
        sell(w, e.product_name, sign * e.quantity);
        break;
      case 'stock.destroyed':
        add(w, e.product_name, e.location, -sign * e.quantity);
        break;
      case 'stock.moved':
        add(w, e.product_name, e.from, -sign * e.quantity);
        add(w, e.product_name, e.to, sign * e.quantity);
        break;
      case 'stock.reversed':
        break;
    }
  };
  const undone = new Set<number>();
  let refused = 0;
  steps.forEach((st, i) => {
    if (st.kind === 'event') return apply(st.warehouse, st.event, 1);
    const target = st.target < i ? steps[st.target] : undefined;
    const ok =
      target?.kind === 'event' &&
      target.warehouse === st.warehouse &&
      target.event.product_name === st.product &&
      target.event.type !== 'stock.corrected' &&
      !undone.has(st.target);
    if (!ok) refused += 1;
    else {
      undone.add(st.target);
      apply(st.warehouse, target.event, -1);
    }
  });
  return { cells, sold, refused };
}

function cellsOf(state: LedgerState): Map<string, number> {
  return new Map(
    locationRows(state.stock).map((r) => [`${r.warehouse}/${r.product}/${r.location}`, r.quantity]),
  );
}

function soldOf(state: LedgerState, now: number): Map<string, number> {
  const sold = new Map<string, number>();
  for (const w of WAREHOUSES) {
    for (const [p, units] of soldInWindow(state.sales, now, WEEK_MS, { warehouse: w }))
      sold.set(`${w}/${p}`, units);
  }
  return sold;
}

const nonZero = (m: Map<string, number>) => new Map([...m].filter(([, v]) => v !== 0));

describe('undo, for any history', () => {
  it('gives the figures of a model that never saw the undone events, in the views and the audit trail', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const stream = streamOf(steps);
        const state = applyBatch(initialLedger(), stream);
        const expected = model(steps);
        // Cells once named stay at 0, which the model need not list.
        expect(nonZero(cellsOf(state))).toEqual(nonZero(expected.cells));
        expect(nonZero(soldOf(state, T0 + steps.length * 1000 + 60_000))).toEqual(nonZero(expected.sold));
        expect(state.quality.byKind.refused).toBe(expected.refused);
        for (const [key, level] of [...state.procurement.levels].flatMap(([w, ls]) =>
          [...ls].map(([p, l]) => [`${w}/${p}`, l] as const),
        )) {
          let sum = 0;
          for (const at of LOCATIONS) sum += expected.cells.get(`${key}/${at}`) ?? 0;
          expect(level.quantity).toBe(sum);
        }
        const refusedSeqs = new Set(
          state.quality.recent.filter((i) => i.kind === 'refused').map((i) => i.seq),
        );
        for (const warehouse of WAREHOUSES) {
          for (const name of PRODUCTS) {
            for (const at of LOCATIONS) {
              const trail = auditTrail(stream, { warehouse, product: name, location: at }, { refusedSeqs });
              expect(trail.balance).toBe(locationQuantity(state.stock, warehouse, name, at));
              for (const line of trail.lines) {
                if (line.undoes !== undefined) {
                  expect(trail.lines.find((l) => l.seq === line.undoes)?.undoneBy).toBe(line.seq);
                }
              }
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("given one warehouse's subjects alone, then it resolves every reversal as a fold of the chain does", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const stream = streamOf(steps);
        const chain = applyBatch(initialLedger(), stream);
        for (const warehouse of WAREHOUSES) {
          const alone = applyBatch(
            initialLedger(),
            stream.filter((d) => subjectWarehouse(subjectOf(d)) === warehouse),
          );
          expect(alone.stock.warehouses.get(warehouse)).toEqual(chain.stock.warehouses.get(warehouse));
          expect(alone.quality.recent.filter((i) => i.kind === 'refused')).toEqual(
            chain.quality.recent.filter(
              (i) => i.kind === 'refused' && subjectWarehouse(i.subject) === warehouse,
            ),
          );
        }
      }),
      { numRuns: 200 },
    );
  });

  it('given a checkpoint at any cut, then checkpoint + tail resolves reversals as one fold does', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.nat(), (steps, at) => {
        const stream = streamOf(steps);
        const cut = steps.length === 0 ? 0 : at % (steps.length + 1);
        const whole = applyBatch(initialLedger(), stream);
        const head = applyBatch(initialLedger(), stream.slice(0, cut));
        const read = decodeCheckpoint(
          encodeCheckpoint({ snapshot: snapshotLedger(head), minEventMs: T0, maxEventMs: T0, marks: [] }),
        );
        if (!read.ok) throw new Error(read.detail);
        const resumed = applyBatch(read.ledger, stream.slice(cut));
        expect(cellsOf(resumed)).toEqual(cellsOf(whole));
        expect(resumed.quality.byReason).toEqual(whole.quality.byReason);
        expect(resumed.sales.hours).toEqual(whole.sales.hours);
      }),
      { numRuns: 200 },
    );
  });
});
