/**
 * One stock level per `<warehouse>.<product>`: the value the projector writes into the `stock_levels` bucket
 * (docs/architecture.md#jetstream-resources). Each key carries its own checkpoint (`last_seq`), so
 * re-delivery changes nothing and a key is only ever moved forward.
 */
import { draft, draftMap, fresh, newBatch, type Batch, type Mutable } from './batch';
import type { Decoded } from './codec';
import { stockKey } from './events';
import { applyStockEffect, stockEffectSlots, stockEffects } from './stock-rule';
import type { View } from './view';

/** The `stock_levels` value, field names as on the wire. */
export interface StockLevel {
  readonly warehouse: string;
  readonly product_name: string;
  /** Sum over the product's locations in the warehouse. */
  readonly quantity: number;
  /** Sequence of the last stock event on the subject. */
  readonly last_seq: number;
  /** Event time of that event, ms since epoch. */
  readonly updated_ms: number;
}

/**
 * Both maps are by warehouse, then product: a batch copies only the warehouses it touches, not every key of a
 * chain (docs/architecture.md#folding-at-a-chains-size). Read levels through the selectors below.
 */
export interface ProcurementStockState {
  /** Warehouse → product → level (key `<warehouse>.<product>` in the bucket). */
  readonly levels: ReadonlyMap<string, ReadonlyMap<string, StockLevel>>;
  /** Quantity per location: a correction sets one location, so the sum alone is not enough. */
  readonly locations: ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, number>>>;
}

export const initialProcurementStock: ProcurementStockState = { levels: new Map(), locations: new Map() };

const NO_LOCATIONS: ReadonlyMap<string, number> = new Map();
const NO_PRODUCT_LOCATIONS: ReadonlyMap<string, ReadonlyMap<string, number>> = new Map();
const NO_LEVELS: ReadonlyMap<string, StockLevel> = new Map();
const effects = stockEffectSlots();

function evolve(
  state: ProcurementStockState,
  decoded: Decoded,
  batch: Batch = newBatch(),
): ProcurementStockState {
  if (decoded.kind !== 'stock') return state;
  const { meta, event } = decoded;
  const { warehouse, product } = meta;
  const previous = state.levels.get(warehouse)?.get(product);
  if (previous && meta.seq <= previous.last_seq) return state;
  const next = draft(batch, state);
  const allLocations = draftMap(batch, state.locations);
  next.locations = allLocations;
  const warehouseLocations = draftMap(batch, allLocations.get(warehouse) ?? NO_PRODUCT_LOCATIONS);
  allLocations.set(warehouse, warehouseLocations);
  const locations = draftMap(batch, warehouseLocations.get(product) ?? NO_LOCATIONS);
  warehouseLocations.set(product, locations);
  let delta = 0;
  const count = stockEffects(event, effects, decoded.undone?.event);
  for (let i = 0; i < count; i++) {
    const effect = effects[i]!;
    const before = locations.get(effect.location) ?? 0;
    const after = applyStockEffect(before, effect);
    locations.set(effect.location, after);
    delta += after - before;
  }
  const allLevels = draftMap(batch, state.levels);
  next.levels = allLevels;
  const levels = draftMap(batch, allLevels.get(warehouse) ?? NO_LEVELS);
  allLevels.set(warehouse, levels);
  const quantity = (previous?.quantity ?? 0) + delta;
  if (previous && batch.owned.has(previous)) {
    const level = previous as Mutable<StockLevel>;
    level.quantity = quantity;
    level.last_seq = meta.seq;
    level.updated_ms = meta.timestampMs;
  } else {
    levels.set(
      product,
      fresh<StockLevel>(batch, {
        warehouse,
        product_name: product,
        quantity,
        last_seq: meta.seq,
        updated_ms: meta.timestampMs,
      }),
    );
  }
  return next;
}

// ---------------------------------------------------------------------------------------------------------
// Selectors and the wire form

export function stockLevel(state: ProcurementStockState, key: string): StockLevel | undefined {
  const dot = key.indexOf('.');
  return dot === -1 ? undefined : state.levels.get(key.slice(0, dot))?.get(key.slice(dot + 1));
}

/** Every level, in no particular order. */
export function* eachStockLevel(state: ProcurementStockState): Generator<StockLevel> {
  for (const levels of state.levels.values()) yield* levels.values();
}

/** Every level under its bucket key `<warehouse>.<product>`. */
export function stockLevelsByKey(state: ProcurementStockState): Map<string, StockLevel> {
  const byKey = new Map<string, StockLevel>();
  for (const level of eachStockLevel(state)) byKey.set(stockKey(level.warehouse, level.product_name), level);
  return byKey;
}

export function stockLevelCount(state: ProcurementStockState): number {
  let count = 0;
  for (const levels of state.levels.values()) count += levels.size;
  return count;
}

/** All levels, by key. */
export function stockLevels(state: ProcurementStockState): StockLevel[] {
  return [...eachStockLevel(state)]
    .map((level) => [stockKey(level.warehouse, level.product_name), level] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, level]) => level);
}

/** Levels that differ between two states of the same fold (unchanged levels keep their identity). */
export function changedLevels(before: ProcurementStockState, after: ProcurementStockState): StockLevel[] {
  const changed: StockLevel[] = [];
  if (before.levels === after.levels) return changed;
  for (const [warehouse, levels] of after.levels) {
    const earlier = before.levels.get(warehouse);
    if (earlier === levels) continue;
    for (const [product, level] of levels) if (earlier?.get(product) !== level) changed.push(level);
  }
  return changed;
}

/** The canonical bytes of a `stock_levels` value: fixed key order, no spaces. */
export function stockLevelJson(value: StockLevel): string {
  return JSON.stringify({
    warehouse: value.warehouse,
    product_name: value.product_name,
    quantity: value.quantity,
    last_seq: value.last_seq,
    updated_ms: value.updated_ms,
  });
}

export const procurementStockSelectors = { stockLevel, stockLevels, changedLevels, stockLevelCount };

export const procurementStockView: View<ProcurementStockState, typeof procurementStockSelectors> = {
  initialState: initialProcurementStock,
  evolve,
  selectors: procurementStockSelectors,
};
