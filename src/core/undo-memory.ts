/**
 * The stock events a fold remembers so that a later `stock.reversed` can take one back
 * (docs/architecture.md#undo). A reversal names only the id of the event it undoes; what that event did — its
 * type, product, locations, quantity and time — is found here. Like the ids of the id horizon
 * (docs/architecture.md#the-id-horizon), events are remembered by warehouse, on that warehouse's own event
 * time, for one to two weeks: memory stays bounded however long the stream, and a fold of one warehouse's
 * subjects alone resolves every reversal exactly as a fold of the chain does.
 *
 * Each generation is persistent the way the id set is (src/core/id-set.ts): entries are appended to a store
 * shared by successive versions, and a version sees only the entries below its `size`. A reversal is an entry
 * too (it marks the event it undoes), so a version from before a reversal still sees the event as not undone.
 * Adding to an older version copies the store first. This keeps a replay at one small object per event instead
 * of copying a week of events with every batch.
 */
import { draft, draftMap, type Batch, type Mutable } from './batch';
import type { EventMeta } from './codec';
import { isReversible, type ReversibleEvent, type StockEvent, type StockReversed } from './events';
import { generationStep, ID_HORIZON_MS } from './recent-ids';

interface Remembered {
  /** Position in the store; a version sees the entry when it is below the version's size. */
  readonly index: number;
  readonly event: StockEvent;
  readonly atMs: number;
  readonly seq: number;
  /** Set once, when a reversal undoes it; seen by the versions whose size is above `reversal.index`. */
  reversal: { readonly index: number; readonly id: string; readonly seq: number } | null;
}

interface MemoryStore {
  count: number;
  readonly entries: Map<string, Remembered>;
}

interface Generation {
  readonly size: number;
  readonly store: MemoryStore | null;
}

const EMPTY: Generation = { size: 0, store: null };

interface WarehouseMemory {
  readonly current: Generation;
  readonly previous: Generation;
  /** Event time that opened `current`; -Infinity before the first event. */
  readonly sinceMs: number;
}

export interface UndoMemory {
  readonly horizonMs: number;
  readonly byWarehouse: ReadonlyMap<string, WarehouseMemory>;
}

export function emptyUndoMemory(horizonMs = ID_HORIZON_MS): UndoMemory {
  return { horizonMs, byWarehouse: new Map() };
}

/** The event a reversal takes back, as it was applied. */
export interface UndoneEvent {
  readonly id: string;
  readonly event: ReversibleEvent;
  readonly atMs: number;
  readonly seq: number;
}

export type ReversalRefusal =
  'reverses_unknown' | 'reverses_twice' | 'reverses_other_product' | 'not_reversible';

export type ReversalCheck =
  { ok: true; undone: UndoneEvent } | { ok: false; reason: ReversalRefusal; message: string };

function find(memory: WarehouseMemory, id: string): { entry: Remembered; size: number } | null {
  for (const generation of [memory.current, memory.previous]) {
    const entry = generation.store?.entries.get(id);
    if (entry !== undefined && entry.index < generation.size) return { entry, size: generation.size };
  }
  return null;
}

function reversalSeen(entry: Remembered, size: number): Remembered['reversal'] {
  return entry.reversal !== null && entry.reversal.index < size ? entry.reversal : null;
}

/**
 * Whether `reversal`, in the warehouse and product of `meta`, may undo the event it names, and that event when
 * it may. Refused: an id this warehouse's memory does not hold (never seen here, or older than the horizon), an
 * event of another product, a count or a reversal, and an event already undone.
 */
export function checkReversal(
  memory: UndoMemory,
  meta: Pick<EventMeta, 'warehouse' | 'product'>,
  reversal: StockReversed,
): ReversalCheck {
  const id = reversal.reverses;
  const shown = id.slice(0, 80);
  const warehouseMemory = memory.byWarehouse.get(meta.warehouse);
  const found = warehouseMemory ? find(warehouseMemory, id) : null;
  if (found === null) {
    return {
      ok: false,
      reason: 'reverses_unknown',
      message: `reverses event ${shown}, which warehouse ${meta.warehouse} has not recorded within the id horizon (a week or more)`,
    };
  }
  const { entry, size } = found;
  const original = entry.event;
  if (original.product_name !== meta.product) {
    return {
      ok: false,
      reason: 'reverses_other_product',
      message: `reverses event ${shown} of ${original.product_name}, not of ${meta.product}`,
    };
  }
  if (!isReversible(original)) {
    return {
      ok: false,
      reason: 'not_reversible',
      message:
        original.type === 'stock.corrected'
          ? `reverses event ${shown}, a count: a count is fixed by another count`
          : `reverses event ${shown}, itself an undo: record the event again instead`,
    };
  }
  const earlier = reversalSeen(entry, size);
  if (earlier !== null) {
    return {
      ok: false,
      reason: 'reverses_twice',
      message: `reverses event ${shown}, already undone by ${earlier.id.slice(0, 80)} (#${earlier.seq})`,
    };
  }
  return { ok: true, undone: { id, event: original, atMs: entry.atMs, seq: entry.seq } };
}

/**
 * `memory` with the event of `meta` remembered and, when `undone` is given, that earlier event marked as
 * undone by it. The caller has applied the event (a duplicate is never remembered twice).
 */
export function rememberEvent(
  memory: UndoMemory,
  meta: EventMeta,
  event: StockEvent,
  undone: UndoneEvent | null,
  batch: Batch,
): UndoMemory {
  const before = memory.byWarehouse.get(meta.warehouse);
  const next = rotate(before, meta.timestampMs, memory.horizonMs, batch);
  let current = next.current;
  if (undone !== null) {
    // The undone event may sit in the older generation; marking it there keeps it where it is.
    const inCurrent = current.store?.entries.get(undone.id);
    if (inCurrent !== undefined && inCurrent.index < current.size) {
      current = mark(current, undone.id, meta, batch);
    } else {
      next.previous = mark(next.previous, undone.id, meta, batch);
    }
  }
  current = append(current, meta, event, batch);
  next.current = current;
  if (before === next) return memory;
  const result = draft(batch, memory);
  result.byWarehouse = draftMap(batch, memory.byWarehouse).set(meta.warehouse, next);
  return result;
}

function rotate(
  memory: WarehouseMemory | undefined,
  atMs: number,
  horizonMs: number,
  batch: Batch,
): Mutable<WarehouseMemory> {
  const writable = draft(
    batch,
    memory ?? { current: EMPTY, previous: EMPTY, sinceMs: Number.NEGATIVE_INFINITY },
  );
  // The ids' rule (src/core/recent-ids.ts), so an event is forgotten here when its id is.
  const step = generationStep(writable.sinceMs, atMs, horizonMs);
  if (step !== 'keep') writable.sinceMs = atMs;
  if (step === 'shift' || step === 'restart') {
    writable.previous = step === 'shift' ? writable.current : EMPTY;
    writable.current = EMPTY;
  }
  return writable;
}

/** A store this generation alone may append to: its own when it is the newest version, else a copy. */
function writableStore(generation: Generation): MemoryStore {
  const store = generation.store;
  if (store !== null && store.count === generation.size) return store;
  const entries = new Map<string, Remembered>();
  if (store !== null) {
    for (const [id, entry] of store.entries) {
      if (entry.index >= generation.size) continue;
      entries.set(id, { ...entry, reversal: reversalSeen(entry, generation.size) });
    }
  }
  return { count: generation.size, entries };
}

function append(generation: Generation, meta: EventMeta, event: StockEvent, batch: Batch): Generation {
  const store = writableStore(generation);
  store.entries.set(meta.id, {
    index: store.count,
    event,
    atMs: meta.timestampMs,
    seq: meta.seq,
    reversal: null,
  });
  store.count += 1;
  return resized(generation, store, batch);
}

function mark(generation: Generation, id: string, meta: EventMeta, batch: Batch): Generation {
  const store = writableStore(generation);
  const entry = store.entries.get(id);
  if (entry === undefined) return generation;
  entry.reversal = { index: store.count, id: meta.id, seq: meta.seq };
  store.count += 1;
  return resized(generation, store, batch);
}

function resized(generation: Generation, store: MemoryStore, batch: Batch): Generation {
  if (batch.owned.has(generation)) {
    const writable = generation as Mutable<Generation>;
    writable.size = store.count;
    writable.store = store;
    return generation;
  }
  const next: Generation = { size: store.count, store };
  batch.owned.add(next);
  return next;
}

/** Events remembered now, over every warehouse. */
export function rememberedCount(memory: UndoMemory): number {
  let count = 0;
  for (const warehouse of memory.byWarehouse.values()) {
    for (const generation of [warehouse.current, warehouse.previous]) {
      if (generation.store === null) continue;
      for (const entry of generation.store.entries.values()) if (entry.index < generation.size) count += 1;
    }
  }
  return count;
}

// ---------------------------------------------------------------------------------------------------------
// Saved folds and checkpoints

/** [id, event, event time, sequence, id of the reversal that undid it or '', its sequence or 0] */
type ExportedEntry = [string, StockEvent, number, number, string, number];

interface ExportedWarehouse {
  readonly sinceMs: number;
  readonly current: readonly ExportedEntry[];
  readonly previous: readonly ExportedEntry[];
}

export interface UndoMemoryExport {
  readonly horizonMs: number;
  readonly byWarehouse: ReadonlyMap<string, ExportedWarehouse>;
}

export function exportUndoMemory(memory: UndoMemory): UndoMemoryExport {
  const byWarehouse = new Map<string, ExportedWarehouse>();
  for (const [warehouse, own] of memory.byWarehouse) {
    byWarehouse.set(warehouse, {
      sinceMs: own.sinceMs,
      current: exportGeneration(own.current),
      previous: exportGeneration(own.previous),
    });
  }
  return { horizonMs: memory.horizonMs, byWarehouse };
}

function exportGeneration(generation: Generation): ExportedEntry[] {
  const rows: ExportedEntry[] = [];
  if (generation.store === null) return rows;
  for (const [id, entry] of generation.store.entries) {
    if (entry.index >= generation.size) continue;
    const reversal = reversalSeen(entry, generation.size);
    rows.push([id, entry.event, entry.atMs, entry.seq, reversal?.id ?? '', reversal?.seq ?? 0]);
  }
  return rows;
}

/** The memory an export was made from, or null when it is inconsistent. */
export function importUndoMemory(data: unknown): UndoMemory | null {
  if (typeof data !== 'object' || data === null) return null;
  const { horizonMs, byWarehouse } = data as Partial<Record<keyof UndoMemoryExport, unknown>>;
  if (typeof horizonMs !== 'number' || !Number.isSafeInteger(horizonMs) || horizonMs <= 0) return null;
  if (!(byWarehouse instanceof Map)) return null;
  const imported = new Map<string, WarehouseMemory>();
  for (const [warehouse, exported] of byWarehouse as Map<unknown, unknown>) {
    if (typeof warehouse !== 'string' || typeof exported !== 'object' || exported === null) return null;
    const { sinceMs, current, previous } = exported as Partial<Record<keyof ExportedWarehouse, unknown>>;
    if (typeof sinceMs !== 'number') return null;
    const currentGeneration = importGeneration(current);
    const previousGeneration = importGeneration(previous);
    if (currentGeneration === null || previousGeneration === null) return null;
    imported.set(warehouse, { sinceMs, current: currentGeneration, previous: previousGeneration });
  }
  return { horizonMs, byWarehouse: imported };
}

function importGeneration(rows: unknown): Generation | null {
  if (!Array.isArray(rows)) return null;
  if (rows.length === 0) return EMPTY;
  const entries = new Map<string, Remembered>();
  // Reversal marks take the positions after every event, so each is seen by the imported version.
  let reversals = rows.length;
  for (const row of rows as unknown[]) {
    if (!Array.isArray(row) || row.length !== 6) return null;
    const [id, event, atMs, seq, reversalId, reversalSeq] = row as unknown[];
    if (typeof id !== 'string' || typeof atMs !== 'number' || typeof seq !== 'number') return null;
    if (typeof reversalId !== 'string' || typeof reversalSeq !== 'number') return null;
    if (typeof event !== 'object' || event === null || typeof (event as StockEvent).type !== 'string') {
      return null;
    }
    entries.set(id, {
      index: entries.size,
      event: event as StockEvent,
      atMs,
      seq,
      reversal: reversalId === '' ? null : { index: reversals++, id: reversalId, seq: reversalSeq },
    });
  }
  if (entries.size !== rows.length) return null;
  return { size: reversals, store: { count: reversals, entries } };
}
