import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { stockLevels } from '../../core/procurement-stock';
import { BUCKETS, STREAMS } from '../../core/resources';
import { DEFAULT_THRESHOLD_KEY, status, thresholdFor, validateThreshold } from '../../core/thresholds';
import { useEngine } from '../../common/engine-context';
import { useSnapshot } from '../../common/engine-queries';
import { useViews } from '../../common/use-views';
import { canEditThresholds, canPublishStock } from '../../core/roles';
import type { Grants } from '../../core/grants';
import { Pager } from '../../common/ui/Pager';
import { SortableTable, type Column } from '../../common/ui/SortableTable';
import { formatCount, formatTime } from '../../common/ui/format';
import { pageWindow, type SortOrder } from '../../common/ui/table-model';
import type { TrailPanel } from '../../common/trail-panel';
import { levelRows, type LevelRow } from './level-rows';
import {
  LEVEL_SORT_VALUES,
  STATUS_FILTERS,
  disagrees,
  isLevelSortKey,
  levelTable,
  type LevelQuery,
  type LevelTable,
  type StatusFilter,
} from './level-table';
import { WorkerStatusPanel } from './WorkerStatusPanel';
import { trailOf, type ProcurementSearch } from './procurement-search';
import { NO_INTEREST, type ViewInterest } from '../../core/view-interest';
import { useViewInterest } from '../../common/use-view-interest';

const AGREEMENT_TEXT: Record<LevelRow['agreement'], string> = {
  agrees: 'agrees',
  'projector-behind': 'projector catching up',
  'replay-behind': 'page catching up',
  mismatch: 'MISMATCH',
  'missing-in-kv': 'not in bucket yet',
  'missing-in-replay': 'not in replay',
  unreadable: 'unreadable value',
};

function columns(
  onEdit: ((row: LevelRow) => void) | null,
  onWhy: (row: LevelRow) => void,
): Column<LevelRow>[] {
  const list: Column<LevelRow>[] = [
    { key: 'warehouse', title: 'Warehouse', value: LEVEL_SORT_VALUES.warehouse },
    { key: 'product', title: 'Product', value: LEVEL_SORT_VALUES.product },
    {
      key: 'quantity',
      title: 'Stock (bucket)',
      numeric: true,
      value: LEVEL_SORT_VALUES.quantity,
      render: (r) => (r.kvQuantity === null ? '—' : formatCount(r.kvQuantity)),
    },
    {
      key: 'replay',
      title: 'Stock (replay)',
      numeric: true,
      value: LEVEL_SORT_VALUES.replay,
      render: (r) => (r.replayQuantity === null ? '—' : formatCount(r.replayQuantity)),
    },
    { key: 'threshold', title: 'Threshold', numeric: true, value: LEVEL_SORT_VALUES.threshold },
    {
      key: 'status',
      title: 'Status',
      value: LEVEL_SORT_VALUES.status,
      render: (r) => <span className={`status-pill status-${r.status}`}>{r.status}</span>,
    },
    {
      key: 'agreement',
      title: 'Bucket vs replay',
      value: LEVEL_SORT_VALUES.agreement,
      render: (r) => {
        const bad = r.agreement === 'mismatch' || r.agreement === 'unreadable';
        return (
          <span
            className={bad ? 'mismatch' : r.agreement === 'agrees' ? 'status-pill status-ok' : 'muted'}
            data-testid={`agreement-${r.key}`}
            title={`bucket: ${r.kvQuantity ?? '—'} at event #${r.kvSeq ?? '—'} · replay: ${r.replayQuantity ?? '—'} at event #${r.replaySeq ?? '—'}`}
          >
            {AGREEMENT_TEXT[r.agreement]}
            {bad &&
              ` — bucket ${r.kvQuantity ?? '—'} @#${r.kvSeq ?? '—'}, replay ${r.replayQuantity ?? '—'} @#${r.replaySeq ?? '—'}`}
          </span>
        );
      },
    },
  ];
  list.push({
    key: 'why',
    title: '',
    value: () => 0,
    render: (r) => (
      <button
        onClick={() => onWhy(r)}
        aria-label={`Why is ${r.product} in warehouse ${r.warehouse} at ${r.kvQuantity ?? r.replayQuantity ?? 0}?`}
        data-testid={`why-${r.key}`}
      >
        Why?
      </button>
    ),
  });
  if (onEdit) {
    list.push({
      key: 'edit',
      title: '',
      value: () => 0,
      render: (r) => <button onClick={() => onEdit(r)}>Set threshold</button>,
    });
  }
  return list;
}

const PAGE_SIZE = 50;
const DEFAULT_QUERY: LevelQuery = {
  warehouse: '',
  search: '',
  status: 'all',
  sort: { key: 'status', descending: false },
};
const STATUS_LABELS: Record<StatusFilter, string> = {
  all: 'All',
  low: 'Low',
  out: 'Out of stock',
  disagree: 'Bucket ≠ replay',
};
const rowKey = (r: LevelRow) => r.key;

function statusFilterOf(value: string): StatusFilter {
  return STATUS_FILTERS.find((f) => f === value) ?? 'all';
}

const PROCUREMENT_INTEREST: ViewInterest = { ...NO_INTEREST, procurement: true, kvLevels: 'all' };

interface Props {
  grants: Grants;
  TrailPanel: TrailPanel;
  /** The open trail, from the page's address (docs/architecture.md#addresses). */
  address: ProcurementSearch;
  /** A new address for the page: the browser's Back returns to the one before. */
  onAddress: (next: ProcurementSearch) => void;
}

export function ProcurementPage({ grants, TrailPanel, address, onAddress }: Props) {
  useViewInterest(PROCUREMENT_INTEREST);
  const snapshot = useSnapshot();
  const shown = useViews();
  const [editing, setEditing] = useState<string | null>(null);
  const trail = trailOf(address);
  const closeTrail = useCallback(() => onAddress({}), [onAddress]);
  // useViews makes a new object on every render: depend on what is inside it, or the 100,000 rows (and the
  // table kept from them below) would be made again on every render.
  const procurement = (shown?.views ?? snapshot?.views)?.procurement;
  const inPast = shown?.past != null;
  const rows = useMemo(() => {
    if (!snapshot || !procurement) return [];
    const thresholds = new Map(Object.entries(snapshot.thresholds));
    // The bucket only knows the present: in the past, show the replay alone.
    const kvLevels = inPast ? {} : snapshot.kvLevels;
    return levelRows(kvLevels, stockLevels(procurement), (key, quantity) => {
      const threshold = thresholdFor(thresholds, key);
      return { threshold, status: status(quantity, threshold) };
    });
  }, [snapshot, procurement, inPast]);
  // Out-of-scope keys are refused by the server with a message that names the key.
  const editable = canEditThresholds(grants, null);
  const cols = useMemo(
    () =>
      columns(editable ? (row) => setEditing(row.key) : null, (row) =>
        onAddress({ warehouse: row.warehouse, product: row.product }),
      ),
    [editable, onAddress],
  );
  const trailRow = trail
    ? rows.find((r) => r.warehouse === trail.warehouse && r.product === trail.product)
    : undefined;
  const counts = useMemo(() => {
    const all = { out: 0, low: 0, mismatch: 0 };
    for (const row of rows) {
      if (row.status === 'out') all.out += 1;
      if (row.status === 'low') all.low += 1;
      if (disagrees(row)) all.mismatch += 1;
    }
    return all;
  }, [rows]);
  const warehouses = useMemo(() => [...new Set(rows.map((r) => r.warehouse))].sort(), [rows]);
  const [query, setQuery] = useState<LevelQuery>(DEFAULT_QUERY);
  const [page, setPage] = useState(0);
  const changeQuery = (change: Partial<LevelQuery>) => {
    setQuery((current) => ({ ...current, ...change }));
    setPage(0);
  };
  // Kept across renders (not memoised) so that the next snapshot can reuse its order instead of sorting again.
  const [table, setTable] = useState<LevelTable>(() => levelTable(rows, query));
  if (table.source !== rows || table.query !== query) setTable(levelTable(rows, query, table));
  const shownPage = pageWindow(table.rows.length, page, PAGE_SIZE);
  const pageRows = useMemo(
    () => table.rows.slice(shownPage.from, shownPage.to),
    [table, shownPage.from, shownPage.to],
  );
  const onSort = useCallback((sort: SortOrder) => {
    if (!isLevelSortKey(sort.key)) return;
    const key = sort.key;
    setQuery((current) => ({ ...current, sort: { key, descending: sort.descending } }));
    setPage(0);
  }, []);

  return (
    <section className="page" aria-label="Procurement">
      <div className="toolbar">
        <h2>Procurement</h2>
        <div className="spacer" />
        <div className="kpis">
          <div className="kpi">
            <div className="label">Out of stock</div>
            <div className="value" data-testid="count-out">
              {counts.out}
            </div>
          </div>
          <div className="kpi">
            <div className="label">Low</div>
            <div className="value" data-testid="count-low">
              {counts.low}
            </div>
          </div>
          <div className="kpi">
            <div className="label">Bucket ≠ replay</div>
            <div className={`value ${counts.mismatch > 0 ? 'mismatch' : ''}`} data-testid="count-mismatch">
              {counts.mismatch}
            </div>
          </div>
        </div>
      </div>
      <WorkerStatusPanel />
      {editable && (
        <ThresholdEditor
          target={editing ?? DEFAULT_THRESHOLD_KEY}
          current={snapshot?.thresholds[editing ?? DEFAULT_THRESHOLD_KEY]}
          onDone={() => setEditing(null)}
        />
      )}
      <div className="procurement-grid">
        <section className="panel" aria-label="Stock levels">
          <header>
            <h3>Stock levels</h3>
            <span className="hint">
              live from the <code>{BUCKETS.stockLevels}</code> bucket, checked against this page’s own replay
              {snapshot && !snapshot.kvReady ? ' · loading bucket…' : ''}
            </span>
          </header>
          <div className="table-filters" role="search" aria-label="Filter stock levels">
            <label>
              Warehouse
              <select value={query.warehouse} onChange={(e) => changeQuery({ warehouse: e.target.value })}>
                <option value="">All warehouses</option>
                {warehouses.map((w) => (
                  <option key={w} value={w}>
                    {w}
                  </option>
                ))}
              </select>
            </label>
            <label className="search">
              Search products
              <input
                type="search"
                value={query.search}
                placeholder="product or warehouse.product"
                onChange={(e) => changeQuery({ search: e.target.value })}
              />
            </label>
            <label>
              Status
              <select
                value={query.status}
                onChange={(e) => changeQuery({ status: statusFilterOf(e.target.value) })}
              >
                {STATUS_FILTERS.map((f) => (
                  <option key={f} value={f}>
                    {STATUS_LABELS[f]} ({formatCount(table.counts[f])})
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div className="table-scroll">
            <SortableTable
              label="Stock levels"
              columns={cols}
              rows={pageRows}
              rowKey={rowKey}
              initialSort={DEFAULT_QUERY.sort}
              sort={query.sort}
              onSort={onSort}
              empty={
                rows.length === 0
                  ? 'The bucket is empty: is the projector running?'
                  : 'No key matches these filters.'
              }
            />
          </div>
          <Pager window={shownPage} label="Stock levels pages" noun="rows" onPage={setPage} />
        </section>
        <section className="panel" aria-label="Low-stock alerts">
          <header>
            <h3>Low-stock alerts</h3>
            <span className="hint">from {STREAMS.procurement}, newest first</span>
          </header>
          {snapshot && snapshot.alerts.length === 0 && <div className="empty-state">No alert yet.</div>}
          <ul className="feed" data-testid="alert-feed">
            {snapshot?.alerts.map((alert) => (
              <li key={alert.seq}>
                <time>{formatTime(alert.timestampMs)}</time>
                <span>
                  <strong>{alert.low.product_name}</strong> in warehouse {alert.low.warehouse}:{' '}
                  {formatCount(alert.low.quantity)} left, below {formatCount(alert.low.threshold)}
                </span>
              </li>
            ))}
          </ul>
          {snapshot && snapshot.alertProblems > 0 && (
            <p className="mismatch">{snapshot.alertProblems} malformed alert message(s) skipped.</p>
          )}
        </section>
      </div>
      {trail && (
        <TrailPanel
          key={`${trail.warehouse}/${trail.product}`}
          scope={trail}
          canCorrect={canPublishStock(grants, trail.warehouse)}
          bucket={{ quantity: trailRow?.kvQuantity ?? null, seq: trailRow?.kvSeq ?? null }}
          onClose={closeTrail}
        />
      )}
    </section>
  );
}

function ThresholdEditor({
  target,
  current,
  onDone,
}: {
  target: string;
  current: number | undefined;
  onDone: () => void;
}) {
  const engine = useEngine();
  const [key, setKey] = useState(target);
  const [value, setValue] = useState(current === undefined ? '' : String(current));
  const [problem, setProblem] = useState<string | null>(null);
  const [lastTarget, setLastTarget] = useState(target);
  if (target !== lastTarget) {
    setLastTarget(target);
    setKey(target);
    setValue(current === undefined ? '' : String(current));
  }
  const mutation = useMutation({
    mutationFn: async () => {
      const parsed = validateThreshold(value);
      if (!parsed.ok) throw new Error(parsed.message);
      const outcome = await engine.setThreshold(key.trim(), parsed.threshold);
      if (!outcome.ok) throw new Error(outcome.message);
      return parsed.threshold;
    },
    onSuccess: onDone,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setProblem(key.trim() === '' ? 'Key is required: <warehouse>.<product> or default' : null);
    if (key.trim() !== '') mutation.mutate();
  };
  return (
    <form className="panel toolbar" onSubmit={submit} aria-label="Threshold editor">
      <h3>Threshold</h3>
      <label>
        Key (warehouse.product or “default”)
        <input value={key} onChange={(e) => setKey(e.target.value)} />
      </label>
      <label>
        Threshold (units)
        <input value={value} onChange={(e) => setValue(e.target.value)} inputMode="numeric" />
      </label>
      <button className="primary" type="submit" disabled={mutation.isPending}>
        Save threshold
      </button>
      {(problem ?? (mutation.isError ? mutation.error.message : null)) && (
        <span className="mismatch" role="alert">
          {problem ?? mutation.error?.message}
        </span>
      )}
      {mutation.isSuccess && (
        <span className="muted">
          Saved {mutation.data} for {key}.
        </span>
      )}
    </form>
  );
}
