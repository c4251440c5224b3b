/**
 * Demo data: a week of plausible warehouse life and a gentle live simulator, both deterministic for a
 * given seed. Pure: the caller supplies the end time, the clock and the random source's seed.
 *
 * The history is generated hour by hour against a running stock count, so every sale, move or
 * destruction only takes what a location holds; no location ever goes below zero.
 */
import { upperBound } from './upper-bound';
import { UNASSIGNED_LOCATION, type ReversibleEvent, type StockEvent } from './events';
import { applyStockEffect, stockEffectSlots, stockEffects } from './stock-rule';

export interface DemoEvent {
  warehouse: string;
  event: StockEvent;
  timestampMs: number;
}

/** Uniform in [0, 1). */
export type Rng = () => number;

/** mulberry32: tiny, fast and good enough to make demo data look random while staying reproducible. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoProduct {
  name: string;
  /** Units an average day sells in warehouse 46 (warehouse 52 sells a share of that). */
  unitsPerDay: number;
  /** Largest quantity one sale takes. */
  maxPerSale: number;
  /** Units per delivery. */
  caseQuantity: number;
  perishable: boolean;
}

export const DEMO_PRODUCTS: readonly DemoProduct[] = [
  { name: 'Apples', unitsPerDay: 120, maxPerSale: 6, caseQuantity: 240, perishable: true },
  { name: 'Oranges', unitsPerDay: 90, maxPerSale: 6, caseQuantity: 200, perishable: true },
  { name: 'Bananas', unitsPerDay: 140, maxPerSale: 7, caseQuantity: 300, perishable: true },
  { name: 'Pears', unitsPerDay: 50, maxPerSale: 4, caseQuantity: 120, perishable: true },
  { name: 'Strawberries', unitsPerDay: 60, maxPerSale: 3, caseQuantity: 96, perishable: true },
  { name: 'Tomatoes', unitsPerDay: 80, maxPerSale: 5, caseQuantity: 160, perishable: true },
  { name: 'Potatoes', unitsPerDay: 70, maxPerSale: 3, caseQuantity: 120, perishable: false },
  { name: 'Carrots', unitsPerDay: 60, maxPerSale: 3, caseQuantity: 120, perishable: true },
  { name: 'Onions', unitsPerDay: 50, maxPerSale: 3, caseQuantity: 100, perishable: false },
  { name: 'Lettuce', unitsPerDay: 40, maxPerSale: 2, caseQuantity: 72, perishable: true },
  { name: 'Milk', unitsPerDay: 160, maxPerSale: 4, caseQuantity: 288, perishable: true },
  { name: 'Butter', unitsPerDay: 50, maxPerSale: 2, caseQuantity: 96, perishable: false },
  { name: 'Eggs', unitsPerDay: 80, maxPerSale: 2, caseQuantity: 120, perishable: false },
  { name: 'Cheddar', unitsPerDay: 30, maxPerSale: 2, caseQuantity: 60, perishable: false },
  { name: 'Yogurt', unitsPerDay: 90, maxPerSale: 6, caseQuantity: 192, perishable: true },
  { name: 'Bread', unitsPerDay: 120, maxPerSale: 2, caseQuantity: 160, perishable: true },
  { name: 'Rice', unitsPerDay: 30, maxPerSale: 2, caseQuantity: 80, perishable: false },
  { name: 'Pasta', unitsPerDay: 60, maxPerSale: 4, caseQuantity: 120, perishable: false },
  { name: 'Flour', unitsPerDay: 20, maxPerSale: 2, caseQuantity: 60, perishable: false },
  { name: 'Sugar', unitsPerDay: 20, maxPerSale: 2, caseQuantity: 60, perishable: false },
  { name: 'Olive_Oil', unitsPerDay: 16, maxPerSale: 2, caseQuantity: 48, perishable: false },
  { name: 'Coffee', unitsPerDay: 40, maxPerSale: 2, caseQuantity: 80, perishable: false },
  { name: 'Tea', unitsPerDay: 20, maxPerSale: 2, caseQuantity: 60, perishable: false },
  { name: 'Orange_Juice', unitsPerDay: 60, maxPerSale: 3, caseQuantity: 120, perishable: true },
  { name: 'Chocolate', unitsPerDay: 70, maxPerSale: 4, caseQuantity: 144, perishable: false },
];

interface WarehouseProfile {
  id: string;
  /** Share of warehouse 46's demand. */
  scale: number;
  /** Relative demand per local hour 0–23; nights are quiet but not always silent (online orders). */
  hourWeights: readonly number[];
  /** Demand factor per weekday, Sunday first. */
  dayFactors: readonly number[];
  /** Weekdays (Sunday = 0) on which the supplier delivers. */
  deliveryDays: readonly number[];
  /** Products kept without locations, in the warehouse's unassigned pool. */
  pooled: readonly string[];
}

// Busy late afternoon, a lunch bump, near-silent nights.
const STORE_HOURS = [
  0.01, 0, 0, 0, 0, 0.01, 0.05, 0.3, 0.5, 0.6, 0.7, 0.9, 1.1, 0.9, 0.7, 0.9, 1.4, 1.8, 1.7, 1.2, 0.7, 0.4,
  0.1, 0.02,
];
const DEPOT_HOURS = [
  0.02, 0.01, 0.01, 0.01, 0.02, 0.1, 0.4, 0.8, 1.0, 1.1, 1.1, 1.0, 0.8, 0.9, 1.1, 1.3, 1.5, 1.4, 1.0, 0.6,
  0.3, 0.1, 0.05, 0.03,
];

export const DEMO_WAREHOUSES: readonly WarehouseProfile[] = [
  {
    id: '46',
    scale: 1,
    hourWeights: STORE_HOURS,
    dayFactors: [0.45, 0.9, 0.95, 1, 1.05, 1.25, 1.5],
    deliveryDays: [1, 2, 3, 4, 5, 6],
    pooled: [],
  },
  {
    id: '52',
    scale: 0.6,
    hourWeights: DEPOT_HOURS,
    dayFactors: [0.2, 1.1, 1, 1, 1.05, 1.1, 0.7],
    deliveryDays: [1, 2, 3, 4, 5],
    pooled: ['Coffee', 'Tea'],
  },
];

const SHELVES = Array.from({ length: 12 }, (_, i) => `A${String(i + 1).padStart(2, '0')}`);
const BACK_ROOM = Array.from({ length: 8 }, (_, i) => `B${String(i + 1).padStart(2, '0')}`);
/** Every location the demo uses (besides the unassigned pool). */
export const DEMO_LOCATIONS: readonly string[] = [...SHELVES, ...BACK_ROOM];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Where a product lives: a shelf it is sold from and a back-room location deliveries go to. */
function productLayout(warehouse: string, product: string): { shelf: string; back: string } {
  const profile = DEMO_WAREHOUSES.find((w) => w.id === warehouse);
  if (profile?.pooled.includes(product)) return { shelf: UNASSIGNED_LOCATION, back: UNASSIGNED_LOCATION };
  const index = Math.max(
    0,
    DEMO_PRODUCTS.findIndex((p) => p.name === product),
  );
  const offset = warehouse === '46' ? 0 : 5;
  return {
    shelf: SHELVES[(index + offset) % SHELVES.length] ?? 'A01',
    back: BACK_ROOM[(index + offset) % BACK_ROOM.length] ?? 'B01',
  };
}

/** Stock per warehouse → product → location. */
type StockByLocation = Record<string, Record<string, Record<string, number>>>;

function locationsOf(stock: StockByLocation, warehouse: string, product: string): Record<string, number> {
  const byProduct = (stock[warehouse] ??= {});
  return (byProduct[product] ??= {});
}

const effects = stockEffectSlots();

/**
 * Applies one event to a mutable stock count, by the rule every view applies (stock-rule.ts); `undone` is what a
 * reversal takes back, as the ledger resolved it.
 */
function applyToStock(
  stock: StockByLocation,
  warehouse: string,
  event: StockEvent,
  undone?: ReversibleEvent,
): void {
  const at = locationsOf(stock, warehouse, event.product_name);
  const count = stockEffects(event, effects, undone);
  for (let i = 0; i < count; i++) {
    const effect = effects[i]!;
    at[effect.location] = applyStockEffect(at[effect.location] ?? 0, effect);
  }
}

function total(locations: Record<string, number> | undefined): number {
  let sum = 0;
  for (const q of Object.values(locations ?? {})) sum += q;
  return sum;
}

function intBetween(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** Poisson draw (Knuth): fine for the small means of the demos (a few dozen at most). */
export function poisson(rng: Rng, mean: number): number {
  if (mean <= 0) return 0;
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng();
  while (p > limit) {
    k++;
    p *= rng();
  }
  return k;
}

function averageSale(product: DemoProduct): number {
  return (1 + product.maxPerSale) / 2;
}

/** Weekday (Sunday = 0) and hour of a local time given as ms since epoch plus the zone offset. */
function localCalendar(localMs: number): { weekday: number; hour: number } {
  const days = Math.floor(localMs / DAY_MS);
  return { weekday: (((days + 4) % 7) + 7) % 7, hour: Math.floor((localMs - days * DAY_MS) / HOUR_MS) };
}

/** Expected demand between two local times, in average days of demand. */
function demandDays(warehouse: WarehouseProfile, fromLocalMs: number, toLocalMs: number): number {
  const perDay = sum(warehouse.hourWeights);
  let days = 0;
  for (let t = fromLocalMs; t < toLocalMs; t += HOUR_MS) {
    const { weekday, hour } = localCalendar(t);
    days += (warehouse.hourWeights[hour]! / perDay) * warehouse.dayFactors[weekday]!;
  }
  return days;
}

/** The delivery after the next one (deliveries arrive at 07:00 on the supplier's days). */
function followingDelivery(warehouse: WarehouseProfile, localMs: number): number {
  let found = 0;
  let day = Math.floor(localMs / DAY_MS) * DAY_MS;
  for (let i = 0; i < 14; i++) {
    day += DAY_MS;
    if (!warehouse.deliveryDays.includes(localCalendar(day).weekday)) continue;
    if (++found === 2) return day + 7 * HOUR_MS;
  }
  return localMs + 2 * DAY_MS;
}

export interface DemoHistoryOptions {
  seed: number;
  /** The last moment of the history, ms since epoch; events are all at or before it. */
  endMs: number;
  days?: number;
  /** Minutes to add to UTC for the local calendar (busy afternoons, weekends); 0 = UTC. */
  utcOffsetMinutes?: number;
}

interface Plan {
  warehouse: WarehouseProfile;
  product: DemoProduct;
  shelf: string;
  back: string;
  /** Units sold on an average day here. */
  dailyUnits: number;
  shelfCapacity: number;
  /** From this time on the supplier delivers nothing: the product runs low or out. */
  supplierStopsMs: number;
  /**
   * Sales never take the product's total below this: a product whose supplier stopped ends with a few
   * units (low) rather than none (out), so procurement sees both.
   */
  keep: number;
}

/** A week (by default) of demo events for warehouses 46 and 52, sorted by time. */
export function demoHistory(options: DemoHistoryOptions): DemoEvent[] {
  const days = options.days ?? 7;
  const offsetMs = (options.utcOffsetMinutes ?? 0) * 60_000;
  const rng = createRng(options.seed);
  const endMs = Math.trunc(options.endMs);
  // Whole local hours make the daily rhythm line up with the clock on the wall.
  const startMs = Math.floor((endMs - days * DAY_MS + offsetMs) / HOUR_MS) * HOUR_MS - offsetMs;
  const stock: StockByLocation = {};
  const out: DemoEvent[] = [];

  const plans: Plan[] = [];
  for (const warehouse of DEMO_WAREHOUSES) {
    // A few products per warehouse whose supplier goes quiet, so procurement has alerts to show: the
    // first runs out, the others end low.
    const stopping: string[] = [];
    while (stopping.length < 3) {
      const name = DEMO_PRODUCTS[Math.floor(rng() * DEMO_PRODUCTS.length)]!.name;
      if (!stopping.includes(name)) stopping.push(name);
    }
    for (const product of DEMO_PRODUCTS) {
      const dailyUnits = product.unitsPerDay * warehouse.scale;
      const { shelf, back } = productLayout(warehouse.id, product.name);
      const stops = stopping.indexOf(product.name);
      const stopsAfterDays = stops >= 0 ? days - 3.5 - rng() * 1.5 : Infinity;
      plans.push({
        warehouse,
        product,
        shelf,
        back,
        dailyUnits,
        shelfCapacity: Math.ceil(dailyUnits * 0.8),
        supplierStopsMs: startMs + stopsAfterDays * DAY_MS,
        keep: stops > 0 ? intBetween(rng, 2, 8) : 0,
      });
    }
  }

  // Opening stocktake: every product counted on its shelf and in the back room.
  const opening: Intent[] = [];
  for (const plan of plans) {
    const shelfCount = intBetween(rng, Math.ceil(plan.shelfCapacity * 0.5), plan.shelfCapacity);
    const backCount = Math.round(plan.dailyUnits * (1.5 + rng() * 2));
    const count = (location: string, quantity: number, t: number): void => {
      opening.push({
        warehouse: plan.warehouse.id,
        timestampMs: t,
        event: { type: 'stock.corrected', product_name: plan.product.name, location, quantity },
      });
    };
    const t = startMs + Math.floor(rng() * 10 * 60_000);
    if (plan.shelf === plan.back) {
      count(plan.shelf, shelfCount + backCount, t);
    } else {
      count(plan.shelf, shelfCount, t);
      count(plan.back, backCount, t + 1000);
    }
  }
  commit(opening, stock, out);

  /** Quantities ordered but not yet delivered. */
  const ordered = new Map<Plan, number>();

  for (let hourStart = startMs + HOUR_MS; hourStart < endMs; hourStart += HOUR_MS) {
    const { weekday, hour } = localCalendar(hourStart + offsetMs);
    const pending: Intent[] = [];
    for (const plan of plans) {
      const { warehouse, product } = plan;
      const product_name = product.name;
      const at = (minMinute: number, maxMinute: number): number =>
        Math.min(endMs, hourStart + intBetween(rng, minMinute * 60_000, maxMinute * 60_000 - 1));
      const add = (event: StockEvent, timestampMs: number, extra: Partial<Intent> = {}): void => {
        pending.push({ warehouse: warehouse.id, event, timestampMs, ...extra });
      };
      const hourShare = warehouse.hourWeights[hour]! / sum(warehouse.hourWeights);
      const expectedUnits = plan.dailyUnits * hourShare * warehouse.dayFactors[weekday]!;
      const sales = poisson(rng, expectedUnits / averageSale(product));
      for (let i = 0; i < sales; i++) {
        const quantity = intBetween(rng, 1, product.maxPerSale);
        add({ type: 'stock.sold', product_name, location: plan.shelf, quantity }, at(0, 60), {
          keep: plan.keep,
        });
      }
      // Morning delivery of what was ordered the evening before, on the supplier's days.
      if (
        hour === 7 &&
        ordered.has(plan) &&
        warehouse.deliveryDays.includes(weekday) &&
        hourStart < plan.supplierStopsMs
      ) {
        const quantity = ordered.get(plan)!;
        ordered.delete(plan);
        add({ type: 'stock.replenished', product_name, location: plan.back, quantity }, at(0, 40));
      }
      // Shelves are refilled from the back room a few times a day.
      if ((hour === 8 || hour === 13 || hour === 17) && plan.shelf !== plan.back) {
        add({ type: 'stock.moved', product_name, from: plan.back, to: plan.shelf, quantity: 1 }, at(40, 60), {
          fillTo: plan.shelfCapacity,
          below: plan.shelfCapacity * 0.7,
        });
      }
      // Early-morning spot checks find a little shrinkage now and then.
      if (hour === 6 && rng() < 0.08) {
        const drift = rng() < 0.8 ? -intBetween(rng, 1, 3) : intBetween(rng, 1, 2);
        add({ type: 'stock.corrected', product_name, location: plan.shelf, quantity: 0 }, at(0, 50), {
          drift,
        });
      }
      if (product.perishable && hour === 21 && rng() < 0.06) {
        const quantity = intBetween(rng, 2, 12);
        add(
          { type: 'stock.destroyed', product_name, location: plan.shelf, quantity, reason: 'rotten' },
          at(0, 50),
        );
      }
      if (hour === 10 && rng() < 0.015) {
        const quantity = intBetween(rng, 1, product.maxPerSale * 2);
        add(
          { type: 'stock.destroyed', product_name, location: plan.back, quantity, reason: 'damaged' },
          at(0, 50),
        );
      }
    }
    commit(pending, stock, out);
    // Orders go out in the evening. What arrives with the next delivery must last until the one after
    // it (a Saturday order for warehouse 46 has to carry the shop through Sunday), with a margin.
    if (hour === 20) {
      for (const warehouse of DEMO_WAREHOUSES) {
        const cover =
          1.3 *
          demandDays(warehouse, hourStart + offsetMs, followingDelivery(warehouse, hourStart + offsetMs));
        for (const plan of plans) {
          if (plan.warehouse !== warehouse || ordered.has(plan)) continue;
          const inStock = total(stock[warehouse.id]?.[plan.product.name]);
          const wanted = plan.dailyUnits * (cover + 1) - inStock;
          if (inStock >= plan.dailyUnits * cover || wanted <= 0) continue;
          ordered.set(plan, Math.ceil(wanted / plan.product.caseQuantity) * plan.product.caseQuantity);
        }
      }
    }
  }
  return out;
}

/** An event as planned, before it meets the stock it acts on. */
interface Intent extends DemoEvent {
  /** A recount: the counted quantity is the current one plus this drift. */
  drift?: number;
  /** A shelf refill: move up to this many in total, only when the shelf holds fewer than `below`. */
  fillTo?: number;
  below?: number;
  /** A sale: leave at least this many units of the product in the warehouse. */
  keep?: number;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/**
 * Applies planned events in time order, trimming each to what its location holds: a sale of 5 from a
 * shelf holding 3 sells 3, a sale from an empty shelf does not happen.
 */
function commit(pending: Intent[], stock: StockByLocation, out: DemoEvent[]): void {
  pending.sort((a, b) => a.timestampMs - b.timestampMs);
  for (const { drift, fillTo, below, keep, ...item } of pending) {
    const event = feasible(stock[item.warehouse]?.[item.event.product_name] ?? {}, item.event, {
      drift,
      fillTo,
      below,
      keep,
    });
    if (!event) continue;
    applyToStock(stock, item.warehouse, event);
    out.push({ ...item, event });
  }
}

function feasible(
  at: Record<string, number>,
  event: StockEvent,
  plan: Pick<Intent, 'drift' | 'fillTo' | 'below' | 'keep'>,
): StockEvent | undefined {
  switch (event.type) {
    case 'stock.replenished':
    case 'stock.returned':
      return event;
    case 'stock.corrected': {
      if (plan.drift === undefined) return event;
      const current = at[event.location] ?? 0;
      const quantity = Math.max(0, current + plan.drift);
      return quantity === current ? undefined : { ...event, quantity };
    }
    case 'stock.moved': {
      const onShelf = at[event.to] ?? 0;
      if (plan.below !== undefined && onShelf >= plan.below) return undefined;
      const wanted = plan.fillTo === undefined ? event.quantity : plan.fillTo - onShelf;
      const quantity = Math.min(wanted, at[event.from] ?? 0);
      return quantity > 0 ? { ...event, quantity } : undefined;
    }
    case 'stock.sold':
    case 'stock.destroyed': {
      const spare = total(at) - (plan.keep ?? 0);
      const quantity = Math.min(event.quantity, at[event.location] ?? 0, spare);
      return quantity > 0 ? { ...event, quantity } : undefined;
    }
    // The plan never makes one: an undo needs the id of an event already published.
    case 'stock.reversed':
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Live simulator

export interface SimulatorState {
  stock: StockByLocation;
}

/** The simulator's view of the warehouses after the given events (e.g. everything in the stream). */
export function simulatorState(events: Iterable<Pick<DemoEvent, 'warehouse' | 'event'>>): SimulatorState {
  const stock: StockByLocation = {};
  for (const { warehouse, event } of events) applyToStock(stock, warehouse, event);
  return { stock };
}

/**
 * Folds an event that someone else published, so the simulator never sells what is no longer there; for an
 * undo, `undone` is the event it takes back (src/core/undo-memory.ts resolves it).
 */
export function simulatorObserve(
  state: SimulatorState,
  item: Pick<DemoEvent, 'warehouse' | 'event'> & { undone?: ReversibleEvent },
): SimulatorState {
  return { stock: withEvent(state.stock, item.warehouse, item.event, item.undone) };
}

function withEvent(
  stock: StockByLocation,
  warehouse: string,
  event: StockEvent,
  undone?: ReversibleEvent,
): StockByLocation {
  // Copy only the branch the event touches; the rest keeps its identity.
  const products = { ...stock[warehouse] };
  products[event.product_name] = { ...products[event.product_name] };
  const next: StockByLocation = { ...stock, [warehouse]: products };
  applyToStock(next, warehouse, event, undone);
  return next;
}

/** Running totals of the weights, for drawing from a long list in logarithmic time. */
function runningTotals<T>(items: readonly T[], weight: (item: T) => number): number[] {
  let total = 0;
  return items.map((item) => (total += weight(item)));
}

/** One item, drawn with the probability of its share of `totals` (from `runningTotals`). */
function draw<T>(rng: Rng, items: readonly T[], totals: readonly number[]): T {
  return items[upperBound(totals, rng() * (totals[totals.length - 1] ?? 0))]!;
}

/**
 * A world's running totals, worked out once: the simulator draws a warehouse and a product for each event,
 * up to 25 times, and a chain has 2,000 products, so weighing them all again each time made the bench's
 * publisher spend seconds per second at 5,000 events/s (its acknowledgement timers missed by minutes).
 */
const worldTotals = new WeakMap<SimulatorWorld, { warehouses: number[]; products: number[] }>();

function totalsOf(world: SimulatorWorld): { warehouses: number[]; products: number[] } {
  let totals = worldTotals.get(world);
  if (!totals) {
    totals = {
      warehouses: runningTotals(world.warehouses, (w) => w.scale),
      products: runningTotals(world.products, (p) => p.unitsPerDay),
    };
    worldTotals.set(world, totals);
  }
  return totals;
}

/** What the live simulator picks from: the warehouses, their products and where each is kept. */
export interface SimulatorWorld {
  readonly warehouses: readonly { readonly id: string; readonly scale: number }[];
  /** `unitsPerDay` at a warehouse of scale 1. */
  readonly products: readonly DemoProduct[];
  /** Where a warehouse keeps a product; undefined when it does not carry it. */
  layout(warehouse: string, product: string): { shelf: string; back: string } | undefined;
}

/** The small demo's two warehouses and 25 products. */
export const DEMO_WORLD: SimulatorWorld = {
  warehouses: DEMO_WAREHOUSES,
  products: DEMO_PRODUCTS,
  layout: productLayout,
};

/**
 * One live event, at `nowMs`: mostly sales, shelf refills when a shelf runs low, a delivery now and then
 * for products below their reorder point (rarely for those already out: the supplier is slow, so
 * procurement alerts stay visible for a while), and the odd destroyed item.
 */
export function simulatorStep(
  state: SimulatorState,
  rng: Rng,
  nowMs: number,
  world: SimulatorWorld = DEMO_WORLD,
): { state: SimulatorState; event: DemoEvent } {
  const next = nextEvent(state, rng, nowMs, world);
  return { state: simulatorObserve(state, next), event: next };
}

/**
 * As `simulatorStep`, moving `state` on in place instead of copying the branch the event touches: for a
 * caller that owns its state and makes thousands of events a second. At a chain's size that copy is a
 * warehouse's 2,000 products per event, and it held the bench's publisher to 1,700 events a second.
 */
export function simulatorStepInPlace(
  state: SimulatorState,
  rng: Rng,
  nowMs: number,
  world: SimulatorWorld = DEMO_WORLD,
): DemoEvent {
  const next = nextEvent(state, rng, nowMs, world);
  applyToStock(state.stock, next.warehouse, next.event);
  return next;
}

function nextEvent(state: SimulatorState, rng: Rng, nowMs: number, world: SimulatorWorld): DemoEvent {
  const totals = totalsOf(world);
  const decide = (): DemoEvent => {
    for (let attempt = 0; attempt < 25; attempt++) {
      const warehouse = draw(rng, world.warehouses, totals.warehouses);
      const product = draw(rng, world.products, totals.products);
      const product_name = product.name;
      const layout = world.layout(warehouse.id, product_name);
      if (!layout) continue;
      const { shelf, back } = layout;
      const at = state.stock[warehouse.id]?.[product_name] ?? {};
      const count = (location: string): number => Math.max(0, at[location] ?? 0);
      const inStock = Object.values(at).reduce((a, q) => a + Math.max(0, q), 0);
      const dailyUnits = product.unitsPerDay * warehouse.scale;
      const event = (e: StockEvent): DemoEvent => ({ warehouse: warehouse.id, event: e, timestampMs: nowMs });

      if (inStock < dailyUnits * 1.5 && rng() < (inStock === 0 ? 0.05 : 0.3)) {
        return event({
          type: 'stock.replenished',
          product_name,
          location: back,
          quantity: product.caseQuantity,
        });
      }
      const shelfCapacity = Math.ceil(dailyUnits * 0.8);
      if (shelf !== back && count(shelf) < dailyUnits * 0.25 && count(back) > 0) {
        const quantity = Math.min(count(back), shelfCapacity - count(shelf));
        if (quantity > 0)
          return event({ type: 'stock.moved', product_name, from: back, to: shelf, quantity });
      }
      if (count(shelf) === 0) continue;
      if (rng() < 0.01) {
        const quantity = Math.min(count(shelf), intBetween(rng, 1, 4));
        const reason = product.perishable && rng() < 0.7 ? 'rotten' : 'damaged';
        return event({ type: 'stock.destroyed', product_name, location: shelf, quantity, reason });
      }
      const quantity = Math.min(count(shelf), intBetween(rng, 1, product.maxPerSale));
      return event({ type: 'stock.sold', product_name, location: shelf, quantity });
    }
    // Everything picked was empty (or not carried there): a delivery is the only sensible thing to happen.
    for (;;) {
      const product = draw(rng, world.products, totals.products);
      const warehouse = draw(rng, world.warehouses, totals.warehouses).id;
      const layout = world.layout(warehouse, product.name);
      if (!layout) continue;
      return {
        warehouse,
        timestampMs: nowMs,
        event: {
          type: 'stock.replenished',
          product_name: product.name,
          location: layout.back,
          quantity: product.caseQuantity,
        },
      };
    }
  };
  return decide();
}
