import { useCallback, useMemo, useState } from 'react';
import { hourlySeries } from '../../core/sales';
import { NO_INTEREST, type ViewInterest } from '../../core/view-interest';
import { useSnapshot } from '../../common/engine-queries';
import { useViewInterest } from '../../common/use-view-interest';
import { useViews } from '../../common/use-views';
import { SortableTable, type Column } from '../../common/ui/SortableTable';
import { formatCount } from '../../common/ui/format';
import type { SortOrder } from '../../common/ui/table-model';
import { HourlySalesChart, TopMoversChart, type HourlyPoint } from './charts';
import { firstDayOfWeek, weekSpans } from './calendar-week';
import {
  WINDOWS,
  isSalesSortKey,
  rankSales,
  rankingSummary,
  salesRows,
  topMovers,
  type RankQuery,
  type SalesRow,
  type WindowKey,
} from './ranking';

const COLUMNS: Column<SalesRow>[] = [
  { key: 'product', title: 'Product', value: (r) => r.product },
  {
    key: 'hour',
    title: 'Sold last hour',
    numeric: true,
    value: (r) => r.hour,
    render: (r) => formatCount(r.hour),
  },
  {
    key: 'day',
    title: 'Sold last 24 h',
    numeric: true,
    value: (r) => r.day,
    render: (r) => formatCount(r.day),
  },
  {
    key: 'week',
    title: 'Sold last 7 days',
    numeric: true,
    value: (r) => r.week,
    render: (r) => formatCount(r.week),
  },
  {
    key: 'thisWeek',
    title: 'This week so far',
    numeric: true,
    value: (r) => r.thisWeek,
    render: (r) => formatCount(r.thisWeek),
  },
  {
    key: 'lastWeek',
    title: 'Last week, same span',
    numeric: true,
    value: (r) => r.lastWeek,
    render: (r) => (
      <>
        {formatCount(r.lastWeek)} <WeekChange now={r.thisWeek} before={r.lastWeek} />
      </>
    ),
  },
];

/** "▲ 12 %" against last week, "new" when there was nothing to compare with. */
function WeekChange({ now, before }: { now: number; before: number }) {
  if (before === 0) return now > 0 ? <span className="week-up">(new)</span> : null;
  const change = (now - before) / Math.abs(before);
  const percent = PERCENT.format(Math.abs(change));
  if (change === 0) return <span className="muted">(=)</span>;
  return change > 0 ? (
    <span className="week-up">(▲ {percent})</span>
  ) : (
    <span className="week-down">(▼ {percent})</span>
  );
}
const PERCENT = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });

const TOP_MOVERS = 10;
const LIMITS = [25, 100, 500] as const;
/** More lines than this make the hourly chart unreadable (and its palette repeats after eight). */
const MAX_CHARTED = 10;
const DEFAULT_SORT: RankQuery['sort'] = { key: 'day', descending: true };
const rowKey = (r: SalesRow) => r.product;

const MARKETING_INTEREST: ViewInterest = { ...NO_INTEREST, sales: 'all' };
const FIRST_DAY = firstDayOfWeek(undefined);

export default function MarketingPage() {
  const shown = useViews();
  const now = shown?.nowMs ?? 0;
  const sales = shown?.views.sales;
  const warehouses = useSnapshot()?.warehouses;
  useViewInterest(MARKETING_INTEREST);
  const [warehouse, setWarehouse] = useState('');
  const [topWindow, setTopWindow] = useState<WindowKey>('day');
  const [selected, setSelected] = useState<string[] | null>(null);
  const [search, setSearch] = useState('');
  const [limit, setLimit] = useState<number>(LIMITS[0]);
  const [sort, setSort] = useState(DEFAULT_SORT);
  const filter = useMemo(() => (warehouse === '' ? {} : { warehouse }), [warehouse]);

  // Calendar weeks as this browser's locale counts them: they start on its first day, at local midnight.
  const weeks = useMemo(() => weekSpans(now, FIRST_DAY), [now]);
  const rows = useMemo(
    () => (sales ? salesRows(sales, now, weeks, filter) : []),
    [sales, now, weeks, filter],
  );
  // Only the top `limit` rows reach the DOM, so rendering costs the same for 20 products or 2,000.
  const ranking = useMemo(() => rankSales(rows, { search, sort, limit }), [rows, search, sort, limit]);
  const top = useMemo(() => topMovers(rows, topWindow, TOP_MOVERS), [rows, topWindow]);
  // Until the user picks, chart the week's three best sellers so the page is never blank.
  const charted = useMemo(
    () =>
      selected ??
      rankSales(rows, { search: '', sort: { key: 'week', descending: true }, limit: 3 }).rows.map(
        (r) => r.product,
      ),
    [selected, rows],
  );
  const series = useMemo<HourlyPoint[]>(() => {
    if (!sales) return [];
    return hourlySeries(sales, now, charted, filter).map((point) => {
      const out: HourlyPoint = { hourStartMs: point.startMs };
      charted.forEach((product, i) => (out[product] = point.quantities[i] ?? 0));
      return out;
    });
  }, [sales, now, charted, filter]);

  const full = charted.length >= MAX_CHARTED;
  const toggle = (product: string) =>
    setSelected((current) => {
      const base = current ?? charted;
      if (base.includes(product)) return base.filter((p) => p !== product);
      return base.length >= MAX_CHARTED ? base : [...base, product];
    });
  const onSort = useCallback((order: SortOrder) => {
    const key = order.key;
    if (isSalesSortKey(key)) setSort({ key, descending: order.descending });
  }, []);
  const windowLabel = WINDOWS.find((w) => w.key === topWindow)?.label ?? '';

  return (
    <section className="page" aria-label="Marketing">
      <div className="toolbar">
        <h2>Sales</h2>
        <label>
          Warehouse
          <select value={warehouse} onChange={(e) => setWarehouse(e.target.value)}>
            <option value="">All warehouses</option>
            {(warehouses ?? []).map((w) => (
              <option key={w} value={w}>
                {w}
              </option>
            ))}
          </select>
        </label>
        <div className="spacer" />
        <span className="muted">
          Windows end at the moment shown (now when live) and slide with the clock; times are event times.
        </span>
      </div>
      <div className="grid-2">
        <section className="panel" aria-label="Top movers">
          <header>
            <h3>Top {TOP_MOVERS} movers</h3>
            <div className="op-tabs" role="group" aria-label="Window">
              {WINDOWS.map((w) => (
                <button key={w.key} aria-pressed={w.key === topWindow} onClick={() => setTopWindow(w.key)}>
                  {w.label}
                </button>
              ))}
            </div>
          </header>
          <TopMoversChart data={top} windowLabel={windowLabel} />
        </section>
        <section className="panel" aria-label="Hourly sales">
          <header>
            <h3>Hourly sales, last 7 days</h3>
            <span className="hint">
              {charted.length} of at most {MAX_CHARTED} charted · tick rows below
            </span>
          </header>
          {full && (
            <p className="muted" role="status" data-testid="chart-full">
              The chart shows at most {MAX_CHARTED} products: untick one to chart another.
            </p>
          )}
          <HourlySalesChart data={series} products={charted} />
        </section>
      </div>
      <section className="panel" aria-label="Sold per product">
        <header>
          <h3>Sold per product</h3>
          <span className="hint">units; click a column to sort</span>
        </header>
        <div className="table-filters" role="search" aria-label="Find products">
          <label className="search">
            Search products
            <input
              type="search"
              value={search}
              placeholder="name contains…"
              onChange={(e) => setSearch(e.target.value)}
            />
          </label>
          <label>
            Show top
            <select value={limit} onChange={(e) => setLimit(Number(e.target.value))}>
              {LIMITS.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <span className="summary" data-testid="sales-summary" aria-live="polite">
            {rankingSummary(ranking, search, formatCount)}
          </span>
          {charted.length > 0 && (
            <button type="button" onClick={() => setSelected([])}>
              Clear chart
            </button>
          )}
        </div>
        <div className="table-scroll">
          <SortableTable
            label="Sold per product"
            columns={COLUMNS}
            rows={ranking.rows}
            rowKey={rowKey}
            initialSort={DEFAULT_SORT}
            sort={sort}
            onSort={onSort}
            empty={rows.length === 0 ? 'No sales in the last 7 days.' : 'No product matches the search.'}
            leading={(r) => {
              const on = charted.includes(r.product);
              return (
                <input
                  type="checkbox"
                  aria-label={`Chart ${r.product}`}
                  checked={on}
                  disabled={!on && full}
                  title={!on && full ? `At most ${MAX_CHARTED} products can be charted` : undefined}
                  onChange={() => toggle(r.product)}
                />
              );
            }}
          />
        </div>
      </section>
    </section>
  );
}
