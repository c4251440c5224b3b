/**
 * The ids a fold de-duplicates against, one horizon per warehouse (docs/architecture.md#the-id-horizon): an
 * event is applied at most once per id *within its warehouse*. A page about one warehouse folds that
 * warehouse's subjects alone (docs/architecture.md#one-warehouse-or-the-chain); were ids shared across
 * warehouses, a copy of an id from another warehouse, which such a page never reads, would make its figures
 * differ from everybody else's. Each warehouse's set runs on its own events' time for the same reason.
 */
import { draftMap, type Batch } from './batch';
import {
  addRecentId,
  emptyRecentIds,
  exportRecentIds,
  hasRecentId,
  ID_HORIZON_MS,
  importRecentIds,
  recentIdCount,
  type RecentIds,
  type RecentIdsExport,
} from './recent-ids';

export interface WarehouseIds {
  readonly horizonMs: number;
  readonly byWarehouse: ReadonlyMap<string, RecentIds>;
}

export function emptyWarehouseIds(horizonMs = ID_HORIZON_MS): WarehouseIds {
  return { horizonMs, byWarehouse: new Map() };
}

export function hasWarehouseId(ids: WarehouseIds, warehouse: string, id: string): boolean {
  const recent = ids.byWarehouse.get(warehouse);
  return recent !== undefined && hasRecentId(recent, id);
}

/** `ids` with `id` applied in `warehouse` at event time `atMs` (the caller checks `hasWarehouseId` first). */
export function addWarehouseId(
  ids: WarehouseIds,
  warehouse: string,
  id: string,
  atMs: number,
  batch: Batch,
): WarehouseIds {
  const recent = ids.byWarehouse.get(warehouse) ?? emptyRecentIds(ids.horizonMs);
  const next = addRecentId(recent, id, atMs, batch);
  if (next === recent && ids.byWarehouse.has(warehouse)) return ids;
  const byWarehouse = draftMap(batch, ids.byWarehouse);
  byWarehouse.set(warehouse, next);
  return byWarehouse === ids.byWarehouse ? ids : { horizonMs: ids.horizonMs, byWarehouse };
}

/** Ids held now, over every warehouse. */
export function warehouseIdCount(ids: WarehouseIds): number {
  let count = 0;
  for (const recent of ids.byWarehouse.values()) count += recentIdCount(recent);
  return count;
}

/** Only one warehouse's ids: what a fold of that warehouse's subjects alone holds. */
export function idsOfWarehouse(ids: WarehouseIds, warehouse: string): WarehouseIds {
  const recent = ids.byWarehouse.get(warehouse);
  return { horizonMs: ids.horizonMs, byWarehouse: new Map(recent ? [[warehouse, recent]] : []) };
}

export interface WarehouseIdsExport {
  readonly horizonMs: number;
  readonly byWarehouse: ReadonlyMap<string, RecentIdsExport>;
}

export function exportWarehouseIds(ids: WarehouseIds): WarehouseIdsExport {
  const byWarehouse = new Map<string, RecentIdsExport>();
  for (const [warehouse, recent] of ids.byWarehouse) byWarehouse.set(warehouse, exportRecentIds(recent));
  return { horizonMs: ids.horizonMs, byWarehouse };
}

/** The ids an export was made from, or null when it is inconsistent. */
export function importWarehouseIds(data: unknown): WarehouseIds | null {
  if (typeof data !== 'object' || data === null) return null;
  const { horizonMs, byWarehouse } = data as Partial<Record<keyof WarehouseIdsExport, unknown>>;
  if (typeof horizonMs !== 'number' || !Number.isSafeInteger(horizonMs) || horizonMs <= 0) return null;
  if (!(byWarehouse instanceof Map)) return null;
  const imported = new Map<string, RecentIds>();
  for (const [warehouse, exported] of byWarehouse as Map<unknown, unknown>) {
    if (typeof warehouse !== 'string') return null;
    const recent = importRecentIds(exported);
    if (recent === null || recent.horizonMs !== horizonMs) return null;
    imported.set(warehouse, recent);
  }
  return { horizonMs, byWarehouse: imported };
}
