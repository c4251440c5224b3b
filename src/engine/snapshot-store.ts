/**
 * The engine's saved fold, in IndexedDB: reopening the dashboard restores it and replays only the events
 * stored since. Everything here may fail (private windows, quota, a blocked upgrade); a failure costs a full
 * replay and a notice, never the session.
 */
import type { HeaderNames } from '../core/events';
import type { LedgerSnapshot } from '../core/ledger-snapshot';

const DB_NAME = 'stockwire';
const DB_VERSION = 1;
const STORE = 'ledger-snapshots';

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

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
    request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab upgrading it'));
  });
}

async function run<T>(
  mode: IDBTransactionMode,
  action: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error ?? request.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
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
