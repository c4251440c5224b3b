import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { NO_INTEREST } from '../../core/view-interest';
import { useSnapshot } from '../../common/engine-queries';
import { useViewInterest } from '../../common/use-view-interest';
import { useViews } from '../../common/use-views';
import { canPublishStock } from '../../core/roles';
import type { Grants } from '../../core/grants';
import { formatCount } from '../../common/ui/format';
import { keepForSession, useSessionState } from '../../common/ui/useSessionState';
import type { TrailPanel } from '../../common/trail-panel';
import type { Prefill } from './StockForms';
import { StockGrid } from './StockGrid';
import { stockTable } from './stock-rows';
import { trailOf, type WarehouseSearch } from './warehouse-search';

const NO_WAREHOUSES: string[] = [];
const LAST_CHOSEN_KEY = 'stockwire.warehouse';

// Only people who may record stock see the forms; the others never load them (npm run bench: initial JS).
const StockForms = lazy(() => import('./StockForms').then((m) => ({ default: m.StockForms })));
const StocktakeImport = lazy(() => import('./StocktakeImport').then((m) => ({ default: m.StocktakeImport })));

interface Props {
  grants: Grants;
  TrailPanel: TrailPanel;
  /** The warehouse and the open trail, from the page's address (docs/architecture.md#addresses). */
  address: WarehouseSearch;
  /** A new address for the page: the browser's Back returns to the one before. */
  onAddress: (next: WarehouseSearch) => void;
}

export function WarehousePage({ grants, TrailPanel, address, onAddress }: Props) {
  const shown = useViews();
  const stock = shown?.views.stock;
  const warehouses = useSnapshot()?.warehouses ?? NO_WAREHOUSES;
  // The address names the warehouse; without one, the one chosen last in this tab (a link to the page from the
  // header names none).
  const [lastChosen, setLastChosen] = useSessionState(LAST_CHOSEN_KEY);
  const chosen = address.warehouse ?? lastChosen;
  // A warehouse reached by a link or by Back is the one to come back to, like one picked here.
  useEffect(() => {
    if (address.warehouse !== undefined) keepForSession(LAST_CHOSEN_KEY, address.warehouse);
  }, [address.warehouse]);
  // Known before the first snapshot — the one in the address or chosen earlier in this tab, or the one warehouse a
  // person may record in — so that the engine's first fold is of that warehouse alone (docs/architecture.md#one-warehouse-or-the-chain).
  const own = grants.stockEvents !== 'all' && grants.stockEvents.length === 1 ? grants.stockEvents[0]! : null;
  const warehouse =
    chosen !== null && (warehouses.length === 0 || warehouses.includes(chosen))
      ? chosen
      : (own ?? warehouses[0] ?? null);
  useViewInterest({ ...NO_INTEREST, stock: warehouse === null ? [] : [warehouse] });
  const [search, setSearch] = useState('');
  const [hideZero, setHideZero] = useState(false);
  const [picked, setPicked] = useState<Prefill | null>(null);
  const trail = trailOf(address, warehouse);
  const shownWarehouse = address.warehouse;
  const closeTrail = useCallback(() => onAddress({ warehouse: shownWarehouse }), [onAddress, shownWarehouse]);
  const choose = (next: string) => {
    setLastChosen(next);
    onAddress({ warehouse: next });
  };
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
  const [stocktakeOpen, setStocktakeOpen] = useState(false);

  return (
    <section className="page" aria-label="Warehouse stock">
      <div className="toolbar">
        <h2>Warehouse stock</h2>
        <label>
          Warehouse
          <select
            value={warehouse ?? ''}
            onChange={(e) => choose(e.target.value)}
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
                  onAddress({ warehouse, product, location });
                  if (mayPublish) setPicked({ warehouse, product, location });
                }
              : undefined
          }
          onTotalClick={warehouse !== null ? (product) => onAddress({ warehouse, product }) : undefined}
          selected={trail}
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
        <Suspense fallback={null}>
          <StockForms stock={shown.views.stock} prefill={prefill} grants={grants} />
        </Suspense>
      )}
      {mayPublish && shown && !shown.past && warehouse !== null && (
        // Its code loads when it is first opened: most visits never import a stocktake.
        <details
          className="panel stocktake"
          aria-label="Stocktake import"
          onToggle={(event) => setStocktakeOpen(event.currentTarget.open)}
        >
          <summary>Stocktake import (CSV)</summary>
          {stocktakeOpen && (
            <Suspense fallback={<p className="muted">Loading the importer…</p>}>
              <StocktakeImport warehouse={warehouse} stock={shown.views.stock} />
            </Suspense>
          )}
        </details>
      )}
      {mayPublish && shown?.past && (
        <p className="muted">The forms record what happens now: go back to live to use them.</p>
      )}
    </section>
  );
}
