/**
 * What the warehouse page's address holds (docs/architecture.md#addresses): the warehouse shown and, when its
 * audit trail is open, the product and the location (none: the product's total).
 */
import type { AuditScope } from '../../core/audit';
import { locationValue, tokenValue, type RawSearch } from '../../common/address/search-values';

export interface WarehouseSearch {
  warehouse?: string;
  product?: string;
  location?: string;
}

/**
 * A location without a product names no number, so it is dropped with it. Every name is present, unset when
 * dropped: the router lays the validated values over what was in the address.
 */
export function parseWarehouseSearch(raw: RawSearch): WarehouseSearch {
  const warehouse = tokenValue(raw, 'warehouse');
  const product = tokenValue(raw, 'product');
  const location = product === undefined ? undefined : locationValue(raw, 'location');
  return { warehouse, product, location };
}

/** The trail the address opens in the warehouse shown, if any. */
export function trailOf(search: WarehouseSearch, warehouse: string | null): AuditScope | null {
  if (warehouse === null || search.product === undefined) return null;
  return { warehouse, product: search.product, location: search.location ?? null };
}
