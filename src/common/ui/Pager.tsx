import { formatCount } from './format';
import type { PageWindow } from './table-model';

/** First / previous / next / last over a paged table, and which rows are on screen. */
export function Pager({
  window: w,
  label,
  noun,
  onPage,
}: {
  window: PageWindow;
  /** Names the navigation for assistive technology and tests, e.g. "Stock levels pages". */
  label: string;
  /** What a row is, plural: "rows", "keys". */
  noun: string;
  onPage: (page: number) => void;
}) {
  const first = w.page === 0;
  const last = w.page >= w.pageCount - 1;
  const range =
    w.total === 0
      ? `no ${noun}`
      : `${noun} ${formatCount(w.from + 1)}–${formatCount(w.to)} of ${formatCount(w.total)}`;
  return (
    // A group, not a navigation landmark: the page's own menu is the navigation people look for.
    <div className="pager" role="group" aria-label={label}>
      <button type="button" onClick={() => onPage(0)} disabled={first}>
        First
      </button>
      <button type="button" onClick={() => onPage(w.page - 1)} disabled={first}>
        Previous
      </button>
      <span className="pager-range" data-testid="pager-range" aria-live="polite">
        {range}
      </span>
      <button type="button" onClick={() => onPage(w.page + 1)} disabled={last}>
        Next
      </button>
      <button type="button" onClick={() => onPage(w.pageCount - 1)} disabled={last}>
        Last
      </button>
    </div>
  );
}
