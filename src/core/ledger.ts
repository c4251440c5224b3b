/**
 * The combined fold used by the browser engine and the workers: one pass over the warehouse stream feeds
 * every view, with the reading rules of docs/architecture.md#reading-rules applied once for all of them: a
 * sequence already applied is ignored (re-delivery, resume), and an event whose id was applied in its warehouse
 * within the id horizon (a late retry, a copy delivered back onto the stream) is counted as a duplicate and
 * changes no view. Fed one warehouse's subjects alone, it gives that warehouse's figures exactly as a fold of
 * every subject does (docs/architecture.md#one-warehouse-or-the-chain).
 */
import { draft, newBatch, type Batch } from './batch';
import type { Decoded } from './codec';
import {
  dataQualityView,
  recordDuplicate,
  recordRefusedReversal,
  type DataQualityState,
} from './data-quality';
import { procurementStockView, type ProcurementStockState } from './procurement-stock';
import { ID_HORIZON_MS } from './recent-ids';
import { salesView, type SalesState } from './sales';
import { recordSubjectSeq, warehouseStockView, type WarehouseStockState } from './warehouse-stock';
import { seqOf } from './view';
import { addWarehouseId, emptyWarehouseIds, hasWarehouseId, type WarehouseIds } from './warehouse-ids';
import { checkReversal, emptyUndoMemory, rememberEvent, type UndoMemory } from './undo-memory';

export interface LedgerState {
  /** Checkpoint: the highest stream sequence handled (applied or skipped as a duplicate). */
  readonly lastSeq: number;
  /** Ids applied within the id horizon, by warehouse (docs/architecture.md#the-id-horizon). */
  readonly seenIds: WarehouseIds;
  /** Events a later reversal may take back, by warehouse, on the same horizon (docs/architecture.md#undo). */
  readonly undo: UndoMemory;
  readonly stock: WarehouseStockState;
  readonly sales: SalesState;
  readonly procurement: ProcurementStockState;
  readonly quality: DataQualityState;
  /** Messages folded into the views (stock events, unknown types, malformed messages). */
  readonly applied: number;
  /** Messages not folded because their event id had already been applied. */
  readonly skipped: number;
}

/** The part of the state worth sending to a page: everything but what only the fold itself consults. */
export type LedgerViews = Omit<LedgerState, 'seenIds' | 'undo'>;

/** `idHorizonMs` is for tests; every program folds with the one horizon, so that their figures agree. */
export function initialLedger(idHorizonMs: number = ID_HORIZON_MS): LedgerState {
  return {
    lastSeq: 0,
    seenIds: emptyWarehouseIds(idHorizonMs),
    undo: emptyUndoMemory(idHorizonMs),
    stock: warehouseStockView.initialState,
    sales: salesView.initialState,
    procurement: procurementStockView.initialState,
    quality: dataQualityView.initialState,
    applied: 0,
    skipped: 0,
  };
}

export function applyDecoded(state: LedgerState, decoded: Decoded, batch: Batch = newBatch()): LedgerState {
  const seq = seqOf(decoded);
  if (seq <= state.lastSeq) return state;
  const next = draft(batch, state);
  next.lastSeq = seq;
  if (decoded.kind !== 'malformed') {
    const { warehouse, id } = decoded.meta;
    if (hasWarehouseId(state.seenIds, warehouse, id)) {
      next.skipped += 1;
      next.quality = recordDuplicate(state.quality, decoded.meta, batch);
      next.stock = recordSubjectSeq(state.stock, decoded.meta.subject, seq, batch);
      return next;
    }
    next.seenIds = addWarehouseId(state.seenIds, warehouse, id, decoded.meta.timestampMs, batch);
  }
  next.applied += 1;
  if (decoded.kind === 'stock') {
    const { meta, event } = decoded;
    let undone = null;
    if (event.type === 'stock.reversed') {
      const check = checkReversal(state.undo, meta, event);
      if (check.ok) {
        undone = check.undone;
        decoded = { ...decoded, undone };
      } else {
        next.quality = recordRefusedReversal(state.quality, meta, check.reason, check.message, batch);
      }
    }
    next.undo = rememberEvent(state.undo, meta, event, undone, batch);
  }
  next.stock = warehouseStockView.evolve(state.stock, decoded, batch);
  next.sales = salesView.evolve(state.sales, decoded, batch);
  next.procurement = procurementStockView.evolve(state.procurement, decoded, batch);
  next.quality = dataQualityView.evolve(next.quality, decoded, batch);
  return next;
}

/** Applies messages in order, copying each container at most once for the whole batch. */
export function applyBatch(state: LedgerState, decodeds: Iterable<Decoded>): LedgerState {
  const batch = newBatch();
  let next = state;
  for (const decoded of decodeds) next = applyDecoded(next, decoded, batch);
  return next;
}

export function ledgerViews(state: LedgerState): LedgerViews {
  const { seenIds: _ids, undo: _undo, ...views } = state;
  return views;
}
