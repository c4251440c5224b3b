/**
 * What the dashboard must show, computed here from the events a test published, by a fold written
 * separately from src/core: a bug in the app's views cannot also hide in the expectation.
 */
import type { StockEvent } from '../../src/core/events';

/** One event as a test publishes it: the operation, where, and when it happened. */
export interface TimedEvent {
  warehouse: string;
  event: StockEvent;
  timestampMs: number;
  /** Its `myorg_msg_id`, when a reversal in the same list names it. */
  id?: string;
}

const POOL = '-';

/** warehouse → product → location → quantity; a location appears once any event named it. */
export type ExpectedStock = Map<string, Map<string, Map<string, number>>>;

export function expectedStock(events: readonly TimedEvent[]): ExpectedStock {
  const stock: ExpectedStock = new Map();
  const add = (warehouse: string, product: string, location: string, delta: number, set?: boolean) => {
    let products = stock.get(warehouse);
    if (!products) stock.set(warehouse, (products = new Map<string, Map<string, number>>()));
    let locations = products.get(product);
    if (!locations) products.set(product, (locations = new Map<string, number>()));
    locations.set(location, set ? delta : (locations.get(location) ?? 0) + delta);
  };
  const apply = (warehouse: string, e: StockEvent, sign: 1 | -1) => {
    const where = 'location' in e && e.location ? e.location : POOL;
    if (e.type === 'stock.corrected') add(warehouse, e.product_name, where, e.quantity, true);
    else if (e.type === 'stock.replenished' || e.type === 'stock.returned')
      add(warehouse, e.product_name, where, sign * e.quantity);
    else if (e.type === 'stock.sold' || e.type === 'stock.destroyed')
      add(warehouse, e.product_name, where, -sign * e.quantity);
    else if (e.type === 'stock.moved') {
      add(warehouse, e.product_name, e.from, -sign * e.quantity);
      add(warehouse, e.product_name, e.to, sign * e.quantity);
    }
  };
  for (const [i, { warehouse, event: e }] of events.entries()) {
    if (e.type !== 'stock.reversed') apply(warehouse, e, 1);
    else {
      const undone = undoneBy(events, i);
      if (undone) apply(warehouse, undone.event, -1);
    }
  }
  return stock;
}

export function productTotal(stock: ExpectedStock, warehouse: string, product: string): number {
  let sum = 0;
  for (const q of stock.get(warehouse)?.get(product)?.values() ?? []) sum += q;
  return sum;
}

export function warehouseTotal(stock: ExpectedStock, warehouse: string): number {
  let sum = 0;
  for (const product of stock.get(warehouse)?.keys() ?? []) sum += productTotal(stock, warehouse, product);
  return sum;
}

/**
 * The event the reversal at `index` takes back: an earlier one of its warehouse and product with the id, neither
 * a count nor a reversal, that no earlier reversal took back; undefined when it is refused.
 */
function undoneBy(events: readonly TimedEvent[], index: number): TimedEvent | undefined {
  const { warehouse, event } = events[index]!;
  if (event.type !== 'stock.reversed') return undefined;
  const earlier = events.slice(0, index);
  const target = earlier.find(
    (t) =>
      t.id === event.reverses && t.warehouse === warehouse && t.event.product_name === event.product_name,
  );
  if (!target || target.event.type === 'stock.corrected' || target.event.type === 'stock.reversed')
    return undefined;
  const taken = earlier.some((t, i) => t.event.type === 'stock.reversed' && undoneBy(earlier, i) === target);
  return taken ? undefined : target;
}

/**
 * Net units of `product` sold with an event time inside (nowMs − windowMs, nowMs]: sales less returns, an
 * undone one counted at the time it was made.
 */
export function soldWithin(
  events: readonly TimedEvent[],
  product: string,
  nowMs: number,
  windowMs: number,
): number {
  let sum = 0;
  const inWindow = (t: number) => t > nowMs - windowMs && t <= nowMs;
  const signed = (e: StockEvent) =>
    e.type === 'stock.sold' ? e.quantity : e.type === 'stock.returned' ? -e.quantity : 0;
  for (const [i, { event, timestampMs }] of events.entries()) {
    if (event.product_name !== product) continue;
    if (event.type === 'stock.reversed') {
      const undone = undoneBy(events, i);
      if (undone && inWindow(undone.timestampMs)) sum -= signed(undone.event);
    } else if (inWindow(timestampMs)) sum += signed(event);
  }
  return sum;
}

/** How the dashboard prints a count (en-US grouping). */
export function shown(value: number): string {
  return value.toLocaleString('en-US');
}
