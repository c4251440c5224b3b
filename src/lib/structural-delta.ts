/**
 * What changed between two immutable trees of plain objects, arrays and Maps, as a delta that turns a copy of
 * the first into a copy of the second (docs/architecture.md#snapshots-as-changes). Both trees are taken to be
 * immutable: an unchanged branch is the same reference, and is neither walked nor sent.
 */

export type Delta =
  | { readonly k: 'same' }
  | { readonly k: 'value'; readonly v: unknown }
  | {
      readonly k: 'object';
      readonly set: Readonly<Record<string, Delta>>;
      readonly del: readonly string[];
    }
  | {
      readonly k: 'map';
      readonly set: readonly (readonly [unknown, Delta])[];
      readonly del: readonly unknown[];
    };

const SAME: Delta = { k: 'same' };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The delta from `before` to `after`. */
export function diffTrees(before: unknown, after: unknown): Delta {
  if (Object.is(before, after)) return SAME;
  if (before instanceof Map && after instanceof Map) return diffMaps(before, after);
  if (isPlainObject(before) && isPlainObject(after)) return diffObjects(before, after);
  return { k: 'value', v: after };
}

function diffMaps(before: ReadonlyMap<unknown, unknown>, after: ReadonlyMap<unknown, unknown>): Delta {
  const set: [unknown, Delta][] = [];
  const del: unknown[] = [];
  // Applied, the kept entries stay where they were and the new ones go last: an order that differs from
  // that (a map rebuilt sorted) is sent whole, since screens list entries in map order.
  const kept = [...before.keys()].filter((key) => after.has(key));
  let next = 0;
  let added = false;
  for (const [key, value] of after) {
    if (!before.has(key)) {
      added = true;
      set.push([key, { k: 'value', v: value }]);
      continue;
    }
    if (added || kept[next++] !== key) return { k: 'value', v: after };
    const delta = diffTrees(before.get(key), value);
    if (delta.k !== 'same') set.push([key, delta]);
  }
  for (const key of before.keys()) if (!after.has(key)) del.push(key);
  if (set.length === 0 && del.length === 0) return SAME;
  // A map mostly replaced is cheaper sent whole than entry by entry.
  if (set.length + del.length > after.size) return { k: 'value', v: after };
  return { k: 'map', set, del };
}

function diffObjects(before: Record<string, unknown>, after: Record<string, unknown>): Delta {
  const set: Record<string, Delta> = {};
  const del: string[] = [];
  // As for maps: applied, new keys go last, and a different order is sent whole.
  const kept = Object.keys(before).filter((key) => Object.hasOwn(after, key));
  let next = 0;
  let added = false;
  let changed = false;
  for (const key of Object.keys(after)) {
    if (!Object.hasOwn(before, key)) {
      added = true;
      set[key] = { k: 'value', v: after[key] };
      changed = true;
      continue;
    }
    if (added || kept[next++] !== key) return { k: 'value', v: after };
    const delta = diffTrees(before[key], after[key]);
    if (delta.k === 'same') continue;
    set[key] = delta;
    changed = true;
  }
  for (const key of Object.keys(before)) {
    if (Object.hasOwn(after, key)) continue;
    del.push(key);
    changed = true;
  }
  return changed ? { k: 'object', set, del } : SAME;
}

/**
 * `before` with `delta` applied, as a new tree that shares every unchanged branch with `before` (which is left
 * as it was). Throws when the delta does not fit `before`: the two sides have lost track of each other.
 */
export function applyDelta(before: unknown, delta: Delta): unknown {
  switch (delta.k) {
    case 'same':
      return before;
    case 'value':
      return delta.v;
    case 'object': {
      if (!isPlainObject(before)) throw new Error('a change to an object, but there is no object to change');
      const after: Record<string, unknown> = { ...before };
      for (const [key, change] of Object.entries(delta.set)) after[key] = applyDelta(before[key], change);
      for (const key of delta.del) delete after[key];
      return after;
    }
    case 'map': {
      if (!(before instanceof Map)) throw new Error('a change to a map, but there is no map to change');
      const after = new Map(before);
      for (const [key, change] of delta.set) after.set(key, applyDelta(before.get(key), change));
      for (const key of delta.del) after.delete(key);
      return after;
    }
  }
}
