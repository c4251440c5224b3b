import { describe, expect, it } from 'vitest';
import { draft, draftArray, draftMap, fresh, newBatch } from './batch';

describe('copy-on-first-write batch', () => {
  it('copies a container it did not create, once, and leaves the original alone', () => {
    const batch = newBatch();
    const original = new Map([['a', 1]]);
    const first = draftMap(batch, original);
    first.set('b', 2);
    const second = draftMap(batch, first);
    second.set('c', 3);
    expect(second).toBe(first);
    expect([...original.keys()]).toEqual(['a']);
    expect([...first.keys()]).toEqual(['a', 'b', 'c']);
  });

  it('does the same for objects and arrays', () => {
    const batch = newBatch();
    const record = { n: 1 };
    const list = [1];
    const r = draft(batch, record);
    r.n = 2;
    expect(draft(batch, r)).toBe(r);
    const l = draftArray(batch, list);
    l.push(2);
    expect(draftArray(batch, l)).toBe(l);
    expect({ record, list }).toEqual({ record: { n: 1 }, list: [1] });
  });

  it('treats containers of another batch as shared', () => {
    const one = newBatch();
    const made = fresh(one, { n: 1 });
    const other = draft(newBatch(), made);
    expect(other).not.toBe(made);
    expect(draft(one, made)).toBe(made);
  });
});
