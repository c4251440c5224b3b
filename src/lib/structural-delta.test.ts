import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDelta, diffTrees } from './structural-delta';

/** Equality that also holds Maps and objects to their key order, which screens list by. */
function sameInOrder(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Map && b instanceof Map) {
    const ea = [...a];
    const eb = [...b];
    return (
      ea.length === eb.length && ea.every(([k, v], i) => Object.is(k, eb[i]![0]) && sameInOrder(v, eb[i]![1]))
    );
  }
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => sameInOrder(v, b[i]));
  if (typeof a === 'object' && typeof b === 'object' && a && b && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length &&
      ka.every(
        (k, i) =>
          k === kb[i] && sameInOrder((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
      )
    );
  }
  return false;
}

type Tree = number | string | null | number[] | Map<string, Tree> | { [key: string]: Tree };

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e');
const tree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: 0, max: 5 }),
    fc.constantFrom('x', 'y', null),
    fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
    fc.array(fc.tuple(key, tie('tree')), { maxLength: 4 }).map((entries) => new Map(entries)),
    fc.dictionary(key, tie('tree'), { maxKeys: 4 }),
  ),
})).tree;

/** An immutable edit of `t`: what is not changed stays the same reference, as in the engine's views. */
function edit(
  t: Tree,
  steps: readonly { path: number; op: number; value: Tree; k: string }[],
  depth = 0,
): Tree {
  const step = steps[depth];
  if (!step) return t;
  if (t instanceof Map) {
    const next = new Map(t);
    const keys = [...t.keys()];
    const target = keys.length > 0 ? keys[step.path % keys.length]! : step.k;
    if (step.op === 0) next.delete(target);
    else if (step.op === 1) next.set(step.k, step.value);
    else if (step.op === 2 && next.has(target)) next.set(target, edit(t.get(target)!, steps, depth + 1));
    else if (step.op === 3) return new Map([...next].reverse());
    return next;
  }
  if (t && typeof t === 'object' && !Array.isArray(t)) {
    const keys = Object.keys(t);
    const target = keys.length > 0 ? keys[step.path % keys.length]! : step.k;
    const next = { ...t };
    if (step.op === 0) delete next[target];
    else if (step.op === 1) next[step.k] = step.value;
    else if (step.op === 2 && target in t) next[target] = edit(t[target]!, steps, depth + 1);
    return next;
  }
  return step.op === 1 ? step.value : t;
}

const steps = fc.array(
  fc.record({ path: fc.nat(10), op: fc.integer({ min: 0, max: 3 }), value: tree, k: key }),
  { maxLength: 4 },
);

describe('structural delta', () => {
  it('applied to a copy of the first tree, it gives the second, key order included', () => {
    fc.assert(
      fc.property(tree, steps, steps, (before, first, second) => {
        const after = edit(edit(before, first), second);
        // Both sides of a postMessage hold their own copies.
        const delta = structuredClone(diffTrees(before, after));
        const pageCopy = structuredClone(before);
        expect(sameInOrder(applyDelta(pageCopy, delta), after)).toBe(true);
        expect(sameInOrder(pageCopy, before)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('sends only what changed, and shares the rest on the receiving side', () => {
    const apples = { total: 10, locations: new Map([['A1', 10]]) };
    const pears = { total: 3, locations: new Map([['-', 3]]) };
    const before = {
      stock: new Map([
        [
          '46',
          new Map([
            ['Apples', apples],
            ['Pears', pears],
          ]),
        ],
      ]),
      lastSeq: 7,
    };
    const sold = { total: 9, locations: new Map([['A1', 9]]) };
    const after = {
      stock: new Map([
        [
          '46',
          new Map([
            ['Apples', sold],
            ['Pears', pears],
          ]),
        ],
      ]),
      lastSeq: 8,
    };
    const delta = diffTrees(before, after);
    expect(JSON.stringify(delta)).not.toContain('Pears');
    const page = applyDelta(before, delta) as typeof after;
    expect(page.stock.get('46')!.get('Pears')).toBe(pears);
    expect(page.stock.get('46')!.get('Apples')).toEqual(sold);
    expect(diffTrees(after, after)).toEqual({ k: 'same' });
  });

  it('given a delta that does not fit what the page holds, then it says so', () => {
    expect(() => applyDelta(undefined, { k: 'object', set: {}, del: [] })).toThrow(/no object/);
    expect(() => applyDelta({}, { k: 'map', set: [], del: [] })).toThrow(/no map/);
  });
});
