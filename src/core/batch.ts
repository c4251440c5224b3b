/**
 * Copy-on-first-write for folds. A replay applies thousands of events in one go; copying every container on
 * the path of every event would allocate a full new state per event. A batch remembers the containers it
 * created itself: those are not yet visible to anyone else, so later events of the same batch may change
 * them in place. Containers that existed before the batch are never written, so every state a caller ever
 * received stays exactly as it was.
 */
export interface Batch {
  readonly owned: WeakSet<object>;
}

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function newBatch(): Batch {
  return { owned: new WeakSet() };
}

/** Registers a container the batch has just created, so later events may change it in place. */
export function fresh<T extends object>(batch: Batch, value: T): Mutable<T> {
  batch.owned.add(value);
  return value;
}

/** A writable version of `value`: itself when this batch created it, otherwise a shallow copy. */
export function draft<T extends object>(batch: Batch, value: T): Mutable<T> {
  if (batch.owned.has(value)) return value;
  return fresh(batch, { ...value });
}

export function draftMap<K, V>(batch: Batch, map: ReadonlyMap<K, V>): Map<K, V> {
  if (batch.owned.has(map)) return map as Map<K, V>;
  return fresh(batch, new Map(map));
}

export function draftArray<T>(batch: Batch, array: readonly T[]): T[] {
  if (batch.owned.has(array)) return array as T[];
  return fresh(batch, array.slice());
}
