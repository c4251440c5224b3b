import { useCallback, useMemo, useState } from 'react';
import type { AuditScope } from '../../core/audit';
import { NO_INTEREST } from '../../core/view-interest';
import { useSnapshot } from '../../common/engine-queries';
import { useViewInterest } from '../../common/use-view-interest';
import { useViews } from '../../common/use-views';
import { canPublishStock } from '../../core/roles';
import type { Grants } from '../../core/grants';
import { formatCount } from '../../common/ui/format';
import { useSessionState } from '../../common/ui/useSessionState';
import type { TrailPanel } from '../../common/trail-panel';
import { StockForms, type Prefill } from './StockForms';
import { StockGrid } from './StockGrid';
import { stockTable } from './stock-rows';

const NO_WAREHOUSES: string[] = [];

export function WarehousePage({ grants, TrailPanel }: { grants: Grants; TrailPanel: TrailPanel }) {
  const shown = useViews();
  const stock = shown?.views.stock;
  const warehouses = useSnapshot()?.warehouses ?? NO_WAREHOUSES;
  const [chosen, setChosen] = useSessionState('stockwire.warehouse');
  // Known before the first snapshot — the one warehouse a person may record in, or the one chosen earlier in this
  // tab — so that the engine's first fold is of that warehouse alone (docs/architecture.md#one-warehouse-or-the-chain).
  const own = grants.stockEvents !== 'all' && grants.stockEvents.length === 1 ? grants.stockEvents[0]! : null;
  const warehouse =
    chosen !== null && (warehouses.length === 0 || warehouses.includes(chosen))
      ? chosen
      : (own ?? warehouses[0] ?? null);
  useViewInterest({ ...NO_INTEREST, stock: warehouse === null ? [] : [warehouse] });
  const [search, setSearch] = useState('');
  const [hideZero, setHideZero] = useState(false);
  const [picked, setPicked] = useState<Prefill | null>(null);
  const [trail, setTrail] = useState<AuditScope | null>(null);
  const closeTrail = useCallback(() => setTrail(null), []);
  const prefill = useMemo<Prefill>(
    () =>
      picked && picked.warehouse === warehouse
        ? picked
        : { warehouse: warehouse ?? '', product: '', location: '' },
    [picked, warehouse],
  );
  const table = useMemo(
    () => (stock && warehouse !== null ? stockTable(stock, warehouse, { search, hideZero }) : null),
    [stock, warehouse, search, hideZero],
  );
  const mayPublish = canPublishStock(grants, warehouse);

  return (
    <section className="page" aria-label="Warehouse stock">
      <div className="toolbar">
        <h2>Warehouse stock</h2>
        <label>
          Warehouse
          <select
            value={warehouse ?? ''}
            onChange={(e) => setChosen(e.target.value)}
            disabled={warehouses.length === 0}
          >
            {warehouses.map((w) => (
              <option key={w} value={w}>
                {w}
              </option>
            ))}
          </select>
        </label>
        <label>
          Search products
          <input
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="e.g. Apples"
          />
        </label>
        <label className="inline">
          <input type="checkbox" checked={hideZero} onChange={(e) => setHideZero(e.target.checked)} /> Hide
          products with no stock
        </label>
        <div className="spacer" />
        {table && (
          <div className="kpis">
            <div className="kpi">
              <div className="label">Units in warehouse {warehouse}</div>
              <div className="value" data-testid="warehouse-total">
                {formatCount(table.grandTotal)}
              </div>
            </div>
            <div className="kpi">
              <div className="label">Products · locations</div>
              <div className="value">
                {table.rows.length} · {table.locations.length}
              </div>
            </div>
            <div className="kpi">
              <div className="label">Negative counts</div>
              <div className={`value ${table.negativeCells > 0 ? 'mismatch' : ''}`}>
                {table.negativeCells}
              </div>
            </div>
          </div>
        )}
      </div>
      {!shown && <div className="empty-state">Waiting for the first events…</div>}
      {shown && warehouses.length === 0 && (
        <div className="empty-state">No stock events yet. {mayPublish ? 'Record one below.' : ''}</div>
      )}
      {table && table.rows.length === 0 && warehouses.length > 0 && (
        <div className="empty-state">No product matches “{search}”.</div>
      )}
      {table && table.rows.length > 0 && (
        <StockGrid
          locations={table.locations}
          rows={table.rows}
          locationTotals={table.locationTotals}
          grandTotal={table.grandTotal}
          onCellClick={
            warehouse !== null
              ? (product, location) => {
                  // Opens the trail for everyone; a manager also gets the form filled in below.
                  setTrail({ warehouse, product, location });
                  if (mayPublish) setPicked({ warehouse, product, location });
                }
              : undefined
          }
          onTotalClick={
            warehouse !== null ? (product) => setTrail({ warehouse, product, location: null }) : undefined
          }
          selected={trail !== null && trail.warehouse === warehouse ? trail : null}
        />
      )}
      <p className="legend-note">
        “·” never stocked at that location · <span className="cell-zero">0</span> empty ·{' '}
        <span className="cell-negative">−3</span> negative: the records disagree with the shelf, correct it ·
        “-” is the unassigned pool. Click a number to see why it is what it is.
      </p>
      {trail && (
        <TrailPanel
          key={`${trail.warehouse}/${trail.product}/${trail.location ?? ''}`}
          scope={trail}
          canCorrect={canPublishStock(grants, trail.warehouse)}
          onClose={closeTrail}
        />
      )}
      {mayPublish && shown && !shown.past && (
        <StockForms stock={shown.views.stock} prefill={prefill} grants={grants} />
      )}
      {mayPublish && shown?.past && (
        <p className="muted">The forms record what happens now: go back to live to use them.</p>
      )}
    </section>
  );
}
