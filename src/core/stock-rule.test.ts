import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditTrail, type AuditScope } from './audit';
import type { Decoded } from './codec';
import {
  createRng,
  demoHistory,
  simulatorObserve,
  simulatorState,
  simulatorStep,
  type DemoEvent,
  type SimulatorState,
} from './demo-history';
import {
  STOCK_EVENT_TYPES,
  UNASSIGNED_LOCATION,
  type StockCorrected,
  type StockEvent,
  type StockEventType,
} from './events';
import { eachStockLevel, procurementStockView, type ProcurementStockState } from './procurement-stock';
import { applyStockEffect, stockEffectSlots, stockEffects, type StockEffect } from './stock-rule';
import { TestStream } from './testing';
import { fold } from './view';
import {
  locationQuantity,
  locationRows,
  productStock,
  warehouseStockView,
  type WarehouseStockState,
} from './warehouse-stock';

const END = 1_764_351_000_000;

/** The effects of one event, copied out of the slots the rule reuses. */
function effectsOf(event: StockEvent): StockEffect[] {
  const slots = stockEffectSlots();
  return slots.slice(0, stockEffects(event, slots)).map((slot) => ({ ...slot }));
}

/** Quantities per location after `events`, by the rule alone. */
function given(...events: StockEvent[]): Map<string, number> {
  const quantities = new Map<string, number>();
  for (const event of events) {
    for (const effect of effectsOf(event)) {
      quantities.set(effect.location, applyStockEffect(quantities.get(effect.location) ?? 0, effect));
    }
  }
  return quantities;
}

const counted = (location: string, quantity: number): StockCorrected => ({
  type: 'stock.corrected',
  product_name: 'Apples',
  location,
  quantity,
});

/** One event of every type, so that a new type cannot be added without an example here. */
const EXAMPLES: { [T in StockEventType]: Extract<StockEvent, { type: T }> } = {
  'stock.corrected': counted('A1', 4),
  'stock.replenished': { type: 'stock.replenished', product_name: 'Apples', location: 'A1', quantity: 20 },
  'stock.moved': { type: 'stock.moved', product_name: 'Apples', from: 'A1', to: 'B2', quantity: 3 },
  'stock.sold': { type: 'stock.sold', product_name: 'Apples', location: 'A1', quantity: 2 },
  'stock.destroyed': {
    type: 'stock.destroyed',
    product_name: 'Apples',
    location: 'A1',
    quantity: 1,
    reason: 'rotten',
  },
  'stock.returned': {
    type: 'stock.returned',
    product_name: 'Apples',
    location: 'A1',
    quantity: 2,
    reason: 'wrong size',
  },
  'stock.reversed': { type: 'stock.reversed', product_name: 'Apples', reverses: 'sale-1', reason: 'typo' },
};

describe('stock rule', () => {
  it('given 10 at A1, when A1 is counted at 4, then A1 holds 4 whatever the records said', () => {
    const after = given(counted('A1', 10), EXAMPLES['stock.corrected']);
    expect(after.get('A1')).toBe(4);
    expect(effectsOf(EXAMPLES['stock.corrected'])).toEqual([{ location: 'A1', kind: 'set', amount: 4 }]);
  });

  it('given 10 at A1, when A1 is counted at 0, then A1 is empty', () => {
    expect(given(counted('A1', 10), counted('A1', 0)).get('A1')).toBe(0);
  });

  it('given 10 at A1, when a customer returns 2 there, then A1 holds 12', () => {
    const after = given(counted('A1', 10), EXAMPLES['stock.returned']);
    expect(after.get('A1')).toBe(12);
    expect(effectsOf(EXAMPLES['stock.returned'])).toEqual([{ location: 'A1', kind: 'add', amount: 2 }]);
  });

  it('given 10 at A1, when 20 are delivered there, then A1 holds 30', () => {
    const after = given(counted('A1', 10), EXAMPLES['stock.replenished']);
    expect(after.get('A1')).toBe(30);
    expect(effectsOf(EXAMPLES['stock.replenished'])).toEqual([{ location: 'A1', kind: 'add', amount: 20 }]);
  });

  it('given 10 at A1, when 2 are sold there, then A1 holds 8', () => {
    const after = given(counted('A1', 10), EXAMPLES['stock.sold']);
    expect(after.get('A1')).toBe(8);
    expect(effectsOf(EXAMPLES['stock.sold'])).toEqual([{ location: 'A1', kind: 'add', amount: -2 }]);
  });

  it('given 10 at A1, when 1 is destroyed there, then A1 holds 9', () => {
    const after = given(counted('A1', 10), EXAMPLES['stock.destroyed']);
    expect(after.get('A1')).toBe(9);
    expect(effectsOf(EXAMPLES['stock.destroyed'])).toEqual([{ location: 'A1', kind: 'add', amount: -1 }]);
  });

  it('given 10 at A1, when 3 are moved to B2, then they leave A1 first and arrive at B2; the total stays', () => {
    const after = given(counted('A1', 10), EXAMPLES['stock.moved']);
    expect(after).toEqual(
      new Map([
        ['A1', 7],
        ['B2', 3],
      ]),
    );
    expect(effectsOf(EXAMPLES['stock.moved'])).toEqual([
      { location: 'A1', kind: 'add', amount: -3 },
      { location: 'B2', kind: 'add', amount: 3 },
    ]);
  });

  it('given nothing at A1, when some are sold there, then A1 goes negative: nothing is clamped', () => {
    expect(given(EXAMPLES['stock.sold']).get('A1')).toBe(-2);
    expect(given(EXAMPLES['stock.moved'])).toEqual(
      new Map([
        ['A1', -3],
        ['B2', 3],
      ]),
    );
  });

  it('given the unassigned pool, then it is a location like any other', () => {
    const delivered: StockEvent = {
      type: 'stock.replenished',
      product_name: 'Apples',
      location: UNASSIGNED_LOCATION,
      quantity: 5,
    };
    const shelved: StockEvent = {
      type: 'stock.moved',
      product_name: 'Apples',
      from: UNASSIGNED_LOCATION,
      to: 'A1',
      quantity: 2,
    };
    expect(given(delivered, shelved)).toEqual(
      new Map([
        [UNASSIGNED_LOCATION, 3],
        ['A1', 2],
      ]),
    );
  });

  it.each(STOCK_EVENT_TYPES)('changes only the locations a %s names, and each of them once', (type) => {
    const event = EXAMPLES[type];
    // A reversal names no location: alone, without the event it takes back, it changes nothing.
    const named =
      event.type === 'stock.reversed'
        ? []
        : event.type === 'stock.moved'
          ? [event.from, event.to]
          : [event.location];
    expect(effectsOf(event).map((e) => e.location)).toEqual(named);
  });

  it.each([
    [EXAMPLES['stock.sold'], [{ location: 'A1', kind: 'add', amount: 2 }]],
    [EXAMPLES['stock.returned'], [{ location: 'A1', kind: 'add', amount: -2 }]],
    [
      EXAMPLES['stock.moved'],
      [
        { location: 'A1', kind: 'add', amount: 3 },
        { location: 'B2', kind: 'add', amount: -3 },
      ],
    ],
  ] as const)('given the %o it reverses, then a reversal takes its effect back', (undone, expected) => {
    const slots = stockEffectSlots();
    const count = stockEffects(EXAMPLES['stock.reversed'], slots, undone);
    expect(slots.slice(0, count)).toEqual(expected);
  });

  it('given slots filled by an earlier event, then the next event overwrites what it uses', () => {
    const slots = stockEffectSlots();
    stockEffects(EXAMPLES['stock.moved'], slots);
    expect(stockEffects(EXAMPLES['stock.corrected'], slots)).toBe(1);
    expect(slots[0]).toEqual({ location: 'A1', kind: 'set', amount: 4 });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Every reader of the rule comes to the same numbers, for any history of valid events.

const WAREHOUSES = ['46', '52'] as const;
const PRODUCTS = ['Apples', 'Milk'] as const;
const LOCATIONS = ['A01', 'B01', UNASSIGNED_LOCATION] as const;

const product = fc.constantFrom(...PRODUCTS);
const location = fc.constantFrom(...LOCATIONS);
const quantity = fc.integer({ min: 1, max: 30 });

/** Valid events (docs/architecture.md#the-stock-events), keyed by type so that none is left out. */
const EVENTS: { [T in StockEventType]: fc.Arbitrary<Extract<StockEvent, { type: T }>> } = {
  'stock.corrected': fc
    .record({ product_name: product, location, quantity: fc.integer({ min: 0, max: 30 }) })
    .map((a) => ({ type: 'stock.corrected', ...a })),
  'stock.replenished': fc
    .record({ product_name: product, location, quantity })
    .map((a) => ({ type: 'stock.replenished', ...a })),
  'stock.moved': fc
    .record({ product_name: product, from: location, to: location, quantity })
    .filter((a) => a.from !== a.to)
    .map((a) => ({ type: 'stock.moved', ...a })),
  'stock.sold': fc
    .record({ product_name: product, location, quantity })
    .map((a) => ({ type: 'stock.sold', ...a })),
  'stock.destroyed': fc
    .record({ product_name: product, location, quantity, reason: fc.constantFrom('rotten', 'damaged') })
    .map((a) => ({ type: 'stock.destroyed', ...a })),
  'stock.returned': fc
    .record({ product_name: product, location, quantity, reason: fc.constantFrom('', 'wrong size') })
    .map((a) => ({ type: 'stock.returned', ...a })),
  'stock.reversed': fc
    .record({ product_name: product, reverses: fc.constantFrom('e1', 'e2'), reason: fc.constant('typo') })
    .map((a) => ({ type: 'stock.reversed', ...a })),
};

/**
 * Without reversals: what a reversal does depends on the event it names, which only the ledger and the audit
 * trail look up (undo-memory.test.ts checks that they agree); the views alone and the demo's count do not.
 */
const FOLDED_ALONE = STOCK_EVENT_TYPES.filter((type) => type !== 'stock.reversed');

const history = fc.array(
  fc.record({
    warehouse: fc.constantFrom(...WAREHOUSES),
    event: fc.oneof(...FOLDED_ALONE.map((type) => EVENTS[type] as fc.Arbitrary<StockEvent>)),
  }),
  { maxLength: 60 },
);

type Item = Pick<DemoEvent, 'warehouse' | 'event'>;

const streamOf = (items: readonly Item[]): Decoded[] => {
  const s = new TestStream();
  return items.map(({ warehouse, event }) => s.stock(warehouse, event));
};

/** `<warehouse>/<product>/<location>` → quantity, from each reader's own state. */
function warehouseCells(state: WarehouseStockState): Map<string, number> {
  return new Map(locationRows(state).map((r) => [`${r.warehouse}/${r.product}/${r.location}`, r.quantity]));
}
function procurementCells(state: ProcurementStockState): Map<string, number> {
  const cells = new Map<string, number>();
  for (const [warehouse, products] of state.locations) {
    for (const [product, locations] of products) {
      for (const [at, q] of locations) cells.set(`${warehouse}/${product}/${at}`, q);
    }
  }
  return cells;
}
function demoCells(state: SimulatorState): Map<string, number> {
  const cells = new Map<string, number>();
  for (const [warehouse, products] of Object.entries(state.stock)) {
    for (const [name, locations] of Object.entries(products)) {
      for (const [at, q] of Object.entries(locations)) cells.set(`${warehouse}/${name}/${at}`, q);
    }
  }
  return cells;
}

/** `<warehouse>/<product>` → the sum over its locations, which is what a product's total must be. */
function totals(cells: Map<string, number>): Map<string, number> {
  const sums = new Map<string, number>();
  for (const [cell, q] of cells) {
    const key = cell.slice(0, cell.lastIndexOf('/'));
    sums.set(key, (sums.get(key) ?? 0) + q);
  }
  return sums;
}
function warehouseTotalsOf(state: WarehouseStockState): Map<string, number> {
  const sums = new Map<string, number>();
  for (const [warehouse, products] of state.warehouses) {
    for (const [name, stock] of products) sums.set(`${warehouse}/${name}`, stock.total);
  }
  return sums;
}
function levelsOf(state: ProcurementStockState): Map<string, number> {
  return new Map([...eachStockLevel(state)].map((l) => [`${l.warehouse}/${l.product_name}`, l.quantity]));
}

/** The same figures from the warehouse view, the projector's levels and the demo generator's count. */
function expectAgreement(stock: WarehouseStockState, levels: ProcurementStockState, demo: SimulatorState) {
  const cells = warehouseCells(stock);
  expect(procurementCells(levels)).toEqual(cells);
  expect(demoCells(demo)).toEqual(cells);
  const sums = warehouseTotalsOf(stock);
  expect(totals(cells)).toEqual(sums);
  expect(levelsOf(levels)).toEqual(sums);
}

describe('the readers of the stock rule', () => {
  it('given any history, then the views, the audit trail and the demo count agree after every event', () => {
    fc.assert(
      fc.property(history, (items) => {
        const stream = streamOf(items);
        let stock = warehouseStockView.initialState;
        let levels = procurementStockView.initialState;
        let demo = simulatorState([]);
        /** Per audit scope, the views' figure after each event of its subject: [seq, quantity]. */
        const running = new Map<string, [number, number][]>();
        const note = (scope: AuditScope, seq: number, q: number) => {
          const key = `${scope.warehouse}/${scope.product}/${scope.location ?? '*'}`;
          const series = running.get(key) ?? [];
          series.push([seq, q]);
          running.set(key, series);
        };
        stream.forEach((decoded, i) => {
          if (decoded.kind !== 'stock') throw new Error('only stock events are generated');
          stock = warehouseStockView.evolve(stock, decoded);
          levels = procurementStockView.evolve(levels, decoded);
          demo = simulatorObserve(demo, items[i]!);
          const { warehouse, product, seq } = decoded.meta;
          for (const at of LOCATIONS) {
            note({ warehouse, product, location: at }, seq, locationQuantity(stock, warehouse, product, at));
          }
          note({ warehouse, product, location: null }, seq, productStock(stock, warehouse, product)!.total);
          expectAgreement(stock, levels, demo);
        });

        for (const warehouse of WAREHOUSES) {
          for (const name of PRODUCTS) {
            for (const at of [...LOCATIONS, null]) {
              const trail = auditTrail(stream, { warehouse, product: name, location: at });
              const key = `${warehouse}/${name}/${at ?? '*'}`;
              expect(trail.lines.map((l) => [l.seq, l.balance])).toEqual(running.get(key) ?? []);
            }
          }
        }
        // Folded in one batch, as a replay does (changing its own cells in place), they agree just the same.
        expectAgreement(
          fold(warehouseStockView, stream),
          fold(procurementStockView, stream),
          simulatorState(items),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('given any history and a generated day, when the demo simulates more, then it believes what the views show', () => {
    fc.assert(
      fc.property(history, fc.integer({ min: 1, max: 2 ** 31 - 1 }), (items, seed) => {
        const day = demoHistory({ seed, endMs: END, days: 1 });
        let demo = simulatorState([...items, ...day]);
        const rng = createRng(seed);
        const live: Item[] = [];
        for (let i = 0; i < 200; i++) {
          const step = simulatorStep(demo, rng, END + i * 2000);
          demo = step.state;
          live.push(step.event);
        }
        const stream = streamOf([...items, ...day, ...live]);
        expectAgreement(fold(warehouseStockView, stream), fold(procurementStockView, stream), demo);
      }),
      { numRuns: 100 },
    );
  });
});
