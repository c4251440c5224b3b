/**
 * The folded views in a form that can be stored (IndexedDB's structured clone) and read back by a later page
 * load, so that reopening the dashboard replays only the tail of the stream.
 *
 * A stored snapshot outlives the code that wrote it. LEDGER_SNAPSHOT_VERSION names the shape of the views; a
 * snapshot of any other version is refused, and so is one whose top-level shape does not check out, so an old
 * or damaged snapshot costs a full replay, never a wrong figure. ledger-snapshot.test.ts records the shape of
 * this version and fails when a view changes shape without the version being raised.
 */
import type { DataQualityState } from './data-quality';
import type { LedgerState } from './ledger';
import type { ProcurementStockState } from './procurement-stock';
import type { SalesState } from './sales';
import type { WarehouseStockState } from './warehouse-stock';
import { exportUndoMemory, importUndoMemory, type UndoMemoryExport } from './undo-memory';
import { exportWarehouseIds, importWarehouseIds, type WarehouseIdsExport } from './warehouse-ids';

/**
 * 2: the id set has a horizon (two generations and the event time that opened the newer).
 * 3: subject sequences and procurement levels are kept by warehouse.
 * 4: ids are de-duplicated within their warehouse, one horizon each.
 * 5: `stock.reversed`: the events a reversal may take back are remembered, and refused reversals counted.
 */
export const LEDGER_SNAPSHOT_VERSION = 5;

export interface LedgerSnapshot {
  readonly version: number;
  readonly lastSeq: number;
  readonly applied: number;
  readonly skipped: number;
  readonly ids: WarehouseIdsExport;
  readonly undo: UndoMemoryExport;
  readonly stock: WarehouseStockState;
  readonly sales: SalesState;
  readonly procurement: ProcurementStockState;
  readonly quality: DataQualityState;
}

export function snapshotLedger(state: LedgerState): LedgerSnapshot {
  return {
    version: LEDGER_SNAPSHOT_VERSION,
    lastSeq: state.lastSeq,
    applied: state.applied,
    skipped: state.skipped,
    ids: exportWarehouseIds(state.seenIds),
    undo: exportUndoMemory(state.undo),
    stock: state.stock,
    sales: state.sales,
    procurement: state.procurement,
    quality: state.quality,
  };
}

export type RestoreResult =
  { ok: true; ledger: LedgerState } | { ok: false; reason: 'other_version' | 'damaged'; detail: string };

/** The ledger a snapshot was taken of, or why it cannot be used. Never throws. */
export function restoreLedger(stored: unknown): RestoreResult {
  if (!isRecord(stored)) return damaged('not an object');
  if (stored.version !== LEDGER_SNAPSHOT_VERSION) {
    return {
      ok: false,
      reason: 'other_version',
      detail: `written for views version ${String(stored.version)}, this is version ${LEDGER_SNAPSHOT_VERSION}`,
    };
  }
  const s = stored as Partial<Record<keyof LedgerSnapshot, unknown>>;
  for (const field of ['lastSeq', 'applied', 'skipped'] as const) {
    const n = s[field];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return damaged(`${field} is not a count`);
  }
  const { stock, sales, procurement, quality } = s;
  if (!isRecord(stock) || !(stock.warehouses instanceof Map) || !(stock.subjectSeqs instanceof Map)) {
    return damaged('warehouse stock');
  }
  if (!isRecord(sales) || !(sales.hours instanceof Map) || typeof sales.lastSeq !== 'number') {
    return damaged('sales');
  }
  if (
    !isRecord(procurement) ||
    !(procurement.levels instanceof Map) ||
    !(procurement.locations instanceof Map)
  ) {
    return damaged('procurement stock');
  }
  if (!isRecord(quality) || !Array.isArray(quality.recent) || !isRecord(quality.byKind)) {
    return damaged('data quality');
  }
  const seenIds = importWarehouseIds(s.ids);
  if (seenIds === null) return damaged('event ids');
  const undo = importUndoMemory(s.undo);
  if (undo === null) return damaged('events remembered for undo');
  return {
    ok: true,
    ledger: {
      lastSeq: s.lastSeq as number,
      applied: s.applied as number,
      skipped: s.skipped as number,
      seenIds,
      undo,
      stock: stock as unknown as WarehouseStockState,
      sales: sales as unknown as SalesState,
      procurement: procurement as unknown as ProcurementStockState,
      quality: quality as unknown as DataQualityState,
    },
  };
}

function damaged(detail: string): RestoreResult {
  return { ok: false, reason: 'damaged', detail };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
