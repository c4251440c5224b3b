/**
 * Sorting and paging for the shared table, pure so that the pages can memoise them and tests can check them
 * without React. Sized for the procurement page's 100,000 bucket keys (one per warehouse × product).
 */

export type SortValue = number | string;

export interface SortOrder {
  key: string;
  descending: boolean;
}

/**
 * Code-point order rather than `localeCompare`: names are subject tokens (ASCII letters, digits, `_`, `-`;
 * docs/architecture.md#subjects-and-headers), for which the two differ only in where capitals go, and a
 * collator's comparison costs ten times as much over the ~1.7 million comparisons of 100,000 rows.
 */
export function compareValues(x: SortValue, y: SortValue): number {
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  const a = String(x);
  const b = String(y);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A new array of the rows ordered by `value`, ties broken by `rowKey` ascending so that the order is the same
 * on every snapshot. Each row's value is read once (not once per comparison).
 */
export function sortRows<Row>(
  rows: readonly Row[],
  value: (row: Row) => SortValue,
  descending: boolean,
  rowKey: (row: Row) => string,
): Row[] {
  const direction = descending ? -1 : 1;
  const decorated = rows.map((row) => ({ row, value: value(row), key: rowKey(row) }));
  decorated.sort((a, b) => compareValues(a.value, b.value) * direction || compareValues(a.key, b.key));
  return decorated.map((d) => d.row);
}

export interface PageWindow {
  /** Zero-based, clamped to the pages there are. */
  page: number;
  pageCount: number;
  /** Rows [from, to) of the whole list are on this page. */
  from: number;
  to: number;
  total: number;
}

/** Which rows a page holds; a page beyond the end (the list shrank) is the last one. */
export function pageWindow(total: number, page: number, pageSize: number): PageWindow {
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const clamped = Math.min(Math.max(0, Math.floor(page)), pageCount - 1);
  const from = clamped * pageSize;
  return { page: clamped, pageCount, from, to: Math.min(total, from + pageSize), total };
}

/** Case-insensitive substring; an empty (or blank) needle matches everything. */
export function matchesSearch(haystack: string, needle: string): boolean {
  const n = needle.trim().toLowerCase();
  return n === '' || haystack.toLowerCase().includes(n);
}
