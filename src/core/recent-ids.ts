/**
 * The event ids a reader still de-duplicates against (docs/architecture.md#the-id-horizon): those applied
 * while the newest event time seen was within ID_HORIZON_MS of what it is now. Older ids are forgotten, so the
 * set no longer grows with the whole history.
 *
 * Two generations instead of a time per id: ids go into `current`; when an event's time reaches
 * `sinceMs + horizon`, `current` becomes `previous` and the old `previous` is dropped whole. An id therefore
 * lives between one and two horizons of event time, and forgetting costs no scan and no allocation per id —
 * this runs on the replay path at tens of thousands of events per second. Pure: the clock is event time.
 */
import type { Batch, Mutable } from './batch';
import { addId, emptyIdSet, exportIdSet, hasId, importIdSet, type IdSet, type IdSetExport } from './id-set';

const DAY_MS = 24 * 60 * 60_000;

/** How long an applied id is remembered, in event time; why a week: docs/architecture.md#the-id-horizon. */
export const ID_HORIZON_MS = 7 * DAY_MS;

/**
 * What an event at `atMs` does to two generations whose newer one opened at `sinceMs`: `open` the first one;
 * `keep` them; `shift` (the newer becomes the older, a new one opens); or `restart` both after a quiet spell of
 * two horizons or more, when even the newer is older than one horizon. Everything remembered by event time for
 * the id horizon follows this one rule, so all of it is forgotten together (src/core/undo-memory.ts too).
 */
export type GenerationStep = 'open' | 'keep' | 'shift' | 'restart';

export function generationStep(sinceMs: number, atMs: number, horizonMs: number): GenerationStep {
  if (!(sinceMs > Number.NEGATIVE_INFINITY)) return 'open';
  if (atMs - sinceMs < horizonMs) return 'keep';
  return atMs - sinceMs >= 2 * horizonMs ? 'restart' : 'shift';
}

export interface RecentIds {
  readonly current: IdSet;
  readonly previous: IdSet;
  /** Event time that opened `current`; -Infinity before the first id. */
  readonly sinceMs: number;
  readonly horizonMs: number;
}

export function emptyRecentIds(horizonMs = ID_HORIZON_MS): RecentIds {
  return { current: emptyIdSet, previous: emptyIdSet, sinceMs: Number.NEGATIVE_INFINITY, horizonMs };
}

export function hasRecentId(ids: RecentIds, id: string): boolean {
  return hasId(ids.current, id) || hasId(ids.previous, id);
}

/** Ids held now, in both generations. */
export function recentIdCount(ids: RecentIds): number {
  return ids.current.size + ids.previous.size;
}

/**
 * `ids` with `id` added, applied at event time `atMs` (the caller checks `hasRecentId` first). Inside a batch,
 * a version the batch created is updated in place.
 */
export function addRecentId(ids: RecentIds, id: string, atMs: number, batch?: Batch): RecentIds {
  let { current, previous, sinceMs } = ids;
  const step = generationStep(sinceMs, atMs, ids.horizonMs);
  if (step !== 'keep') sinceMs = atMs;
  if (step === 'shift' || step === 'restart') {
    previous = step === 'shift' ? current : emptyIdSet;
    current = emptyIdSet;
  }
  current = addId(current, id, batch);
  if (batch?.owned.has(ids)) {
    const writable = ids as Mutable<RecentIds>;
    writable.current = current;
    writable.previous = previous;
    writable.sinceMs = sinceMs;
    return ids;
  }
  const next: RecentIds = { current, previous, sinceMs, horizonMs: ids.horizonMs };
  batch?.owned.add(next);
  return next;
}

export interface RecentIdsExport {
  readonly current: IdSetExport;
  readonly previous: IdSetExport;
  readonly sinceMs: number;
  readonly horizonMs: number;
}

export function exportRecentIds(ids: RecentIds): RecentIdsExport {
  return {
    current: exportIdSet(ids.current),
    previous: exportIdSet(ids.previous),
    sinceMs: ids.sinceMs,
    horizonMs: ids.horizonMs,
  };
}

/** The ids an export was made from, or null when it is inconsistent. */
export function importRecentIds(data: unknown): RecentIds | null {
  if (typeof data !== 'object' || data === null) return null;
  const d = data as Partial<Record<keyof RecentIdsExport, unknown>>;
  const { sinceMs, horizonMs } = d;
  if (typeof sinceMs !== 'number' || Number.isNaN(sinceMs) || sinceMs === Number.POSITIVE_INFINITY)
    return null;
  if (typeof horizonMs !== 'number' || !Number.isSafeInteger(horizonMs) || horizonMs <= 0) return null;
  if (!isRecord(d.current) || !isRecord(d.previous)) return null;
  const current = importIdSet(d.current as unknown as IdSetExport);
  const previous = importIdSet(d.previous as unknown as IdSetExport);
  if (current === null || previous === null) return null;
  if (sinceMs === Number.NEGATIVE_INFINITY && current.size + previous.size > 0) return null;
  return { current, previous, sinceMs, horizonMs };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
