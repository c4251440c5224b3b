/**
 * What the procurement page's address holds (docs/architecture.md#addresses): the product whose audit trail
 * is open, and its warehouse. The table's filters stay in the page.
 */
import type { AuditScope } from '../../core/audit';
import { tokenValue, type RawSearch } from '../../common/address/search-values';

export interface ProcurementSearch {
  warehouse?: string;
  product?: string;
}

/** A trail needs both names: one without the other is dropped. */
export function parseProcurementSearch(raw: RawSearch): ProcurementSearch {
  const warehouse = tokenValue(raw, 'warehouse');
  const product = tokenValue(raw, 'product');
  return warehouse === undefined || product === undefined
    ? { warehouse: undefined, product: undefined }
    : { warehouse, product };
}

export function trailOf(search: ProcurementSearch): AuditScope | null {
  return search.warehouse === undefined || search.product === undefined
    ? null
    : { warehouse: search.warehouse, product: search.product, location: null };
}
