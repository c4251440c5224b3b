import { describe, expect, it } from 'vitest';
import { newBatch } from './batch';
import { addId, emptyIdSet, hasId, type IdSet } from './id-set';
import { testId } from './testing';

const addAll = (set: IdSet, ids: string[]): IdSet => ids.reduce((s, id) => addId(s, id), set);

describe('id set', () => {
  it.each([
    ['lower-case UUID', '3b241101-e2bb-4255-8caf-4136c566a962'],
    ['upper-case UUID', '3B241101-E2BB-4255-8CAF-4136C566A962'],
    ['mixed-case UUID', '3b241101-E2BB-4255-8caf-4136c566a962'],
    ['digits-only UUID', '12345678-1234-4123-8123-123456789012'],
    ['nil UUID', '00000000-0000-0000-0000-000000000000'],
    ['stream sequence', 'seq:42'],
    ['large stream sequence', 'seq:9007199254740991'],
    ['sequence with leading zero', 'seq:042'],
    ['any other text', 'order-17/retry'],
    ['36 characters that are not a UUID', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz'],
    ['empty', ''],
  ])('remembers a %s and nothing else', (_, id) => {
    const set = addAll(emptyIdSet, ['seq:41', 'seq:43', testId(1), 'other']);
    expect(hasId(set, id)).toBe(false);
    const withId = addId(set, id);
    expect(hasId(withId, id)).toBe(true);
    expect(withId.size).toBe(5);
  });

  it('tells ids apart that differ only in case or form', () => {
    const set = addAll(emptyIdSet, ['3b241101-e2bb-4255-8caf-4136c566a962', 'seq:42']);
    expect(hasId(set, '3B241101-E2BB-4255-8CAF-4136C566A962')).toBe(false);
    expect(hasId(set, 'seq:042')).toBe(false);
    expect(hasId(set, '00000000-0000-0000-0000-00000000002a')).toBe(false);
  });

  it('never changes an older version', () => {
    const v1 = addAll(emptyIdSet, ['a', testId(1)]);
    const v2 = addId(v1, testId(2));
    expect(hasId(v1, testId(2))).toBe(false);
    expect(hasId(v2, testId(2))).toBe(true);
    // Adding to v1 again forks the store: v2 and the fork do not see each other's ids.
    const fork = addId(v1, 'b');
    expect(hasId(fork, 'b')).toBe(true);
    expect(hasId(fork, testId(2))).toBe(false);
    expect(hasId(v2, 'b')).toBe(false);
    expect(hasId(emptyIdSet, 'a')).toBe(false);
  });

  it('holds 200 000 ids without a false answer', () => {
    const ids = Array.from({ length: 200_000 }, (_, i) =>
      i % 3 === 0 ? testId(i) : i % 3 === 1 ? `seq:${i}` : `custom-${i}`,
    );
    const batch = newBatch();
    let set = emptyIdSet;
    for (const id of ids.slice(0, 100_000)) set = addId(set, id, batch);
    expect(set.size).toBe(100_000);
    const missing = ids.slice(0, 100_000).filter((id) => !hasId(set, id));
    const phantom = ids.slice(100_000).filter((id) => hasId(set, id));
    expect({ missing, phantom }).toEqual({ missing: [], phantom: [] });
  });

  it('updates a version made by the same batch in place', () => {
    const batch = newBatch();
    const first = addId(emptyIdSet, 'a', batch);
    const second = addId(first, 'b', batch);
    expect(second).toBe(first);
    expect(second.size).toBe(2);
    expect(emptyIdSet.size).toBe(0);
  });
});
