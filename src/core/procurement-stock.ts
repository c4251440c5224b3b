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

export interface ProcurementStockState {
  /** Key `<warehouse>.<product>` → level. */
  readonly levels: ReadonlyMap<string, StockLevel>;
  /** Per key, quantity per location: a correction sets one location, so the sum alone is not enough. */
  readonly locations: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

export const initialProcurementStock: ProcurementStockState = { levels: new Map(), locations: new Map() };

const NO_LOCATIONS: ReadonlyMap<string, number> = new Map();
const effects = stockEffectSlots();

function evolve(
  state: ProcurementStockState,
  decoded: Decoded,
  batch: Batch = newBatch(),
): ProcurementStockState {
  if (decoded.kind !== 'stock') return state;
  const { meta, event } = decoded;
  const key = stockKey(meta.warehouse, meta.product);
  const previous = state.levels.get(key);
  if (previous && meta.seq <= previous.last_seq) return state;
  const next = draft(batch, state);
  const allLocations = draftMap(batch, state.locations);
  next.locations = allLocations;
  const locations = draftMap(batch, allLocations.get(key) ?? NO_LOCATIONS);
  allLocations.set(key, locations);
  let delta = 0;
  const count = stockEffects(event, effects);
  for (let i = 0; i < count; i++) {
    const effect = effects[i]!;
    const before = locations.get(effect.location) ?? 0;
    const after = applyStockEffect(before, effect);
    locations.set(effect.location, after);
    delta += after - before;
  }
  const levels = draftMap(batch, state.levels);
  next.levels = levels;
  const quantity = (previous?.quantity ?? 0) + delta;
  if (previous && batch.owned.has(previous)) {
    const level = previous as Mutable<StockLevel>;
    level.quantity = quantity;
    level.last_seq = meta.seq;
    level.updated_ms = meta.timestampMs;
  } else {
    levels.set(
      key,
      fresh<StockLevel>(batch, {
        warehouse: meta.warehouse,
        product_name: meta.product,
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
  return state.levels.get(key);
}

/** All levels, by key. */
export function stockLevels(state: ProcurementStockState): StockLevel[] {
  return [...state.levels.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, level]) => level);
}

/** Levels that differ between two states of the same fold (unchanged levels keep their identity). */
export function changedLevels(before: ProcurementStockState, after: ProcurementStockState): StockLevel[] {
  if (before.levels === after.levels) return [];
  const changed: StockLevel[] = [];
  for (const [key, level] of after.levels) if (before.levels.get(key) !== level) changed.push(level);
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

export const procurementStockSelectors = { stockLevel, stockLevels, changedLevels };

export const procurementStockView: View<ProcurementStockState, typeof procurementStockSelectors> = {
  initialState: initialProcurementStock,
  evolve,
  selectors: procurementStockSelectors,
};
