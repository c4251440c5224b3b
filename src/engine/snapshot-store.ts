/**
 * The engine's saved fold, in IndexedDB: reopening the dashboard restores it and replays only the events
 * stored since. Everything here may fail (private windows, quota, a blocked upgrade); a failure costs a full
 * replay and a notice, never the session.
 */
import type { HeaderNames } from '../core/events';
import type { LedgerSnapshot } from '../core/ledger-snapshot';
import { DEVICE_STORES, inDeviceStore } from './device-db';

export interface SavedFold {
  /** Which deployment and stream the fold belongs to (see snapshotKey). */
  key: string;
  /** Creation time of the stream the fold was read from: a recreated stream makes the fold worthless. */
  streamCreated: string;
  savedAtMs: number;
  /** Oldest and newest event time folded, for the time machine's checkpoints. */
  minEventMs: number;
  maxEventMs: number;
  snapshot: LedgerSnapshot;
}

/**
 * One fold per set of servers, stream and header names; the user does not matter, every role reads the whole
 * stream. Under other header names the same messages decode differently (docs/architecture.md#reading-rules),
 * so a fold read with one prefix is no start for another.
 */
export function snapshotKey(servers: string | string[], stream: string, names: HeaderNames): string {
  return JSON.stringify([[servers].flat(), stream, names.type]);
}

function run<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return inDeviceStore(DEVICE_STORES.folds, mode, action);
}

/** What was saved under `key`, unchecked: the caller validates it (see restoreLedger). */
export function loadFold(key: string): Promise<unknown> {
  return run('readonly', (store) => store.get(key));
}

export async function saveFold(fold: SavedFold): Promise<void> {
  await run('readwrite', (store) => store.put(fold, fold.key));
}

export async function deleteFold(key: string): Promise<void> {
  await run('readwrite', (store) => store.delete(key));
}

export const indexedDbFoldStore = { load: loadFold, save: saveFold, delete: deleteFold };
