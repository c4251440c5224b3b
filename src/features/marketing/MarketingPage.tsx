import { useMemo, useState } from 'react';
import { DAY_MS, HOUR_MS, WEEK_MS, hourlySeries, soldInWindow, soldProducts } from '../../core/sales';
import { warehouseNames } from '../../core/warehouse-stock';
import { useViews } from '../../shared/use-views';
import { SortableTable, type Column } from '../../shared/ui/SortableTable';
import { formatCount } from '../../shared/ui/format';
import { HourlySalesChart, TopMoversChart, type HourlyPoint } from './charts';

const WINDOWS = [
  { key: 'hour', label: 'last hour', ms: HOUR_MS },
  { key: 'day', label: 'last 24 hours', ms: DAY_MS },
  { key: 'week', label: 'last 7 days', ms: WEEK_MS },
] as const;
type WindowKey = (typeof WINDOWS)[number]['key'];

interface SalesRow {
  product: string;
  hour: number;
  day: number;
  week: number;
}

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
];

const TOP_N = 10;

export default function MarketingPage() {
  const shown = useViews();
  const now = shown?.nowMs ?? 0;
  const sales = shown?.views.sales;
  const stock = shown?.views.stock;
  const [warehouse, setWarehouse] = useState('');
  const [topWindow, setTopWindow] = useState<WindowKey>('day');
  const [selected, setSelected] = useState<string[] | null>(null);
  const filter = useMemo(() => (warehouse === '' ? {} : { warehouse }), [warehouse]);

  const rows = useMemo<SalesRow[]>(() => {
    if (!sales) return [];
    const [hour, day, week] = WINDOWS.map((w) => soldInWindow(sales, now, w.ms, filter));
    return soldProducts(sales, filter).map((product) => ({
      product,
      hour: hour?.get(product) ?? 0,
      day: day?.get(product) ?? 0,
      week: week?.get(product) ?? 0,
    }));
  }, [sales, now, filter]);

  const top = useMemo(
    () =>
      rows
        .map((r) => ({ product: r.product, sold: r[topWindow] }))
        .filter((r) => r.sold > 0)
        .sort((a, b) => b.sold - a.sold || a.product.localeCompare(b.product))
        .slice(0, TOP_N),
    [rows, topWindow],
  );
  // Until the user picks, chart the week's three best sellers so the page is never blank.
  const charted = useMemo(
    () =>
      selected ??
      [...rows]
        .sort((a, b) => b.week - a.week || a.product.localeCompare(b.product))
        .slice(0, 3)
        .map((r) => r.product),
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

  const toggle = (product: string) =>
    setSelected((current) => {
      const base = current ?? charted;
      return base.includes(product) ? base.filter((p) => p !== product) : [...base, product];
    });
  const windowLabel = WINDOWS.find((w) => w.key === topWindow)?.label ?? '';

  return (
    <section className="page" aria-label="Marketing">
      <div className="toolbar">
        <h2>Sales</h2>
        <label>
          Warehouse
          <select value={warehouse} onChange={(e) => setWarehouse(e.target.value)}>
            <option value="">All warehouses</option>
            {(stock ? warehouseNames(stock) : []).map((w) => (
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
            <h3>Top movers</h3>
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
            <span className="hint">{charted.length} product(s) charted — tick rows below to change</span>
          </header>
          <HourlySalesChart data={series} products={charted} />
        </section>
      </div>
      <section className="panel" aria-label="Sold per product">
        <header>
          <h3>Sold per product</h3>
          <span className="hint">units; click a column to sort</span>
        </header>
        <SortableTable
          label="Sold per product"
          columns={COLUMNS}
          rows={rows}
          rowKey={(r) => r.product}
          initialSort={{ key: 'day', descending: true }}
          empty="No sales in the last 7 days."
          leading={(r) => (
            <input
              type="checkbox"
              aria-label={`Chart ${r.product}`}
              checked={charted.includes(r.product)}
              onChange={() => toggle(r.product)}
            />
          )}
        />
      </section>
    </section>
  );
}
