import { TEST_HEADER_NAMES } from './testing';
import { describe, expect, it } from 'vitest';
import {
  CHAIN_PROFILE,
  ChainHistory,
  chainEventId,
  chainFingerprint,
  chainLocationNames,
  chainStartMs,
  parseChainEventId,
  type ChainProfile,
} from './chain-history';
import { decodeStockMessage, encodeStockEvent, type Decoded, type RawMessage } from './codec';
import { createRng, simulatorStep, type DemoEvent } from './demo-history';
import { UNASSIGNED_LOCATION, isToken, stockSubject, type StockEvent } from './events';
import { fold } from './view';
import { locationQuantity, warehouseStockView } from './warehouse-stock';

const NOW = 1_764_351_000_000; // Friday 2025-11-28 17:30 UTC
const HOUR = 3_600_000;
const DAY = 86_400_000;
const OFFSET = 60; // minutes east of UTC

/** A small chain for most tests: quick to generate, with the full chain's whole daily and weekly life. */
const SMALL: ChainProfile = { warehouses: 4, products: 120, locations: 40, events: 60_000, days: 28 };
/** The full chain's density (events per warehouse × product and day) on a twentieth of its pairs. */
const DENSE: ChainProfile = { warehouses: 5, products: 200, locations: 40, events: 100_000, days: 365 };

function chain(profile: ChainProfile = SMALL, seed = 7): ChainHistory {
  return new ChainHistory({
    seed,
    startMs: chainStartMs(NOW, OFFSET, profile.days),
    utcOffsetMinutes: OFFSET,
    profile,
  });
}

function take(history: Iterator<DemoEvent>, count: number): DemoEvent[] {
  const out: DemoEvent[] = [];
  for (let i = 0; i < count; i++) {
    const next = history.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

/** The generators never make a reversal: it would need the id of an event already published. */
function locationsOf(e: StockEvent): string[] {
  if (e.type === 'stock.reversed') throw new Error(`a generator made a reversal of ${e.reverses}`);
  return e.type === 'stock.moved' ? [e.from, e.to] : [e.location];
}

/** The test's own count, apart from the module's: a plain sum per location, and the lowest it ever was. */
function lowestCount(events: Iterable<DemoEvent>): number {
  const at = new Map<string, number>();
  let lowest = 0;
  const add = (key: string, delta: number, set = false): void => {
    const q = set ? delta : (at.get(key) ?? 0) + delta;
    at.set(key, q);
    lowest = Math.min(lowest, q);
  };
  for (const { warehouse, event: e } of events) {
    const key = (location: string): string => `${warehouse}/${e.product_name}/${location}`;
    if (e.type === 'stock.moved') {
      add(key(e.from), -e.quantity);
      add(key(e.to), e.quantity);
    } else if (e.type === 'stock.reversed') throw new Error(`a generator made a reversal of ${e.reverses}`);
    else if (e.type === 'stock.corrected') add(key(e.location), e.quantity, true);
    else if (e.type === 'stock.replenished') add(key(e.location), e.quantity);
    else add(key(e.location), -e.quantity);
  }
  return lowest;
}

describe('the chain history', () => {
  const history = [...chain()];

  it('is deterministic for a seed and differs between seeds', () => {
    expect([...chain()]).toEqual(history);
    expect(take(chain(SMALL, 8), 5_000)).not.toEqual(history.slice(0, 5_000));
  });

  it('holds exactly the events asked for, in time order, from the start to the last local midnight', () => {
    const c = chain();
    expect(history).toHaveLength(SMALL.events);
    const backwards = history.filter((e, i) => i > 0 && e.timestampMs < history[i - 1]!.timestampMs);
    expect(backwards).toEqual([]);
    expect(history[0]!.timestampMs).toBe(c.startMs);
    expect((c.startMs + OFFSET * 60_000) % DAY).toBe(0);
    expect(c.endMs - c.startMs).toBe(SMALL.days * DAY);
    expect(c.endMs).toBeLessThanOrEqual(NOW);
    expect(c.endMs).toBeGreaterThan(NOW - DAY);
    expect(history.at(-1)!.timestampMs).toBeLessThan(c.endMs);
    expect(history.at(-1)!.timestampMs).toBeGreaterThan(c.endMs - 6 * HOUR);
  });

  it('continues after skip exactly as if the skipped events had been handed out', () => {
    for (const at of [0, 1, 500, 12_345, SMALL.events - 1]) {
      const c = chain();
      expect(c.skip(at)).toBe(at);
      expect(c.emitted).toBe(at);
      expect(take(c, 2_000)).toEqual(history.slice(at, at + 2_000));
    }
    const c = chain();
    expect(c.skip(SMALL.events + 10)).toBe(SMALL.events);
    expect(c.next().done).toBe(true);
  });

  it('never takes a location below zero', () => {
    expect(lowestCount(history)).toBe(0);
    expect(lowestCount(chain(DENSE, 3))).toBe(0);
  });

  it('uses subject tokens and aisle-bay locations, positive quantities, and round-trips through the codec', () => {
    const problems: string[] = [];
    const location = /^[AB]\d{2}-\d{2}$/;
    for (const { warehouse, event } of history) {
      const names = [warehouse, event.product_name];
      if (!names.every(isToken)) problems.push(`names ${names.join(' ')}`);
      for (const at of locationsOf(event)) {
        if (at !== UNASSIGNED_LOCATION && !location.test(at)) problems.push(`location ${at}`);
      }
      const least = event.type === 'stock.corrected' ? 0 : 1;
      if (event.type === 'stock.reversed') problems.push(`a reversal of ${event.reverses}`);
      else if (!Number.isSafeInteger(event.quantity) || event.quantity < least) {
        problems.push(`quantity ${event.quantity}`);
      }
    }
    expect(problems.slice(0, 5)).toEqual([]);
    for (let i = 0; i < history.length; i += 97) {
      const { warehouse, event, timestampMs } = history[i]!;
      const wire = encodeStockEvent(warehouse, event, {
        id: `id-${i}`,
        timestampMs,
        names: TEST_HEADER_NAMES,
        user: 'admin',
      });
      const msg: RawMessage = {
        subject: wire.subject,
        seq: i + 1,
        streamTimestampMs: 0,
        header: (name) => wire.headers[name],
        data: new TextEncoder().encode(wire.payload),
      };
      const decoded = decodeStockMessage(msg, TEST_HEADER_NAMES);
      expect(decoded.kind === 'stock' && decoded.event).toEqual(event);
    }
  });

  it('names the full chain plausibly: 50 two-digit warehouses, 2,000 products by category, 40 locations', () => {
    const c = new ChainHistory({ seed: 1, startMs: chainStartMs(NOW, 0, 365), utcOffsetMinutes: 0 });
    expect(c.warehouseIds).toHaveLength(50);
    expect(c.warehouseIds).toContain('46');
    expect(c.warehouseIds).toContain('52');
    expect(new Set(c.productNames).size).toBe(2000);
    expect(c.productNames[0]).toBe('Apples_Gala_0001');
    for (const name of [...c.warehouseIds, ...c.productNames]) {
      expect(isToken(name), name).toBe(true);
      expect(name.length).toBeLessThanOrEqual(64);
    }
    for (const name of c.productNames) expect(name).toMatch(/^[A-Z][A-Za-z]*_[A-Za-z0-9_]+_\d{4}$/);
    expect(c.locationNames).toEqual([UNASSIGNED_LOCATION, ...chainLocationNames(40)]);
    expect(chainLocationNames(40).slice(0, 5)).toEqual(['A01-01', 'A01-02', 'A01-03', 'A01-04', 'A02-01']);
    expect(new Set(chainLocationNames(40)).size).toBe(40);

    // Most products in most warehouses, not all in all.
    const world = c.simulatorWorld();
    let carried = 0;
    for (const w of c.warehouseIds) for (const p of c.productNames) if (world.layout(w, p)) carried++;
    const share = carried / (50 * 2000);
    expect(share).toBeGreaterThan(0.8);
    expect(share).toBeLessThan(0.99);
  });

  it('mixes events roughly as intended at the full chain’s density: mostly sales, then refills and deliveries', () => {
    const counts = new Map<string, number>();
    const reasons = new Set<string>();
    let n = 0;
    for (const { event } of chain(DENSE)) {
      n++;
      counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
      if (event.type === 'stock.destroyed') reasons.add(event.reason);
    }
    const share = (type: string): number => (counts.get(type) ?? 0) / n;
    expect(share('stock.sold')).toBeGreaterThan(0.78);
    expect(share('stock.sold')).toBeLessThan(0.9);
    expect(share('stock.moved')).toBeGreaterThan(0.03);
    expect(share('stock.moved')).toBeLessThan(0.12);
    expect(share('stock.replenished')).toBeGreaterThan(0.02);
    expect(share('stock.replenished')).toBeLessThan(0.1);
    expect(share('stock.corrected')).toBeGreaterThan(0.01);
    expect(share('stock.corrected')).toBeLessThan(0.05);
    expect(share('stock.destroyed')).toBeGreaterThan(0.002);
    expect(share('stock.destroyed')).toBeLessThan(0.01);
    expect(reasons).toEqual(new Set(['rotten', 'damaged']));
  });

  it('follows the daily rhythm: quiet nights, busy late afternoons, busier Saturdays in the shops', () => {
    const perHour = new Array<number>(24).fill(0);
    const perWeekday = new Array<number>(7).fill(0);
    for (const { warehouse, event, timestampMs } of history) {
      if (event.type !== 'stock.sold') continue;
      const local = timestampMs + OFFSET * 60_000;
      perHour[Math.floor(local / HOUR) % 24]! += 1;
      // Warehouse 12 is a depot, the others shops.
      if (warehouse !== '12') perWeekday[(Math.floor(local / DAY) + 4) % 7]! += 1;
    }
    expect(perHour[1]! + perHour[2]! + perHour[3]!).toBeLessThan(perHour[17]! / 20);
    expect(perHour[17]!).toBeGreaterThan(perHour[10]!);
    expect(perWeekday[6]!).toBeGreaterThan(perWeekday[2]!);
    expect(perWeekday[0]!).toBeLessThan(perWeekday[2]!);
  });

  it('ends with a few products low or out, whose supplier stopped, and the rest stocked', () => {
    const c = chain();
    c.skip(SMALL.events);
    const totals = new Map<string, number>();
    for (const cell of c.stockCells()) {
      const key = `${cell.warehouse}.${cell.product}`;
      totals.set(key, (totals.get(key) ?? 0) + cell.quantity);
    }
    const low = [...totals.values()].filter((q) => q < 10).length;
    expect(low).toBeGreaterThanOrEqual(SMALL.warehouses);
    expect(low / totals.size).toBeLessThan(0.1);
  });

  it('keeps a stock count that agrees with the warehouse view folded over any prefix', () => {
    for (const count of [1, 900, 20_000]) {
      const c = chain();
      const events = take(c, count);
      const decoded: Decoded[] = events.map(({ warehouse, event, timestampMs }, i) => ({
        kind: 'stock',
        meta: {
          seq: i + 1,
          subject: stockSubject(warehouse, event.product_name),
          warehouse,
          product: event.product_name,
          id: chainEventId(c.identity, i),
          timestampMs,
        },
        event,
      }));
      const view = fold(warehouseStockView, decoded);
      let cells = 0;
      for (const [warehouse, products] of view.warehouses) {
        for (const [product, stock] of products) {
          for (const [location, cell] of stock.locations) {
            cells++;
            expect(c.quantity(warehouse, product, location), `${warehouse}/${product}/${location}`).toBe(
              cell.quantity,
            );
          }
        }
      }
      for (const cell of c.stockCells()) {
        expect(locationQuantity(view, cell.warehouse, cell.product, cell.location)).toBe(cell.quantity);
      }
      expect(cells).toBeGreaterThan(0);
    }
  });

  it('holds nothing that grows with the number of events', () => {
    // The same chain at the same rate, one four times as long: the same stock cells, the same bound on an hour.
    const short = chain({ ...SMALL, events: 50_000, days: 10 });
    const long = chain({ ...SMALL, events: 200_000, days: 40 });
    short.skip(Infinity);
    long.skip(Infinity);
    expect(long.emitted).toBe(200_000);
    const a = short.footprint();
    const b = long.footprint();
    expect(b.stockCells).toBe(a.stockCells);
    expect(b.stockCells).toBe(4 * 120 * 41);
    expect(b.planCapacity).toBeLessThanOrEqual(2 * a.planCapacity);
    expect(b.planCapacity).toBeLessThan(10_000);
  });
});

describe('chain event ids', () => {
  const identity = {
    fingerprint: chainFingerprint(7, SMALL),
    startMs: chainStartMs(NOW, OFFSET, 28),
    utcOffsetMinutes: OFFSET,
  };

  it('are UUID-shaped, one per index, and say which chain and which event they are', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => chainEventId(identity, i * 9_999));
    expect(new Set(ids).size).toBe(1000);
    for (const [i, id] of ids.entries()) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(parseChainEventId(id)).toEqual({ ...identity, index: i * 9_999 });
    }
    expect(parseChainEventId(chainEventId(identity, CHAIN_PROFILE.events - 1))?.index).toBe(9_999_999);
  });

  it('carry zones west and east of UTC, and refuse ids that are not a chain’s', () => {
    for (const offset of [-720, -210, 0, 345, 840]) {
      const startMs = chainStartMs(NOW, offset, 365);
      expect((startMs + offset * 60_000) % DAY).toBe(0);
      const parsed = parseChainEventId(chainEventId({ ...identity, startMs, utcOffsetMinutes: offset }, 3));
      expect(parsed).toMatchObject({ startMs, utcOffsetMinutes: offset, index: 3 });
    }
    expect(parseChainEventId('6f1c4e0a-2b7d-4c1e-9a3f-5d8e7b6a4c21')).toBeUndefined();
    expect(parseChainEventId('seq:12')).toBeUndefined();
  });

  it('tell chains of another seed or size apart', () => {
    const fingerprints = new Set([
      chainFingerprint(7, SMALL),
      chainFingerprint(8, SMALL),
      chainFingerprint(7, { ...SMALL, events: SMALL.events + 1 }),
      chainFingerprint(7, { ...SMALL, warehouses: 5 }),
      chainFingerprint(7, CHAIN_PROFILE),
    ]);
    expect(fingerprints.size).toBe(5);
  });
});

describe('the simulator in a chain', () => {
  it('picks among the chain’s warehouses and carried products, from its end state, without going below zero', () => {
    const c = chain();
    const history = take(c, SMALL.events);
    const world = c.simulatorWorld();
    let state = c.simulatorState();
    const rng = createRng(5);
    const live: DemoEvent[] = [];
    for (let i = 0; i < 3_000; i++) {
      const step = simulatorStep(state, rng, NOW + i * 2000, world);
      state = step.state;
      live.push(step.event);
    }
    for (const { warehouse, event } of live) {
      expect(c.warehouseIds).toContain(warehouse);
      expect(world.layout(warehouse, event.product_name)).toBeDefined();
    }
    expect(new Set(live.map((e) => e.warehouse)).size).toBe(SMALL.warehouses);
    expect(live.filter((e) => e.event.type === 'stock.sold').length / live.length).toBeGreaterThan(0.6);
    expect(lowestCount([...history, ...live])).toBe(0);
  });
});
