/**
 * The set of event ids a reader has applied (docs/architecture.md#reading-rules: at most once per
 * `myorg_msg_id`). A million UUID strings in a Set cost around 100 MB; here a canonical UUID takes 16 bytes
 * in a typed array plus a hash slot, and `seq:<n>` ids take the same. Other ids fall back to a Map.
 *
 * The set is persistent in the way a Go slice is: entries are appended to a store shared by successive
 * versions, and each version sees only the entries before its own `size`. Adding to the newest version
 * appends in place; adding to an older version copies the store first, so no version ever changes.
 */
import type { Batch, Mutable } from './batch';

interface IdStore {
  /** Entries in the store, visible or not. */
  count: number;
  /** Four 32-bit words per entry, by entry index. */
  words: Uint32Array;
  /** Per entry: which encoding the words use, or STRING when the id lives in `strings`. */
  kinds: Uint8Array;
  /** Open addressing: entry index + 1, 0 for an empty slot. */
  slots: Int32Array;
  strings: Map<string, number>;
}

export interface IdSet {
  readonly size: number;
  /** Null until the first id, so that an empty set constant shares nothing. */
  readonly store: IdStore | null;
}

export const emptyIdSet: IdSet = { size: 0, store: null };

const STRING = 0;
const UUID_LOWER = 1;
const UUID_UPPER = 2;
const SEQ = 3;

const scratch = new Uint32Array(4);

/** Encodes `id` into `scratch` and returns its kind, or STRING when it has no compact form. */
function encode(id: string): number {
  if (id.length === 36) return encodeUuid(id);
  if (id.startsWith('seq:') && /^seq:[1-9]\d{0,15}$/.test(id)) {
    const n = Number(id.slice(4));
    if (!Number.isSafeInteger(n)) return STRING;
    scratch[0] = n >>> 0;
    scratch[1] = Math.floor(n / 0x1_0000_0000);
    scratch[2] = 0;
    scratch[3] = 0;
    return SEQ;
  }
  return STRING;
}

function encodeUuid(id: string): number {
  let lower = false;
  let upper = false;
  let word = 0;
  let nibbles = 0;
  for (let i = 0; i < 36; i++) {
    const c = id.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return STRING;
      continue;
    }
    let v: number;
    if (c >= 48 && c <= 57) v = c - 48;
    else if (c >= 97 && c <= 102) {
      v = c - 87;
      lower = true;
    } else if (c >= 65 && c <= 70) {
      v = c - 55;
      upper = true;
    } else return STRING;
    word = (word << 4) | v;
    nibbles++;
    if ((nibbles & 7) === 0) {
      scratch[(nibbles >>> 3) - 1] = word >>> 0;
      word = 0;
    }
  }
  if (lower && upper) return STRING;
  return upper ? UUID_UPPER : UUID_LOWER;
}

function hash(kind: number): number {
  let h = kind;
  for (let i = 0; i < 4; i++) {
    h = Math.imul(h ^ (scratch[i] ?? 0), 0x9e3779b1);
    h ^= h >>> 16;
  }
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

/** Entry index of the id now in `scratch`, or -1. */
function findWords(store: IdStore, kind: number): number {
  const mask = store.slots.length - 1;
  const { words, kinds, slots } = store;
  for (let slot = hash(kind) & mask; ; slot = (slot + 1) & mask) {
    const entry = (slots[slot] ?? 0) - 1;
    if (entry < 0) return -1;
    const w = entry * 4;
    if (
      kinds[entry] === kind &&
      words[w] === scratch[0] &&
      words[w + 1] === scratch[1] &&
      words[w + 2] === scratch[2] &&
      words[w + 3] === scratch[3]
    ) {
      return entry;
    }
  }
}

export function hasId(set: IdSet, id: string): boolean {
  const store = set.store;
  if (store === null) return false;
  const kind = encode(id);
  const entry = kind === STRING ? (store.strings.get(id) ?? -1) : findWords(store, kind);
  return entry >= 0 && entry < set.size;
}

/**
 * `set` with `id` added (the caller checks `hasId` first). Inside a batch, a version the batch created is
 * updated in place.
 */
export function addId(set: IdSet, id: string, batch?: Batch): IdSet {
  let store = set.store;
  if (store === null) store = createStore(16);
  else if (store.count !== set.size) store = copyStore(store, set.size);
  append(store, id);
  if (batch) {
    if (batch.owned.has(set)) {
      const writable = set as Mutable<IdSet>;
      writable.size += 1;
      writable.store = store;
      return set;
    }
    const next: IdSet = { size: set.size + 1, store };
    batch.owned.add(next);
    return next;
  }
  return { size: set.size + 1, store };
}

function createStore(capacity: number): IdStore {
  return {
    count: 0,
    words: new Uint32Array(capacity * 4),
    kinds: new Uint8Array(capacity),
    slots: new Int32Array(capacity * 2),
    strings: new Map(),
  };
}

/** A private copy holding the first `size` entries. */
function copyStore(store: IdStore, size: number): IdStore {
  let capacity = 16;
  while (capacity < size + 1) capacity *= 2;
  const copy = createStore(capacity);
  copy.words.set(store.words.subarray(0, size * 4));
  copy.kinds.set(store.kinds.subarray(0, size));
  copy.count = size;
  for (const [id, entry] of store.strings) if (entry < size) copy.strings.set(id, entry);
  rehash(copy);
  return copy;
}

function append(store: IdStore, id: string): void {
  if (store.count === store.kinds.length) grow(store);
  const entry = store.count;
  const kind = encode(id);
  store.kinds[entry] = kind;
  if (kind === STRING) store.strings.set(id, entry);
  else {
    store.words.set(scratch, entry * 4);
    insertSlot(store, entry, hash(kind));
  }
  store.count += 1;
}

function grow(store: IdStore): void {
  const capacity = store.kinds.length * 2;
  const words = new Uint32Array(capacity * 4);
  words.set(store.words);
  const kinds = new Uint8Array(capacity);
  kinds.set(store.kinds);
  store.words = words;
  store.kinds = kinds;
  store.slots = new Int32Array(capacity * 2);
  rehash(store);
}

function rehash(store: IdStore): void {
  store.slots.fill(0);
  for (let entry = 0; entry < store.count; entry++) {
    const kind = store.kinds[entry] ?? STRING;
    if (kind === STRING) continue;
    scratch.set(store.words.subarray(entry * 4, entry * 4 + 4));
    insertSlot(store, entry, hash(kind));
  }
}

function insertSlot(store: IdStore, entry: number, h: number): void {
  const mask = store.slots.length - 1;
  let slot = h & mask;
  while ((store.slots[slot] ?? 0) !== 0) slot = (slot + 1) & mask;
  store.slots[slot] = entry + 1;
}

/** The visible ids in a compact, structured-clone-friendly form (no hash slots, no spare capacity). */
export interface IdSetExport {
  readonly size: number;
  /** Four words per entry. */
  readonly words: Uint32Array;
  readonly kinds: Uint8Array;
  /** Ids without a compact form, with their entry index. */
  readonly strings: readonly (readonly [string, number])[];
}

export function exportIdSet(set: IdSet): IdSetExport {
  const store = set.store;
  if (store === null) return { size: 0, words: new Uint32Array(0), kinds: new Uint8Array(0), strings: [] };
  return {
    size: set.size,
    words: store.words.slice(0, set.size * 4),
    kinds: store.kinds.slice(0, set.size),
    strings: [...store.strings].filter(([, entry]) => entry < set.size),
  };
}

/** The set an export was made from, or null when the export is inconsistent (never a half-right set). */
export function importIdSet(data: IdSetExport): IdSet | null {
  const { size, words, kinds } = data;
  // Read back from IndexedDB: the declared type is a hope, so the pairs are checked as unknown values.
  const strings: unknown = data.strings;
  if (!Number.isSafeInteger(size) || size < 0) return null;
  if (!(words instanceof Uint32Array) || !(kinds instanceof Uint8Array) || !Array.isArray(strings))
    return null;
  if (words.length !== size * 4 || kinds.length !== size) return null;
  if (size === 0) return emptyIdSet;
  let capacity = 16;
  while (capacity < size) capacity *= 2;
  const store = createStore(capacity);
  store.words.set(words);
  store.kinds.set(kinds);
  store.count = size;
  let stringEntries = 0;
  for (let entry = 0; entry < size; entry++) {
    const kind = kinds[entry];
    if (kind === STRING) stringEntries++;
    else if (kind !== UUID_LOWER && kind !== UUID_UPPER && kind !== SEQ) return null;
  }
  for (const pair of strings as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2) return null;
    const id: unknown = pair[0];
    const entry: unknown = pair[1];
    if (typeof id !== 'string' || typeof entry !== 'number') return null;
    if (!Number.isSafeInteger(entry) || entry < 0 || entry >= size) return null;
    if (kinds[entry] !== STRING || store.strings.has(id)) return null;
    store.strings.set(id, entry);
  }
  if (store.strings.size !== stringEntries) return null;
  rehash(store);
  return { size, store };
}
