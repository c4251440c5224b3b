import { describe, expect, it } from 'vitest';
import type { IdSet } from './id-set';
import { subjectOf, type Decoded } from './codec';
import { subjectWarehouse } from './events';
import { applyBatch, applyDecoded, initialLedger, ledgerViews, type LedgerState } from './ledger';
import { stockLevel } from './procurement-stock';
import type { RecentIds } from './recent-ids';
import { HOUR_MS, soldInWindow, type SalesState } from './sales';
import { idGenerations, TestStream, syntheticHistory } from './testing';
import { hasWarehouseId, idsOfWarehouse, type WarehouseIds } from './warehouse-ids';
import { lastSubjectSeq, locationQuantity } from './warehouse-stock';

const NOW = 472_224 * HOUR_MS;

describe('ledger', () => {
  it('given stock events, then every view is fed from one pass', () => {
    const s = new TestStream();
    const state = applyBatch(initialLedger(), [
      s.corrected('46', 'Apples', 'A43', 10, { at: NOW - 5000 }),
      s.sold('46', 'Apples', 3, 'A43', { at: NOW }),
      s.malformed('warehouse.46.product.Apples'),
      s.unknown('46', 'Apples', 'stock.audited'),
    ]);
    expect(locationQuantity(state.stock, '46', 'Apples', 'A43')).toBe(7);
    expect(soldInWindow(state.sales, NOW, HOUR_MS).get('Apples')).toBe(3);
    expect(stockLevel(state.procurement, '46.Apples')).toMatchObject({ quantity: 7, last_seq: 2 });
    expect(state.quality.byKind).toEqual({ malformed: 1, unknown: 1, duplicate: 0, refused: 0 });
    expect(state).toMatchObject({ lastSeq: 4, applied: 4, skipped: 0 });
  });

  it('given a sequence already handled, then the state is returned unchanged', () => {
    const s = new TestStream();
    const first = s.sold('46', 'Apples', 3);
    const state = applyDecoded(initialLedger(), first);
    expect(applyDecoded(state, first)).toBe(state);
  });

  it('given a late copy of an applied event, then it counts once and is reported as a duplicate', () => {
    const s = new TestStream();
    const count = s.corrected('46', 'Apples', 'A1', 10);
    const sale = s.sold('46', 'Apples', 3, 'A1', { at: NOW });
    const before = applyBatch(initialLedger(), [count, sale]);
    const after = applyDecoded(before, s.again(sale));
    expect(locationQuantity(after.stock, '46', 'Apples', 'A1')).toBe(7);
    expect(soldInWindow(after.sales, NOW, HOUR_MS).get('Apples')).toBe(3);
    expect(after.procurement).toBe(before.procurement);
    expect(after.sales).toBe(before.sales);
    expect(after).toMatchObject({ lastSeq: 3, applied: 2, skipped: 1 });
    expect(after.quality.recent.at(-1)).toMatchObject({ kind: 'duplicate', seq: 3 });
    // The copy still occupies a sequence on its subject, so the next publish must expect it.
    expect(lastSubjectSeq(after.stock, '46', 'Apples')).toBe(3);
  });

  it('given the same id in two warehouses, then each counts: ids are de-duplicated within their warehouse', () => {
    const s = new TestStream();
    const sale = s.sold('46', 'Apples', 3, 'A1', { at: NOW });
    const state = applyBatch(initialLedger(), [
      sale,
      s.sold('52', 'Apples', 2, 'A1', { at: NOW, id: sale.kind === 'stock' ? sale.meta.id : '' }),
    ]);
    expect(locationQuantity(state.stock, '46', 'Apples', 'A1')).toBe(-3);
    expect(locationQuantity(state.stock, '52', 'Apples', 'A1')).toBe(-2);
    expect(state).toMatchObject({ applied: 2, skipped: 0 });
  });

  it("given one warehouse's subjects alone, then its figures and ids are those of a fold of every subject", () => {
    const history = withBorrowedIds(syntheticHistory(20_000, NOW));
    const chain = applyBatch(initialLedger(), history);
    for (const warehouse of ['W0', 'W1', 'W2', 'W3', 'W4']) {
      const alone = applyBatch(
        initialLedger(),
        history.filter((e) => subjectWarehouse(subjectOf(e)) === warehouse),
      );
      expect(alone.stock.warehouses.get(warehouse)).toEqual(chain.stock.warehouses.get(warehouse));
      expect(alone.stock.subjectSeqs.get(warehouse)).toEqual(chain.stock.subjectSeqs.get(warehouse));
      expect(alone.procurement.levels.get(warehouse)).toEqual(chain.procurement.levels.get(warehouse));
      expect(alone.procurement.locations.get(warehouse)).toEqual(chain.procurement.locations.get(warehouse));
      expect(salesOf(alone.sales, warehouse)).toEqual(salesOf(chain.sales, warehouse));
      expect(idGenerations(alone.seenIds)).toEqual(idGenerations(idsOfWarehouse(chain.seenIds, warehouse)));
      expect(alone.skipped).toBeGreaterThan(0);
    }
  });

  it('given two events without message id, then both count (their ids are their sequences)', () => {
    const s = new TestStream();
    const state = applyBatch(initialLedger(), [
      s.sold('46', 'Apples', 1, '-', { id: 'seq:1' }),
      s.sold('46', 'Apples', 1, '-', { id: 'seq:2' }),
    ]);
    expect(locationQuantity(state.stock, '46', 'Apples', '-')).toBe(-2);
    expect(state.skipped).toBe(0);
  });

  it('never changes a state it was given', () => {
    const s = new TestStream();
    const before = applyBatch(initialLedger(), [s.sold('46', 'Apples', 1)]);
    const views = structuredClone(ledgerViews(before));
    const later = s.sold('46', 'Apples', 2);
    applyBatch(before, [later, s.sold('46', 'Pears', 1)]);
    expect(ledgerViews(before)).toEqual(views);
    expect(later.kind === 'stock' && hasWarehouseId(before.seenIds, '46', later.meta.id)).toBe(false);
    // Going on from the older state again is still correct.
    const again = applyBatch(before, [later]);
    expect(locationQuantity(again.stock, '46', 'Apples', '-')).toBe(-3);
  });

  it('leaves the id set out of the views sent to a page', () => {
    expect(Object.keys(ledgerViews(initialLedger())).sort()).toEqual(
      ['applied', 'lastSeq', 'procurement', 'quality', 'sales', 'skipped', 'stock'].sort(),
    );
  });

  it('replayed twice, gives the same result', () => {
    const s = new TestStream();
    const sale = s.sold('46', 'Apples', 3);
    const events = [s.corrected('46', 'Apples', 'A1', 10), sale, s.again(sale), s.malformed('x.y')];
    const once = applyBatch(initialLedger(), events);
    expect(applyBatch(once, events)).toBe(once);
    expect(applyBatch(initialLedger(), events)).toEqual(once);
  });
});

/** Every warehouse's generations the same, with the same ids in the same order. */
function sameIds(a: WarehouseIds, b: WarehouseIds): boolean {
  if (a.byWarehouse.size !== b.byWarehouse.size) return false;
  for (const [warehouse, ids] of a.byWarehouse) {
    const other = b.byWarehouse.get(warehouse);
    if (!other || !sameRecentIds(ids, other)) return false;
  }
  return true;
}

function sameRecentIds(a: RecentIds, b: RecentIds): boolean {
  return a.sinceMs === b.sinceMs && sameIdSet(a.current, b.current) && sameIdSet(a.previous, b.previous);
}

/** Same ids in the same order; typed arrays compared directly, as a deep equal of 400k words is slow. */
function sameIdSet(a: IdSet, b: IdSet): boolean {
  if (a.size !== b.size || !a.store || !b.store) return a.size === b.size && a.store === b.store;
  const n = a.size;
  const wa = a.store.words;
  const wb = b.store.words;
  for (let i = 0; i < n * 4; i++) if (wa[i] !== wb[i]) return false;
  for (let i = 0; i < n; i++) if (a.store.kinds[i] !== b.store.kinds[i]) return false;
  return [...a.store.strings].every(([id, entry]) => b.store?.strings.get(id) === entry);
}

/** Every 50th event takes the id of an earlier event of another warehouse, which must not make it a copy. */
function withBorrowedIds(history: Decoded[]): Decoded[] {
  return history.map((e, i) => {
    if (i % 50 !== 49 || e.kind === 'malformed') return e;
    const lender = history
      .slice(0, i)
      .findLast((other) => other.kind !== 'malformed' && other.meta.warehouse !== e.meta.warehouse);
    return lender && lender.kind !== 'malformed' ? { ...e, meta: { ...e.meta, id: lender.meta.id } } : e;
  });
}

/** One warehouse's sales, hour by hour. */
function salesOf(sales: SalesState, warehouse: string): [number, unknown[]][] {
  return [...sales.hours]
    .map(([hour, series]): [number, unknown[]] => [
      hour,
      [...series.values()].filter((s) => s.warehouse === warehouse),
    ])
    .filter(([, series]) => series.length > 0);
}

describe('ledger performance shape', () => {
  it('folds 100k events in batches to the same state as one by one', () => {
    const events = syntheticHistory(100_000, NOW);
    let batched = initialLedger();
    for (let i = 0; i < events.length; i += 1000) batched = applyBatch(batched, events.slice(i, i + 1000));
    let single: LedgerState = initialLedger();
    for (const event of events) single = applyDecoded(single, event);
    expect(batched.lastSeq).toBe(events.length);
    expect(batched.skipped).toBeGreaterThan(0);
    expect(batched.applied + batched.skipped).toBe(events.length);
    expect(ledgerViews(batched)).toEqual(ledgerViews(single));
    expect(sameIds(batched.seenIds, single.seenIds)).toBe(true);
    const oneBatch = applyBatch(initialLedger(), events);
    expect(ledgerViews(oneBatch)).toEqual(ledgerViews(single));
    expect(sameIds(oneBatch.seenIds, single.seenIds)).toBe(true);
    // A generous limit: this checks that it finishes on a busy 2-core machine, not how fast.
  }, 120_000);
});
