import { UNASSIGNED_LOCATION } from '../../core/events';
import { productsIn, type WarehouseStockState } from '../../core/warehouse-stock';
import type { StockRow } from './StockGrid';

export interface StockTable {
  locations: string[];
  rows: StockRow[];
  locationTotals: Record<string, number>;
  grandTotal: number;
  negativeCells: number;
}

/** The product × location table of one warehouse, filtered the way the page asks. */
export function stockTable(
  stock: WarehouseStockState,
  warehouse: string,
  options: { search: string; hideZero: boolean },
): StockTable {
  const needle = options.search.trim().toLowerCase();
  const locations = new Set<string>();
  const locationTotals: Record<string, number> = {};
  const rows: StockRow[] = [];
  let grandTotal = 0;
  let negativeCells = 0;
  for (const product of productsIn(stock, warehouse)) {
    if (needle !== '' && !product.product.toLowerCase().includes(needle)) continue;
    if (
      options.hideZero &&
      product.total === 0 &&
      ![...product.locations.values()].some((l) => l.quantity !== 0)
    ) {
      continue;
    }
    const cells: Record<string, number> = {};
    for (const [location, cell] of product.locations) {
      locations.add(location);
      cells[location] = cell.quantity;
      locationTotals[location] = (locationTotals[location] ?? 0) + cell.quantity;
      if (cell.quantity < 0) negativeCells += 1;
    }
    grandTotal += product.total;
    rows.push({ product: product.product, total: product.total, cells });
  }
  return {
    locations: [...locations].sort((a, b) =>
      a === UNASSIGNED_LOCATION ? -1 : b === UNASSIGNED_LOCATION ? 1 : a.localeCompare(b),
    ),
    rows,
    locationTotals,
    grandTotal,
    negativeCells,
  };
}
