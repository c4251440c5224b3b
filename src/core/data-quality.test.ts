import { describe, expect, it } from 'vitest';
import {
  RECENT_ISSUES_LIMIT,
  dataQualityView as view,
  newestIssues,
  reasonCounts,
  recordDuplicate,
} from './data-quality';
import { TestStream } from './testing';
import { fold } from './view';

describe('data quality', () => {
  it('given a malformed message, then it is counted by reason and listed', () => {
    const s = new TestStream();
    const state = fold(view, [
      s.sold('46', 'Apples', 1),
      s.malformed('warehouse.46.product.Apples', 'bad_quantity', 'quantity -1 must be at least 1'),
    ]);
    expect(state.total).toBe(1);
    expect(state.byKind).toEqual({ malformed: 1, unknown: 0, duplicate: 0, refused: 0 });
    expect(state.byReason).toEqual({ bad_quantity: 1 });
    expect(state.recent).toEqual([
      {
        seq: 2,
        subject: 'warehouse.46.product.Apples',
        reason: 'bad_quantity',
        message: 'quantity -1 must be at least 1',
        kind: 'malformed',
      },
    ]);
  });

  it('given an unknown type, then it is listed as unknown with its type', () => {
    const s = new TestStream();
    const state = fold(view, [s.unknown('46', 'Apples', 'stock.audited')]);
    expect(state.byKind.unknown).toBe(1);
    expect(state.recent[0]).toMatchObject({ kind: 'unknown', reason: 'unknown_type', seq: 1 });
    expect(state.recent[0]?.message).toContain('stock.audited');
  });

  it('records a duplicate reported by the ledger', () => {
    const s = new TestStream();
    const first = s.sold('46', 'Apples', 1);
    const copy = s.again(first);
    const state = fold(view, [first]);
    const after = copy.kind === 'stock' ? recordDuplicate(state, copy.meta) : state;
    expect(after.byKind.duplicate).toBe(1);
    expect(after.recent[0]).toMatchObject({ kind: 'duplicate', reason: 'duplicate', seq: 2 });
    expect(copy.kind === 'stock' && recordDuplicate(after, copy.meta)).toBe(after);
  });

  it('keeps the newest 500 but never loses count', () => {
    const s = new TestStream();
    const events = Array.from({ length: 1234 }, (_, i) =>
      i % 2 === 0 ? s.malformed('warehouse.46.product.Apples', 'bad_json') : s.unknown('46', 'Apples', 'x'),
    );
    const batched = fold(view, events);
    const oneByOne = events.reduce((state, e) => view.evolve(state, e), view.initialState);
    for (const state of [batched, oneByOne]) {
      expect(state.total).toBe(1234);
      expect(state.byKind).toEqual({ malformed: 617, unknown: 617, duplicate: 0, refused: 0 });
      expect(state.recent).toHaveLength(RECENT_ISSUES_LIMIT);
      expect(state.recent[0]?.seq).toBe(1234 - RECENT_ISSUES_LIMIT + 1);
      expect(state.recent.at(-1)?.seq).toBe(1234);
    }
    expect(batched).toEqual(oneByOne);
    expect(newestIssues(batched, 2).map((i) => i.seq)).toEqual([1234, 1233]);
    expect(reasonCounts(batched)).toEqual([
      { reason: 'bad_json', count: 617 },
      { reason: 'unknown_type', count: 617 },
    ]);
  });

  it('keeps its state for stock events, apart from the checkpoint', () => {
    const s = new TestStream();
    const before = fold(view, [s.malformed('x')]);
    const after = view.evolve(before, s.sold('46', 'Apples', 1));
    expect(after.recent).toBe(before.recent);
    expect(after.byReason).toBe(before.byReason);
    expect(after.lastSeq).toBe(2);
  });

  it('replayed twice, gives the same result', () => {
    const s = new TestStream();
    const events = [s.malformed('a.b'), s.unknown('46', 'Apples', 'x'), s.sold('46', 'Apples', 1)];
    const once = fold(view, events);
    expect(fold(view, events, once)).toBe(once);
    expect(fold(view, events)).toEqual(once);
  });
});
