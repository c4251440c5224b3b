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
  for (const { warehouse, event: e } of events) {
    const where = 'location' in e && e.location ? e.location : POOL;
    if (e.type === 'stock.corrected') add(warehouse, e.product_name, where, e.quantity, true);
    else if (e.type === 'stock.replenished' || e.type === 'stock.returned')
      add(warehouse, e.product_name, where, e.quantity);
    else if (e.type === 'stock.sold' || e.type === 'stock.destroyed')
      add(warehouse, e.product_name, where, -e.quantity);
    else {
      add(warehouse, e.product_name, e.from, -e.quantity);
      add(warehouse, e.product_name, e.to, e.quantity);
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

/** Units of `product` sold with an event time inside (nowMs − windowMs, nowMs]. */
export function soldWithin(
  events: readonly TimedEvent[],
  product: string,
  nowMs: number,
  windowMs: number,
): number {
  let sum = 0;
  for (const { event, timestampMs } of events) {
    if (event.type !== 'stock.sold' || event.product_name !== product) continue;
    if (timestampMs > nowMs - windowMs && timestampMs <= nowMs) sum += event.quantity;
  }
  return sum;
}

/** How the dashboard prints a count (en-US grouping). */
export function shown(value: number): string {
  return value.toLocaleString('en-US');
}
