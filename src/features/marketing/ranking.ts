/**
 * What the marketing table shows at chain size (2,000 products): every product's sales in three windows,
 * searched by name and ranked, of which the page renders only the top N. Pure, so the page memoises it and
 * the tests check it without React.
 */
import {
  DAY_MS,
  HOUR_MS,
  WEEK_MS,
  soldInWindow,
  soldProducts,
  type SalesFilter,
  type SalesState,
} from '../../core/sales';
import { matchesSearch, sortRows } from '../../common/ui/table-model';
import type { WeekSpans } from './calendar-week';

export const WINDOWS = [
  { key: 'hour', label: 'last hour', ms: HOUR_MS },
  { key: 'day', label: 'last 24 hours', ms: DAY_MS },
  { key: 'week', label: 'last 7 days', ms: WEEK_MS },
] as const;
export type WindowKey = (typeof WINDOWS)[number]['key'];

export interface SalesRow {
  product: string;
  hour: number;
  day: number;
  week: number;
  /** This calendar week so far. */
  thisWeek: number;
  /** The same span of the calendar week before. */
  lastWeek: number;
}
export type SalesSortKey = 'product' | WindowKey | 'thisWeek' | 'lastWeek';

export function isSalesSortKey(key: string): key is SalesSortKey {
  return key === 'product' || key === 'thisWeek' || key === 'lastWeek' || WINDOWS.some((w) => w.key === key);
}

/** One row per product sold inside the horizon, in one warehouse or all (the core's selectors). */
export function salesRows(sales: SalesState, now: number, weeks: WeekSpans, filter: SalesFilter): SalesRow[] {
  const [hour, day, week] = WINDOWS.map((w) => soldInWindow(sales, now, w.ms, filter));
  const thisWeek = soldInWindow(sales, now, now - weeks.thisFromMs, filter);
  const lastWeek = soldInWindow(sales, weeks.lastToMs, weeks.lastToMs - weeks.lastFromMs, filter);
  return soldProducts(sales, filter).map((product) => ({
    product,
    hour: hour?.get(product) ?? 0,
    day: day?.get(product) ?? 0,
    week: week?.get(product) ?? 0,
    thisWeek: thisWeek.get(product) ?? 0,
    lastWeek: lastWeek.get(product) ?? 0,
  }));
}

export interface RankQuery {
  search: string;
  sort: { key: SalesSortKey; descending: boolean };
  limit: number;
}

export interface Ranking {
  /** The first `limit` matching rows, in order. */
  rows: SalesRow[];
  /** How many rows match the search (all of them when it is blank). */
  matched: number;
  /** How many products there are. */
  total: number;
}

export function rankSales(all: readonly SalesRow[], query: RankQuery): Ranking {
  const matching = all.filter((r) => matchesSearch(r.product, query.search));
  const { key, descending } = query.sort;
  const sorted = sortRows(
    matching,
    (r) => r[key],
    descending,
    (r) => r.product,
  );
  return { rows: sorted.slice(0, query.limit), matched: matching.length, total: all.length };
}

/** The best sellers of a window, for the bar chart: only products that sold in it. */
export function topMovers(
  all: readonly SalesRow[],
  window: WindowKey,
  limit: number,
): { product: string; sold: number }[] {
  const sold = all.filter((r) => r[window] > 0);
  return sortRows(
    sold,
    (r) => r[window],
    true,
    (r) => r.product,
  )
    .slice(0, limit)
    .map((r) => ({ product: r.product, sold: r[window] }));
}

/** "showing 25 of 2,000 products", "12 match 'gala'", "showing 25 of 112 that match 'a'". */
export function rankingSummary(ranking: Ranking, search: string, format: (n: number) => string): string {
  const needle = search.trim();
  if (needle === '') return `showing ${format(ranking.rows.length)} of ${format(ranking.total)} products`;
  if (ranking.rows.length === ranking.matched) {
    return `${format(ranking.matched)} ${ranking.matched === 1 ? 'matches' : 'match'} '${needle}'`;
  }
  return `showing ${format(ranking.rows.length)} of ${format(ranking.matched)} that match '${needle}'`;
}
