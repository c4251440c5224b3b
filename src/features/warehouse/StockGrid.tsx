import { useEffect, useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { formatCount } from '../../common/ui/format';

export interface StockRow {
  product: string;
  total: number;
  cells: Readonly<Record<string, number>>;
}

interface Props {
  locations: readonly string[];
  rows: readonly StockRow[];
  locationTotals: Readonly<Record<string, number>>;
  grandTotal: number;
  /** When given, cells are buttons (e.g. to fill in the form for that product and location). */
  onCellClick?: (product: string, location: string) => void;
  /** When given, a product's total opens what it is made of. */
  onTotalClick?: (product: string) => void;
  /** The number whose audit trail is open (location null: the product's total), marked in the grid. */
  selected?: { product: string; location: string | null } | null;
}

const ROW_HEIGHT = 32;
const NAME_WIDTH = 180;
const CELL_WIDTH = 76;

function isSelected(selected: Props['selected'], product: string, location: string | null): boolean {
  return selected != null && selected.product === product && selected.location === location;
}

function cellClass(value: number | undefined): string {
  if (value === undefined) return 'cell-empty';
  if (value < 0) return 'cell-negative';
  if (value === 0) return 'cell-zero';
  return '';
}

/** A number of the grid: its row, and its column among the locations (-1: the product's total). */
interface Spot {
  row: number;
  col: number;
}

/** Rows that PageUp and PageDown move by. */
const PAGE_ROWS = 10;

/** Where a key moves from `at`, or null for a key that does not move. */
function moved(at: Spot, key: string, ctrl: boolean, rows: number, cols: number): Spot | null {
  const clamp = (spot: Spot): Spot => ({
    row: Math.min(Math.max(spot.row, 0), rows - 1),
    col: Math.min(Math.max(spot.col, -1), cols - 1),
  });
  switch (key) {
    case 'ArrowUp':
      return clamp({ ...at, row: at.row - 1 });
    case 'ArrowDown':
      return clamp({ ...at, row: at.row + 1 });
    case 'ArrowLeft':
      return clamp({ ...at, col: at.col - 1 });
    case 'ArrowRight':
      return clamp({ ...at, col: at.col + 1 });
    case 'PageUp':
      return clamp({ ...at, row: at.row - PAGE_ROWS });
    case 'PageDown':
      return clamp({ ...at, row: at.row + PAGE_ROWS });
    case 'Home':
      return clamp(ctrl ? { row: 0, col: -1 } : { ...at, col: -1 });
    case 'End':
      return clamp(ctrl ? { row: rows - 1, col: cols - 1 } : { ...at, col: cols - 1 });
    default:
      return null;
  }
}

/**
 * A number that opens something when clicked is a real button, so the keyboard reaches it (Enter, Space) and a
 * screen reader says what it is; a plain number stays text. One number of the grid is in the Tab order, the
 * others are reached with the arrow keys, so that Tab does not walk through thousands of them
 * (docs/architecture.md#keyboard).
 */
function GridNumber({
  text,
  label,
  spot,
  tabStop,
  onClick,
  onFocus,
}: {
  text: string;
  label: string;
  spot: Spot;
  tabStop: boolean;
  onClick: (() => void) | undefined;
  onFocus: (spot: Spot) => void;
}) {
  if (!onClick) return <>{text}</>;
  return (
    <button
      type="button"
      className="grid-number"
      aria-label={label}
      tabIndex={tabStop ? 0 : -1}
      data-row={spot.row}
      data-col={spot.col}
      onClick={onClick}
      onFocus={() => onFocus(spot)}
    >
      {text}
    </button>
  );
}

/**
 * Product × location stock, virtualised in both directions so 100 products × 200 locations stay smooth:
 * only the rows and columns in view are in the DOM.
 */
export function StockGrid({
  locations,
  rows,
  locationTotals,
  grandTotal,
  onCellClick,
  onTotalClick,
  selected,
}: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // The virtualizer's functions change identity on every scroll by design; the compiler must not memoise them.
  // eslint-disable-next-line react-hooks/incompatible-library
  const rowVirtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const columnVirtualizer = useVirtualizer({
    horizontal: true,
    count: locations.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => CELL_WIDTH,
    overscan: 4,
  });
  const columns = columnVirtualizer.getVirtualItems();
  const rowItems = rowVirtualizer.getVirtualItems();

  // The number in the Tab order: the one last focused, or, when it has scrolled out of the DOM, the first
  // total in view, so that Tab always finds the grid.
  const [active, setActive] = useState<Spot>({ row: 0, col: -1 });
  const isRendered = (spot: Spot) =>
    spot.row < rows.length &&
    rowItems.some((item) => item.index === spot.row) &&
    (spot.col === -1 || columns.some((column) => column.index === spot.col));
  const tabStop = isRendered(active) ? active : { row: rowItems[0]?.index ?? 0, col: -1 };
  // A number moved to with a key may be rendered only after the grid has scrolled to it.
  const focusWanted = useRef<Spot | null>(null);
  useEffect(() => {
    const wanted = focusWanted.current;
    if (!wanted) return;
    const button = scrollRef.current?.querySelector<HTMLButtonElement>(
      `button[data-row="${wanted.row}"][data-col="${wanted.col}"]`,
    );
    if (!button) return;
    focusWanted.current = null;
    button.focus();
  });
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!(event.target instanceof HTMLButtonElement) || rows.length === 0) return;
    const next = moved(tabStop, event.key, event.ctrlKey || event.metaKey, rows.length, locations.length);
    if (!next) return;
    event.preventDefault();
    focusWanted.current = next;
    setActive(next);
    rowVirtualizer.scrollToIndex(next.row);
    if (next.col >= 0) columnVirtualizer.scrollToIndex(next.col);
  };
  const width = NAME_WIDTH + columnVirtualizer.getTotalSize() + CELL_WIDTH;
  const before = columns[0]?.start ?? 0;
  // The grid places the visible columns after a spacer that stands for the ones scrolled out of view.
  const lineStyle = (top: number | undefined) => ({
    width,
    gridTemplateColumns: `${NAME_WIDTH}px ${CELL_WIDTH}px ${before}px ${columns.map(() => `${CELL_WIDTH}px`).join(' ')}`,
    ...(top === undefined ? {} : { transform: `translateY(${top}px)` }),
  });

  return (
    <div
      className="stock-grid"
      ref={scrollRef}
      style={{ '--grid-name-width': `${NAME_WIDTH}px` } as CSSProperties}
      role="table"
      aria-label="Stock by product and location"
      aria-rowcount={rows.length + 2}
      aria-describedby="stock-grid-keys"
      onKeyDown={onKeyDown}
    >
      <p id="stock-grid-keys" hidden>
        Arrow keys move between the numbers; Enter or Space shows why a number is what it is.
      </p>
      <div style={{ width }}>
        <div className="row head" role="row" style={{ ...lineStyle(undefined), position: 'sticky' }}>
          <div className="name" role="columnheader">
            Product
          </div>
          <div className="total" role="columnheader">
            Total
          </div>
          <div aria-hidden />
          {columns.map((column) => (
            // A location is free text up to 64 characters; the column shows what fits, the whole name on hover.
            <div key={column.key} role="columnheader" title={locations[column.index]}>
              {locations[column.index]}
            </div>
          ))}
        </div>
        <div style={{ height: rowVirtualizer.getTotalSize(), position: 'relative' }}>
          {rowItems.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            return (
              <div
                key={row.product}
                className="row body"
                role="row"
                data-product={row.product}
                style={{ ...lineStyle(item.start), top: 0 }}
              >
                <div className="name" role="rowheader" title={row.product}>
                  {row.product}
                </div>
                <div
                  className={`total ${cellClass(row.total)}${isSelected(selected, row.product, null) ? ' cell-selected' : ''}`}
                  role="cell"
                  data-testid={`total-${row.product}`}
                >
                  <GridNumber
                    text={formatCount(row.total)}
                    label={`Why does ${row.product} total ${formatCount(row.total)}?`}
                    spot={{ row: item.index, col: -1 }}
                    tabStop={tabStop.row === item.index && tabStop.col === -1}
                    onClick={onTotalClick ? () => onTotalClick(row.product) : undefined}
                    onFocus={setActive}
                  />
                </div>
                <div aria-hidden />
                {columns.map((column) => {
                  const location = locations[column.index] ?? '';
                  const value = row.cells[location];
                  return (
                    <div
                      key={column.key}
                      role="cell"
                      className={`${cellClass(value)}${isSelected(selected, row.product, location) ? ' cell-selected' : ''}`}
                      data-testid={`cell-${row.product}-${location}`}
                      title={`${row.product} at ${location}: ${value === undefined ? 'never stocked' : value}`}
                    >
                      <GridNumber
                        text={value === undefined ? '·' : formatCount(value)}
                        label={`${row.product} at ${location}: ${value === undefined ? 'never stocked' : formatCount(value)}`}
                        spot={{ row: item.index, col: column.index }}
                        tabStop={tabStop.row === item.index && tabStop.col === column.index}
                        onClick={onCellClick ? () => onCellClick(row.product, location) : undefined}
                        onFocus={setActive}
                      />
                    </div>
                  );
                })}
              </div>
            );
          })}
        </div>
        <div className="row foot" role="row" style={{ ...lineStyle(undefined), position: 'sticky' }}>
          <div className="name" role="rowheader">
            All products
          </div>
          <div className="total" role="cell" data-testid="grand-total">
            {formatCount(grandTotal)}
          </div>
          <div aria-hidden />
          {columns.map((column) => {
            const location = locations[column.index] ?? '';
            return (
              <div key={column.key} role="cell">
                {formatCount(locationTotals[location] ?? 0)}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
