/**
 * What the pages on screen show of the views, so that the engine sends them that and not a chain's every
 * figure (docs/architecture.md#what-a-page-is-sent). A snapshot of the whole ledger at a chain's size is a
 * million map entries; copying it to the page several times a second took the page's main thread for up to a
 * second at a time. Pure: the engine narrows with it, the pages declare it.
 */
import type { WarehouseScope } from './grants';
import type { LedgerViews } from './ledger';
import { initialProcurementStock } from './procurement-stock';
import { initialSales, type SalesState, type SeriesHour } from './sales';
import type { WarehouseStockState } from './warehouse-stock';

export interface ViewInterest {
  /** Warehouses whose stock and subject sequences are shown, live or as of a moment. */
  readonly stock: WarehouseScope;
  /** Warehouses whose live stock is needed but never a past one: the forms check a command against it. */
  readonly liveStock: WarehouseScope;
  /** Warehouses whose sales are shown. */
  readonly sales: WarehouseScope;
  /** The procurement view (every level: it is paged and searched on the page). */
  readonly procurement: boolean;
  /** Warehouses whose keys of the projector's bucket are shown. */
  readonly kvLevels: WarehouseScope;
  /** The data quality of the whole stream (of every warehouse, and of subjects outside them). */
  readonly quality: boolean;
}

export const NO_INTEREST: ViewInterest = {
  stock: [],
  liveStock: [],
  sales: [],
  procurement: false,
  kvLevels: [],
  quality: false,
};

function unionScope(a: WarehouseScope, b: WarehouseScope): WarehouseScope {
  if (a === 'all' || b === 'all') return 'all';
  return [...new Set([...a, ...b])].sort();
}

/** What all of them show together. */
export function mergeInterests(interests: Iterable<ViewInterest>): ViewInterest {
  let merged = NO_INTEREST;
  for (const i of interests) {
    merged = {
      stock: unionScope(merged.stock, i.stock),
      liveStock: unionScope(merged.liveStock, i.liveStock),
      sales: unionScope(merged.sales, i.sales),
      procurement: merged.procurement || i.procurement,
      kvLevels: unionScope(merged.kvLevels, i.kvLevels),
      quality: merged.quality || i.quality,
    };
  }
  return merged;
}

export function inScope(scope: WarehouseScope, warehouse: string): boolean {
  return scope === 'all' || scope.includes(warehouse);
}

/** The key `<warehouse>.<product>` of the projector's bucket is in scope. */
export function keyInScope(scope: WarehouseScope, key: string): boolean {
  if (scope === 'all') return true;
  const dot = key.indexOf('.');
  return dot !== -1 && scope.includes(key.slice(0, dot));
}

function narrowStock(stock: WarehouseStockState, scope: WarehouseScope): WarehouseStockState {
  if (scope === 'all') return stock;
  const pick = <V>(map: ReadonlyMap<string, V>): Map<string, V> => {
    const out = new Map<string, V>();
    for (const w of scope) {
      const value = map.get(w);
      if (value !== undefined) out.set(w, value);
    }
    return out;
  };
  return { warehouses: pick(stock.warehouses), subjectSeqs: pick(stock.subjectSeqs) };
}

/**
 * What was kept of an hour's series for a scope, by the series: it is immutable (a sale makes a new one), so
 * between two snapshots only the current hour is filtered again, not the week's every hour of every warehouse,
 * and an unchanged hour stays the same object, which a snapshot's change leaves out.
 */
const keptOfSeries = new WeakMap<
  ReadonlyMap<string, SeriesHour>,
  Map<string, ReadonlyMap<string, SeriesHour>>
>();

function keptOf(
  series: ReadonlyMap<string, SeriesHour>,
  scope: readonly string[],
): ReadonlyMap<string, SeriesHour> {
  const scopeKey = scope.join('\u0000');
  let byScope = keptOfSeries.get(series);
  if (!byScope) {
    byScope = new Map();
    keptOfSeries.set(series, byScope);
  }
  let kept = byScope.get(scopeKey);
  if (!kept) {
    const filtered = new Map<string, SeriesHour>();
    for (const [key, s] of series) if (scope.includes(s.warehouse)) filtered.set(key, s);
    kept = filtered;
    byScope.set(scopeKey, kept);
  }
  return kept;
}

function narrowSales(sales: SalesState, scope: WarehouseScope): SalesState {
  if (scope === 'all') return sales;
  if (scope.length === 0) return { ...initialSales, lastSeq: sales.lastSeq, newestMs: sales.newestMs };
  const hours = new Map<number, ReadonlyMap<string, SeriesHour>>();
  for (const [hour, series] of sales.hours) {
    const kept = keptOf(series, scope);
    if (kept.size > 0) hours.set(hour, kept);
  }
  return { ...sales, hours };
}

/**
 * The views with only what `interest` shows, live or as of a past moment; counts, sequences and data quality
 * are always there.
 */
export function narrowViews(views: LedgerViews, interest: ViewInterest, when: 'live' | 'past'): LedgerViews {
  const stock = when === 'live' ? unionScope(interest.stock, interest.liveStock) : interest.stock;
  return {
    ...views,
    stock: narrowStock(views.stock, stock),
    sales: narrowSales(views.sales, interest.sales),
    procurement: interest.procurement ? views.procurement : initialProcurementStock,
  };
}

/**
 * The one warehouse whose events make up everything the pages show of the past, or null when they show more
 * (or nothing of the ledger). A moment of one warehouse is then rebuilt from that warehouse's subjects alone,
 * a fiftieth of a chain's stream (docs/architecture.md#time-travel-at-a-chains-size).
 */
export function pastWarehouse(interest: ViewInterest): string | null {
  if (interest.procurement) return null;
  const shown = unionScope(interest.stock, interest.sales);
  return shown !== 'all' && shown.length === 1 ? (shown[0] as string) : null;
}

/**
 * What the live fold must read for the pages on screen (docs/architecture.md#one-warehouse-or-the-chain): one
 * warehouse's subjects when everything they show of the fold is of that warehouse, the whole chain (null) when
 * they show more, and undefined when they show nothing of it, so that any fold will do.
 */
export function foldScope(interest: ViewInterest): string | null | undefined {
  if (interest.procurement || interest.quality) return null;
  const shown = unionScope(unionScope(interest.stock, interest.liveStock), interest.sales);
  if (shown === 'all' || shown.length > 1) return null;
  return shown[0];
}
