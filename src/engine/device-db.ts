/**
 * The dashboard's IndexedDB database on this device: the saved fold (snapshot-store.ts) and the commands
 * waiting to be sent (kept-commands.ts). One database, one version, so that neither store's upgrade blocks
 * the other's. Everything here may fail (private windows, quota, a blocked upgrade); callers decide what a
 * failure costs, never the session.
 */
const DB_NAME = 'stockwire';
/** 2: the `kept-commands` store. */
const DB_VERSION = 2;
export const DEVICE_STORES = { folds: 'ledger-snapshots', commands: 'kept-commands' } as const;
type StoreName = (typeof DEVICE_STORES)[keyof typeof DEVICE_STORES];

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      for (const store of Object.values(DEVICE_STORES)) {
        if (!request.result.objectStoreNames.contains(store)) request.result.createObjectStore(store);
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
    request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab upgrading it'));
  });
}

export async function inDeviceStore<T>(
  name: StoreName,
  mode: IDBTransactionMode,
  action: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(name, mode);
      const request = action(tx.objectStore(name));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error ?? request.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}
