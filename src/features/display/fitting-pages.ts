/**
 * A wall screen never cuts a list off: when it does not fit, it is shown smaller, and what still does not fit
 * goes on further pages that turn on their own. The arithmetic is here, pure; useFittingPages measures.
 */

/** How many items of a measured render fit, given each one's bottom edge inside the box. */
export function countFitting(bottoms: readonly number[], boxHeight: number): number {
  let fitting = 0;
  while (fitting < bottoms.length && (bottoms[fitting] ?? Infinity) <= boxHeight) fitting++;
  return Math.max(1, fitting);
}

export interface PageOf<T> {
  shown: readonly T[];
  /** 0-based, always a page that exists. */
  page: number;
  pages: number;
}

/** The `turn`-th page (wrapping around) of `items` cut into pages of `perPage`. */
export function pageOf<T>(items: readonly T[], perPage: number, turn: number): PageOf<T> {
  const size = Math.max(1, perPage);
  const pages = Math.max(1, Math.ceil(items.length / size));
  const page = ((turn % pages) + pages) % pages;
  return { shown: items.slice(page * size, (page + 1) * size), page, pages };
}
