import { describe, expect, it } from 'vitest';
import {
  DEMO_LOCATIONS,
  DEMO_PRODUCTS,
  DEMO_WAREHOUSES,
  createRng,
  demoHistory,
  simulatorObserve,
  simulatorState,
  simulatorStep,
  simulatorStepInPlace,
  type DemoEvent,
  type SimulatorState,
} from './demo-history';
import { UNASSIGNED_LOCATION, isToken, type StockEvent } from './events';
import { decodeStockMessage, encodeStockEvent, type RawMessage } from './codec';
import { TEST_HEADER_NAMES } from './testing';

const END = 1_764_351_000_000; // Friday 2025-11-28 17:30 UTC
const HOUR = 3_600_000;
const DAY = 86_400_000;
// The core may not use Date; plain arithmetic on UTC milliseconds does the same here.
const utcHour = (ms: number): number => Math.floor(ms / HOUR) % 24;
const utcWeekday = (ms: number): number => (Math.floor(ms / DAY) + 4) % 7; // 1970-01-01 was a Thursday

/** The test's own fold, deliberately independent of the module's: a plain sum per location. */
function fold(events: readonly Pick<DemoEvent, 'warehouse' | 'event'>[]): {
  byLocation: Map<string, number>;
  minimum: { key: string; quantity: number };
} {
  const byLocation = new Map<string, number>();
  let minimum = { key: '', quantity: 0 };
  const add = (warehouse: string, product: string, location: string, delta: number, set = false): void => {
    const key = `${warehouse}/${product}/${location}`;
    const quantity = set ? delta : (byLocation.get(key) ?? 0) + delta;
    byLocation.set(key, quantity);
    if (quantity < minimum.quantity) minimum = { key, quantity };
  };
  for (const { warehouse, event: e } of events) {
    if (e.type === 'stock.moved') {
      add(warehouse, e.product_name, e.from, -e.quantity);
      add(warehouse, e.product_name, e.to, e.quantity);
    } else if (e.type === 'stock.reversed') throw new Error(`a generator made a reversal of ${e.reverses}`);
    else if (e.type === 'stock.corrected') add(warehouse, e.product_name, e.location, e.quantity, true);
    else if (e.type === 'stock.replenished') add(warehouse, e.product_name, e.location, e.quantity);
    else add(warehouse, e.product_name, e.location, -e.quantity);
  }
  return { byLocation, minimum };
}

function totalsPerProduct(byLocation: Map<string, number>): Map<string, number> {
  const totals = new Map<string, number>();
  for (const [key, q] of byLocation) {
    const [warehouse, product] = key.split('/');
    const k = `${warehouse}.${product}`;
    totals.set(k, (totals.get(k) ?? 0) + q);
  }
  return totals;
}

/** The generators never make a reversal: it would need the id of an event already published. */
function locationsOf(e: StockEvent): string[] {
  if (e.type === 'stock.reversed') throw new Error(`a generator made a reversal of ${e.reverses}`);
  return e.type === 'stock.moved' ? [e.from, e.to] : [e.location];
}

describe('demoHistory', () => {
  const history = demoHistory({ seed: 7, endMs: END });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(demoHistory({ seed: 7, endMs: END })).toEqual(history);
    expect(demoHistory({ seed: 8, endMs: END })).not.toEqual(history);
  });

  it('holds some thousands of events, sorted, within the requested week', () => {
    expect(history.length).toBeGreaterThan(3_000);
    expect(history.length).toBeLessThan(40_000);
    for (let i = 1; i < history.length; i++) {
      expect(history[i]!.timestampMs).toBeGreaterThanOrEqual(history[i - 1]!.timestampMs);
    }
    expect(history[0]!.timestampMs).toBeGreaterThanOrEqual(END - 7 * DAY - HOUR);
    expect(history.at(-1)!.timestampMs).toBeLessThanOrEqual(END);
    expect(history.at(-1)!.timestampMs).toBeGreaterThan(END - DAY);
  });

  it.each([1, 2, 3, 99, 2024])('never takes a location below zero (seed %i)', (seed) => {
    const { minimum } = fold(demoHistory({ seed, endMs: END - seed * HOUR }));
    expect(minimum).toEqual({ key: '', quantity: 0 });
  });

  it('uses valid subject tokens, positive quantities, and round-trips through the codec', () => {
    let seq = 0;
    for (const { warehouse, event, timestampMs } of history) {
      expect(isToken(warehouse)).toBe(true);
      expect(isToken(event.product_name)).toBe(true);
      for (const location of locationsOf(event)) {
        expect(location === UNASSIGNED_LOCATION || isToken(location)).toBe(true);
        expect(location === UNASSIGNED_LOCATION || DEMO_LOCATIONS.includes(location)).toBe(true);
      }
      if (event.type === 'stock.reversed') throw new Error('the demo made a reversal');
      expect(Number.isSafeInteger(event.quantity)).toBe(true);
      expect(event.quantity).toBeGreaterThanOrEqual(event.type === 'stock.corrected' ? 0 : 1);
      const wire = encodeStockEvent(warehouse, event, {
        names: TEST_HEADER_NAMES,
        user: 'admin',
        id: `id-${seq}`,
        timestampMs,
      });
      const msg: RawMessage = {
        subject: wire.subject,
        seq: ++seq,
        streamTimestampMs: 0,
        header: (name) => wire.headers[name],
        data: new TextEncoder().encode(wire.payload),
      };
      const decoded = decodeStockMessage(msg, TEST_HEADER_NAMES);
      expect(decoded.kind).toBe('stock');
      if (decoded.kind === 'stock') {
        expect(decoded.event).toEqual(event);
        expect(decoded.meta.timestampMs).toBe(timestampMs);
      }
    }
  });

  it('covers both warehouses, ~25 products, ~20 locations and all five event types', () => {
    expect(new Set(history.map((e) => e.warehouse))).toEqual(new Set(DEMO_WAREHOUSES.map((w) => w.id)));
    const products = new Set(history.map((e) => e.event.product_name));
    expect(products.size).toBe(DEMO_PRODUCTS.length);
    expect(products.size).toBeGreaterThanOrEqual(20);
    const locations = new Set(history.flatMap((e) => locationsOf(e.event)));
    expect(locations.size).toBeGreaterThanOrEqual(18);
    const types = new Set(history.map((e) => e.event.type));
    expect([...types].sort()).toEqual([
      'stock.corrected',
      'stock.destroyed',
      'stock.moved',
      'stock.replenished',
      'stock.sold',
    ]);
    const sold = history.filter((e) => e.event.type === 'stock.sold').length;
    expect(sold / history.length).toBeGreaterThan(0.6);
  });

  it('destroys a few lots as rotten or damaged', () => {
    const reasons = history.flatMap((e) => (e.event.type === 'stock.destroyed' ? [e.event.reason] : []));
    expect(reasons.length).toBeGreaterThanOrEqual(3);
    expect(reasons.length).toBeLessThan(100);
    expect(new Set(reasons)).toEqual(new Set(['rotten', 'damaged']));
  });

  it('ends with some products out of stock and some low but not out', () => {
    const totals = [...totalsPerProduct(fold(history).byLocation).values()];
    expect(totals.filter((q) => q === 0).length).toBeGreaterThanOrEqual(1);
    expect(totals.filter((q) => q > 0 && q < 10).length).toBeGreaterThanOrEqual(1);
  });

  it.each([0, 1, 2, 3, 4, 5, 6])(
    'leaves a handful of products low or out and the rest stocked, whatever the weekday (end + %i days)',
    (days) => {
      const history = demoHistory({ seed: 11 + days, endMs: END + days * DAY });
      const low = [...totalsPerProduct(fold(history).byLocation).values()].filter((q) => q < 10).length;
      expect(low).toBeGreaterThanOrEqual(3);
      expect(low).toBeLessThanOrEqual(10);
    },
  );

  it('follows a daily rhythm: quiet nights, a busy late afternoon, a busier Saturday in 46', () => {
    const longer = demoHistory({ seed: 5, endMs: END, days: 14 });
    const perHour = new Array<number>(24).fill(0);
    const perWeekday = new Array<number>(7).fill(0);
    for (const { warehouse, event, timestampMs } of longer) {
      if (warehouse !== '46' || event.type !== 'stock.sold') continue;
      perHour[utcHour(timestampMs)]! += 1;
      perWeekday[utcWeekday(timestampMs)]! += 1;
    }
    const night = perHour[1]! + perHour[2]! + perHour[3]! + perHour[4]!;
    expect(night).toBeLessThan(perHour[17]! / 20);
    expect(perHour[17]!).toBeGreaterThan(perHour[10]!);
    expect(perWeekday[6]!).toBeGreaterThan(perWeekday[2]!);
    expect(perWeekday[0]!).toBeLessThan(perWeekday[2]!);
  });

  it('shifts the rhythm to local time', () => {
    const local = demoHistory({ seed: 5, endMs: END, utcOffsetMinutes: 120 });
    const busiest = (events: DemoEvent[], offsetMs: number): number => {
      const perHour = new Array<number>(24).fill(0);
      for (const e of events)
        if (e.event.type === 'stock.sold') perHour[utcHour(e.timestampMs + offsetMs)]! += 1;
      return perHour.indexOf(Math.max(...perHour));
    };
    expect(busiest(local, 0)).toBe(busiest(history, 0) - 2);
    expect(busiest(local, 7_200_000)).toBe(busiest(history, 0));
  });
});

describe('simulatorStep', () => {
  const run = (state: SimulatorState, seed: number, steps: number): DemoEvent[] => {
    const rng = createRng(seed);
    const out: DemoEvent[] = [];
    for (let i = 0; i < steps; i++) {
      const step = simulatorStep(state, rng, END + i * 2000);
      state = step.state;
      out.push(step.event);
    }
    return out;
  };

  it('in place, makes the same events and leaves the same state as step by step', () => {
    const history = demoHistory({ seed: 5, endMs: END });
    const copied = run(simulatorState(history), 6, 2_000);
    const owned = simulatorState(history);
    const rng = createRng(6);
    const inPlace = Array.from({ length: 2_000 }, (_, i) => simulatorStepInPlace(owned, rng, END + i * 2000));
    expect(inPlace).toEqual(copied);
    expect(owned).toEqual(simulatorState([...history, ...copied]));
  });

  it('continues from the history without ever going negative, stamping events with now', () => {
    const history = demoHistory({ seed: 3, endMs: END });
    const live = run(simulatorState(history), 3, 5_000);
    expect(live.map((e) => e.timestampMs)).toEqual(live.map((_, i) => END + i * 2000));
    expect(fold([...history, ...live]).minimum).toEqual({ key: '', quantity: 0 });
  });

  it('mostly sells, and restocks products that ran out', () => {
    const history = demoHistory({ seed: 3, endMs: END });
    const before = totalsPerProduct(fold(history).byLocation);
    const live = run(simulatorState(history), 4, 5_000);
    const counts = new Map<string, number>();
    for (const e of live) counts.set(e.event.type, (counts.get(e.event.type) ?? 0) + 1);
    expect(counts.get('stock.sold')! / live.length).toBeGreaterThan(0.6);
    expect(counts.get('stock.replenished')).toBeGreaterThan(0);
    const out = [...before].filter(([, q]) => q === 0).map(([k]) => k);
    expect(out.length).toBeGreaterThan(0);
    const restocked = new Set(
      live
        .filter((e) => e.event.type === 'stock.replenished')
        .map((e) => `${e.warehouse}.${e.event.product_name}`),
    );
    expect(out.some((k) => restocked.has(k))).toBe(true);
  });

  it('starts from nothing with deliveries, and respects stock sold by someone else', () => {
    const empty = simulatorState([]);
    const [first] = run(empty, 1, 1);
    expect(first!.event.type).toBe('stock.replenished');

    let state = simulatorState(demoHistory({ seed: 9, endMs: END }));
    const before = state;
    // Someone empties every location: the simulator must not sell from it afterwards.
    for (const [warehouse, products] of Object.entries(state.stock)) {
      for (const [product, locations] of Object.entries(products)) {
        for (const [location, quantity] of Object.entries(locations)) {
          if (quantity > 0) {
            state = simulatorObserve(state, {
              warehouse,
              event: { type: 'stock.sold', product_name: product, location, quantity },
            });
          }
        }
      }
    }
    expect(before.stock['46']).not.toBe(state.stock['46']);
    const step = simulatorStep(state, createRng(2), END);
    expect(step.event.event.type).toBe('stock.replenished');
  });
});
