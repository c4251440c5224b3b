/**
 * The stock-levels table at chain size (50 warehouses × 2,000 products = 100,000 keys): which rows match the
 * page's filters, in which order. Pure, so the page memoises it and the tests check it without React.
 */
import { matchesSearch, sortRows, type SortValue } from '../../common/ui/table-model';
import type { LevelRow } from './level-rows';

export const LEVEL_SORT_VALUES = {
  warehouse: (r: LevelRow) => r.warehouse,
  product: (r: LevelRow) => r.product,
  quantity: (r: LevelRow) => r.kvQuantity ?? Number.NEGATIVE_INFINITY,
  replay: (r: LevelRow) => r.replayQuantity ?? Number.NEGATIVE_INFINITY,
  threshold: (r: LevelRow) => r.threshold,
  status: (r: LevelRow) => ({ out: 0, low: 1, ok: 2 })[r.status],
  agreement: (r: LevelRow) => (r.agreement === 'agrees' ? 1 : 0),
} satisfies Record<string, (r: LevelRow) => SortValue>;
export type LevelSortKey = keyof typeof LEVEL_SORT_VALUES;

export function isLevelSortKey(key: string): key is LevelSortKey {
  return Object.hasOwn(LEVEL_SORT_VALUES, key);
}

export const STATUS_FILTERS = ['all', 'low', 'out', 'disagree'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export interface LevelQuery {
  /** '' for every warehouse. */
  warehouse: string;
  /** Case-insensitive substring of the key `<warehouse>.<product>`, so a product name or a whole key finds it. */
  search: string;
  status: StatusFilter;
  sort: { key: LevelSortKey; descending: boolean };
}

/** The same rows the page's "Bucket ≠ replay" figure counts, so the filter and the figure agree. */
export function disagrees(row: LevelRow): boolean {
  return row.agreement === 'mismatch' || row.agreement === 'unreadable';
}

function passesStatus(row: LevelRow, status: StatusFilter): boolean {
  switch (status) {
    case 'all':
      return true;
    case 'low':
    case 'out':
      return row.status === status;
    case 'disagree':
      return disagrees(row);
  }
}

export interface LevelTable {
  /** What it was made of, so that a page can tell when to make it again. */
  source: readonly LevelRow[];
  query: LevelQuery;
  /** The matching rows in order; page them with pageWindow. */
  rows: readonly LevelRow[];
  /** Rows matching the warehouse and the search, per status filter: the numbers beside its choices. */
  counts: Readonly<Record<StatusFilter, number>>;
}

/**
 * Filters, then sorts. Given the previous result, it keeps that order when the query is the same and the
 * matching rows are the same keys with the same sort values: a live snapshot usually changes a quantity or
 * a sequence, not a status, so the default order (by status) survives it without sorting 100,000 rows again.
 */
export function levelTable(all: readonly LevelRow[], query: LevelQuery, previous?: LevelTable): LevelTable {
  const counts: Record<StatusFilter, number> = { all: 0, low: 0, out: 0, disagree: 0 };
  const matching: LevelRow[] = [];
  for (const row of all) {
    if (query.warehouse !== '' && row.warehouse !== query.warehouse) continue;
    if (!matchesSearch(row.key, query.search)) continue;
    counts.all += 1;
    if (row.status === 'low') counts.low += 1;
    if (row.status === 'out') counts.out += 1;
    if (disagrees(row)) counts.disagree += 1;
    if (passesStatus(row, query.status)) matching.push(row);
  }
  const value = LEVEL_SORT_VALUES[query.sort.key];
  const kept =
    previous && sameQuery(previous.query, query) ? sameOrder(previous.rows, matching, value) : null;
  return {
    source: all,
    query,
    rows: kept ?? sortRows(matching, value, query.sort.descending, (r) => r.key),
    counts,
  };
}

function sameQuery(a: LevelQuery, b: LevelQuery): boolean {
  return (
    a.warehouse === b.warehouse &&
    a.search === b.search &&
    a.status === b.status &&
    a.sort.key === b.sort.key &&
    a.sort.descending === b.sort.descending
  );
}

/** The previous order with today's rows in it, or null when the set of rows or a sort value has changed. */
function sameOrder(
  before: readonly LevelRow[],
  now: readonly LevelRow[],
  value: (r: LevelRow) => SortValue,
): LevelRow[] | null {
  if (before.length !== now.length) return null;
  const byKey = new Map(now.map((row) => [row.key, row]));
  const out: LevelRow[] = [];
  for (const old of before) {
    const row = byKey.get(old.key);
    if (!row || value(row) !== value(old)) return null;
    out.push(row);
  }
  return out;
}
