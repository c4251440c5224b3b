/**
 * Stock per warehouse → product → location, folded from the warehouse stream. Quantities are never clamped:
 * a negative count means the records disagree with reality and is shown as such until someone corrects it.
 */
import { draft, draftMap, fresh, newBatch, type Batch, type Mutable } from './batch';
import type { Decoded, EventMeta } from './codec';
import { stockSubject, type ReversibleEvent, type StockEvent } from './events';
import { applyStockEffect, stockEffectSlots, stockEffects, type StockEffect } from './stock-rule';
import { seqOf, subjectOf, type View } from './view';

export interface LocationStock {
  readonly quantity: number;
  /** Sequence of the last event that touched this location (for audit and expected-sequence publishes). */
  readonly seq: number;
  readonly updatedMs: number;
}

export interface ProductStock {
  readonly warehouse: string;
  readonly product: string;
  readonly locations: ReadonlyMap<string, LocationStock>;
  /** Sum over locations. */
  readonly total: number;
  /** Sequence of the last stock event on the subject, including events that changed no quantity. */
  readonly lastSeq: number;
  readonly updatedMs: number;
}

export interface WarehouseStockState {
  readonly warehouses: ReadonlyMap<string, ReadonlyMap<string, ProductStock>>;
  /**
   * Last sequence per stream subject over every message, stock or not: the server compares
   * `Nats-Expected-Last-Subject-Sequence` with this, so unknown, malformed and duplicate messages count too.
   * It is also this view's checkpoint: a message at or below it was already applied. Grouped by the subject's
   * second token (a stock subject's warehouse), so that a batch copies only the groups it touches
   * (docs/architecture.md#folding-at-a-chains-size).
   */
  readonly subjectSeqs: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

export const initialWarehouseStock: WarehouseStockState = {
  warehouses: new Map(),
  subjectSeqs: new Map(),
};

const NO_PRODUCTS: ReadonlyMap<string, ProductStock> = new Map();
const NO_SUBJECTS: ReadonlyMap<string, number> = new Map();

/** The group of `subjectSeqs` a subject belongs to: its second token, '' when it has none. */
function subjectGroup(subject: string): string {
  const first = subject.indexOf('.');
  if (first === -1) return '';
  const second = subject.indexOf('.', first + 1);
  return second === -1 ? subject.slice(first + 1) : subject.slice(first + 1, second);
}

function subjectSeq(state: WarehouseStockState, subject: string): number {
  return state.subjectSeqs.get(subjectGroup(subject))?.get(subject) ?? 0;
}

function setSubjectSeq(next: Mutable<WarehouseStockState>, subject: string, seq: number, batch: Batch): void {
  const groups = draftMap(batch, next.subjectSeqs);
  const group = subjectGroup(subject);
  groups.set(group, draftMap(batch, groups.get(group) ?? NO_SUBJECTS).set(subject, seq));
  next.subjectSeqs = groups;
}
const effects = stockEffectSlots();

function evolve(
  state: WarehouseStockState,
  decoded: Decoded,
  batch: Batch = newBatch(),
): WarehouseStockState {
  const seq = seqOf(decoded);
  const subject = subjectOf(decoded);
  if (seq <= subjectSeq(state, subject)) return state;
  const next = draft(batch, state);
  setSubjectSeq(next, subject, seq, batch);
  if (decoded.kind === 'stock') {
    applyStockEvent(next, decoded.meta, decoded.event, decoded.undone?.event ?? null, batch);
  }
  return next;
}

/**
 * Notes a message that occupies a sequence on its subject without being applied (a duplicate the ledger
 * skipped), so that the next publish on that subject expects the right sequence.
 */
export function recordSubjectSeq(
  state: WarehouseStockState,
  subject: string,
  seq: number,
  batch: Batch = newBatch(),
): WarehouseStockState {
  if (seq <= subjectSeq(state, subject)) return state;
  const next = draft(batch, state);
  setSubjectSeq(next, subject, seq, batch);
  return next;
}

function applyStockEvent(
  next: Mutable<WarehouseStockState>,
  meta: EventMeta,
  event: StockEvent,
  undone: ReversibleEvent | null,
  batch: Batch,
): void {
  const warehouses = draftMap(batch, next.warehouses);
  next.warehouses = warehouses;
  const products = draftMap(batch, warehouses.get(meta.warehouse) ?? NO_PRODUCTS);
  warehouses.set(meta.warehouse, products);
  const previous = products.get(meta.product);
  const product = previous
    ? draft(batch, previous)
    : fresh<ProductStock>(batch, {
        warehouse: meta.warehouse,
        product: meta.product,
        locations: fresh(batch, new Map<string, LocationStock>()),
        total: 0,
        lastSeq: 0,
        updatedMs: 0,
      });
  products.set(meta.product, product);
  product.lastSeq = meta.seq;
  product.updatedMs = meta.timestampMs;
  const locations = draftMap(batch, product.locations);
  product.locations = locations;
  const count = stockEffects(event, effects, undone);
  for (let i = 0; i < count; i++) applyEffect(product, locations, effects[i]!, meta, batch);
}

function applyEffect(
  product: Mutable<ProductStock>,
  locations: Map<string, LocationStock>,
  effect: StockEffect,
  meta: EventMeta,
  batch: Batch,
): void {
  const cell = locations.get(effect.location);
  const before = cell?.quantity ?? 0;
  const quantity = applyStockEffect(before, effect);
  product.total += quantity - before;
  if (cell && batch.owned.has(cell)) {
    const writable = cell as Mutable<LocationStock>;
    writable.quantity = quantity;
    writable.seq = meta.seq;
    writable.updatedMs = meta.timestampMs;
  } else {
    locations.set(effect.location, fresh(batch, { quantity, seq: meta.seq, updatedMs: meta.timestampMs }));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Selectors

export interface LocationRow {
  warehouse: string;
  product: string;
  location: string;
  quantity: number;
  seq: number;
  updatedMs: number;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function warehouseNames(state: WarehouseStockState): string[] {
  return [...state.warehouses.keys()].sort(byText);
}

/** Products of one warehouse, by name. */
export function productsIn(state: WarehouseStockState, warehouse: string): ProductStock[] {
  return [...(state.warehouses.get(warehouse)?.values() ?? [])].sort((a, b) => byText(a.product, b.product));
}

export function productStock(
  state: WarehouseStockState,
  warehouse: string,
  product: string,
): ProductStock | undefined {
  return state.warehouses.get(warehouse)?.get(product);
}

/** Quantity at one location; 0 for a location no event has named. */
export function locationQuantity(
  state: WarehouseStockState,
  warehouse: string,
  product: string,
  location: string,
): number {
  return productStock(state, warehouse, product)?.locations.get(location)?.quantity ?? 0;
}

/** The subject's last sequence, 0 when it has none: the value for `Nats-Expected-Last-Subject-Sequence`. */
export function lastSubjectSeq(state: WarehouseStockState, warehouse: string, product: string): number {
  return subjectSeq(state, stockSubject(warehouse, product));
}

/** Total per product, in one warehouse or summed over all of them. */
export function productTotals(
  state: WarehouseStockState,
  options: { warehouse?: string } = {},
): Map<string, number> {
  const totals = new Map<string, number>();
  for (const [warehouse, products] of state.warehouses) {
    if (options.warehouse !== undefined && warehouse !== options.warehouse) continue;
    for (const [product, stock] of products) totals.set(product, (totals.get(product) ?? 0) + stock.total);
  }
  return totals;
}

/** Total units per warehouse over all its products. */
export function warehouseTotals(state: WarehouseStockState): Map<string, number> {
  const totals = new Map<string, number>();
  for (const [warehouse, products] of state.warehouses) {
    let sum = 0;
    for (const stock of products.values()) sum += stock.total;
    totals.set(warehouse, sum);
  }
  return totals;
}

/** One row per (warehouse, product, location), ordered by warehouse, product, location. */
export function locationRows(
  state: WarehouseStockState,
  options: { warehouse?: string; product?: string } = {},
): LocationRow[] {
  const rows: LocationRow[] = [];
  for (const [warehouse, products] of state.warehouses) {
    if (options.warehouse !== undefined && warehouse !== options.warehouse) continue;
    for (const [product, stock] of products) {
      if (options.product !== undefined && product !== options.product) continue;
      for (const [location, cell] of stock.locations) {
        rows.push({
          warehouse,
          product,
          location,
          quantity: cell.quantity,
          seq: cell.seq,
          updatedMs: cell.updatedMs,
        });
      }
    }
  }
  return rows.sort(
    (a, b) =>
      byText(a.warehouse, b.warehouse) || byText(a.product, b.product) || byText(a.location, b.location),
  );
}

export const warehouseStockSelectors = {
  warehouseNames,
  productsIn,
  productStock,
  locationQuantity,
  lastSubjectSeq,
  productTotals,
  warehouseTotals,
  locationRows,
};

export const warehouseStockView: View<WarehouseStockState, typeof warehouseStockSelectors> = {
  initialState: initialWarehouseStock,
  evolve,
  selectors: warehouseStockSelectors,
};
