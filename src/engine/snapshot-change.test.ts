import { describe, expect, it } from 'vitest';
import { applyBatch, initialLedger, ledgerViews, type LedgerState } from '../core/ledger';
import { TestStream } from '../core/testing';
import { narrowViews, NO_INTEREST } from '../core/view-interest';
import type { EngineSnapshot } from './protocol';
import { sameShown, sameValue } from './snapshot-change';

const HOUR = 3600_000;
const T0 = 1_780_000_000_000;

/** The snapshot a page showing warehouse 46's stock and sales is sent, as the engine session builds it. */
function snapshotOf(ledger: LedgerState, extra: Partial<EngineSnapshot> = {}): EngineSnapshot {
  const interest = { ...NO_INTEREST, stock: ['46'], sales: ['46'], kvLevels: ['46'] };
  return {
    views: narrowViews(ledgerViews(ledger), interest, 'live'),
    warehouses: [...ledger.stock.warehouses.keys()],
    past: null,
    seeking: null,
    lastEventMs: null,
    start: { from: 'checkpoint', seq: 0, folded: ledger.applied, scope: '46' },
    kvLevels: {},
    kvReady: true,
    thresholds: {},
    alerts: [],
    alertProblems: 0,
    workers: {},
    ...extra,
  };
}

describe('sameShown', () => {
  const s = new TestStream(T0);
  const start = applyBatch(initialLedger(), [
    s.replenished('46', 'Apples', 10, 'A1'),
    s.replenished('52', 'Apples', 10, 'A1'),
    s.sold('46', 'Apples', 1, 'A1'),
    s.sold('52', 'Apples', 1, 'A1'),
  ]);
  const before = snapshotOf(start, { lastEventMs: T0 });

  it('given only other warehouses’ events since, then nothing shown changed', () => {
    const later = applyBatch(start, [s.sold('52', 'Apples', 2, 'A1'), s.replenished('52', 'Pears', 3, '-')]);
    expect(later.lastSeq).toBeGreaterThan(start.lastSeq);
    expect(sameShown(before, snapshotOf(later, { lastEventMs: T0 + HOUR }))).toBe(true);
  });

  it('given an event of the warehouse shown, then it changed: stock, sales, or a new product', () => {
    expect(sameShown(before, snapshotOf(applyBatch(start, [s.sold('46', 'Apples', 2, 'A1')])))).toBe(false);
    expect(sameShown(before, snapshotOf(applyBatch(start, [s.moved('46', 'Apples', 'A1', 'B2', 1)])))).toBe(
      false,
    );
    expect(sameShown(before, snapshotOf(applyBatch(start, [s.replenished('46', 'Pears', 1, '-')])))).toBe(
      false,
    );
  });

  it('given a new warehouse, a past moment, a bucket level or an alert, then it changed', () => {
    const elsewhere = applyBatch(start, [s.replenished('61', 'Apples', 1, 'A1')]);
    expect(sameShown(before, snapshotOf(elsewhere))).toBe(false);
    expect(
      sameShown(before, {
        ...before,
        past: { atMs: T0, speed: 0, warehouse: '46', views: before.views },
      }),
    ).toBe(false);
    expect(
      sameShown(before, {
        ...before,
        kvLevels: { '46.Apples': { key: '46.Apples', revision: 3, value: null as never } },
      }),
    ).toBe(false);
    expect(sameShown(before, { ...before, alertProblems: 1 })).toBe(false);
  });
});

describe('sameValue', () => {
  it('compares maps, sets, arrays and records by content', () => {
    expect(sameValue(new Map([['a', [1, { b: 2 }]]]), new Map([['a', [1, { b: 2 }]]]))).toBe(true);
    expect(sameValue(new Map([['a', 1]]), new Map([['b', 1]]))).toBe(false);
    expect(sameValue(new Map([['a', 1]]), { a: 1 })).toBe(false);
    expect(sameValue(new Set([1, 2]), new Set([2, 1]))).toBe(true);
    expect(sameValue(new Set([1, 2]), new Set([1, 3]))).toBe(false);
    expect(sameValue([1, 2], [1, 2, 3])).toBe(false);
    expect(sameValue({ a: 1, b: undefined }, { a: 1, c: undefined })).toBe(false);
    expect(sameValue({ a: null }, { a: 0 })).toBe(false);
    expect(sameValue(Number.NaN, Number.NaN)).toBe(true);
  });
});
