import { describe, expect, it } from 'vitest';
import type { Decoded } from './codec';
import { TestStream } from './testing';
import { fold } from './view';
import {
  lastSubjectSeq,
  locationQuantity,
  locationRows,
  productStock,
  productTotals,
  productsIn,
  recordSubjectSeq,
  warehouseNames,
  warehouseStockView as view,
  warehouseTotals,
} from './warehouse-stock';

const given = (...events: Decoded[]) => fold(view, events);

describe('warehouse stock', () => {
  it('given a count, when some are sold there, then the location holds the rest', () => {
    const s = new TestStream();
    const state = given(s.corrected('46', 'Apples', 'A43', 10), s.sold('46', 'Apples', 3, 'A43'));
    expect(locationQuantity(state, '46', 'Apples', 'A43')).toBe(7);
    expect(productStock(state, '46', 'Apples')?.total).toBe(7);
  });

  it('given a count, when it is corrected again, then the new count replaces the old one', () => {
    const s = new TestStream();
    const state = given(s.corrected('46', 'Apples', 'A43', 10), s.corrected('46', 'Apples', 'A43', 4));
    expect(locationQuantity(state, '46', 'Apples', 'A43')).toBe(4);
  });

  it('given deliveries without location, then they count in the unassigned pool', () => {
    const s = new TestStream();
    const state = given(s.replenished('46', 'Apples', 4), s.replenished('46', 'Apples', 6));
    expect(locationQuantity(state, '46', 'Apples', '-')).toBe(10);
  });

  it('given stock at one location, when some is moved, then it leaves one and arrives at the other', () => {
    const s = new TestStream();
    const state = given(s.replenished('46', 'Apples', 10, '-'), s.moved('46', 'Apples', '-', 'B7', 4));
    expect(locationQuantity(state, '46', 'Apples', '-')).toBe(6);
    expect(locationQuantity(state, '46', 'Apples', 'B7')).toBe(4);
    expect(productStock(state, '46', 'Apples')?.total).toBe(10);
  });

  it('given a destruction, then the location loses the quantity', () => {
    const s = new TestStream();
    const state = given(s.corrected('46', 'Apples', 'A1', 5), s.destroyed('46', 'Apples', 'A1', 2, 'rotten'));
    expect(locationQuantity(state, '46', 'Apples', 'A1')).toBe(3);
  });

  it('given more sold than held, then the quantity goes negative and stays visible', () => {
    const s = new TestStream();
    const state = given(s.corrected('46', 'Apples', 'A43', 2), s.sold('46', 'Apples', 5, 'A43'));
    expect(locationQuantity(state, '46', 'Apples', 'A43')).toBe(-3);
    expect(productTotals(state).get('Apples')).toBe(-3);
  });

  it('keeps per location the sequence and time of the last event that touched it', () => {
    const s = new TestStream();
    const a = s.corrected('46', 'Apples', 'A1', 5, { at: 1000 });
    const b = s.corrected('46', 'Apples', 'B1', 5, { at: 2000 });
    const move = s.moved('46', 'Apples', 'A1', 'C1', 1, { at: 3000 });
    const state = given(a, b, move);
    expect(locationRows(state)).toEqual([
      { warehouse: '46', product: 'Apples', location: 'A1', quantity: 4, seq: 3, updatedMs: 3000 },
      { warehouse: '46', product: 'Apples', location: 'B1', quantity: 5, seq: 2, updatedMs: 2000 },
      { warehouse: '46', product: 'Apples', location: 'C1', quantity: 1, seq: 3, updatedMs: 3000 },
    ]);
  });

  it('moves lastSeq on every stock event of the subject, even one that changes nothing', () => {
    const s = new TestStream();
    const first = s.corrected('46', 'Apples', 'A1', 5);
    const same = s.corrected('46', 'Apples', 'A1', 5);
    const other = s.sold('47', 'Apples', 1);
    const state = given(first, same, other);
    expect(productStock(state, '46', 'Apples')?.lastSeq).toBe(2);
    expect(lastSubjectSeq(state, '46', 'Apples')).toBe(2);
    expect(lastSubjectSeq(state, '47', 'Apples')).toBe(3);
    expect(lastSubjectSeq(state, '46', 'Pears')).toBe(0);
  });

  it('counts unknown and malformed messages in the subject sequence without creating stock', () => {
    const s = new TestStream();
    const state = given(
      s.corrected('46', 'Apples', 'A1', 5),
      s.unknown('46', 'Apples', 'stock.audited'),
      s.malformed('warehouse.46.product.Apples'),
      s.unknown('46', 'Pears', 'stock.audited'),
    );
    expect(lastSubjectSeq(state, '46', 'Apples')).toBe(3);
    expect(productStock(state, '46', 'Apples')?.lastSeq).toBe(1);
    expect(lastSubjectSeq(state, '46', 'Pears')).toBe(4);
    expect(productStock(state, '46', 'Pears')).toBeUndefined();
  });

  it('recordSubjectSeq notes a skipped message on its subject and never goes back', () => {
    const s = new TestStream();
    const state = given(s.corrected('46', 'Apples', 'A1', 5));
    const later = recordSubjectSeq(state, 'warehouse.46.product.Apples', 9);
    expect(lastSubjectSeq(later, '46', 'Apples')).toBe(9);
    expect(recordSubjectSeq(later, 'warehouse.46.product.Apples', 4)).toBe(later);
    expect(later.warehouses).toBe(state.warehouses);
  });

  it('sums products and warehouses', () => {
    const s = new TestStream();
    const state = given(
      s.corrected('46', 'Apples', 'A1', 5),
      s.corrected('46', 'Apples', 'A2', 1),
      s.corrected('46', 'Pears', 'P1', 2),
      s.corrected('47', 'Apples', 'A1', 10),
    );
    expect(productTotals(state)).toEqual(
      new Map([
        ['Apples', 16],
        ['Pears', 2],
      ]),
    );
    expect(productTotals(state, { warehouse: '46' }).get('Apples')).toBe(6);
    expect(warehouseTotals(state)).toEqual(
      new Map([
        ['46', 8],
        ['47', 10],
      ]),
    );
    expect(warehouseNames(state)).toEqual(['46', '47']);
    expect(productsIn(state, '46').map((p) => p.product)).toEqual(['Apples', 'Pears']);
    expect(locationRows(state, { warehouse: '46', product: 'Apples' }).map((r) => r.location)).toEqual([
      'A1',
      'A2',
    ]);
  });

  it('keeps product names that look like object keys apart', () => {
    const s = new TestStream();
    const state = given(s.corrected('46', '__proto__', 'A1', 5), s.corrected('46', 'constructor', 'A1', 1));
    expect(productTotals(state).get('__proto__')).toBe(5);
    expect(productTotals(state).get('constructor')).toBe(1);
  });

  it('keeps the identity of branches an event did not touch', () => {
    const s = new TestStream();
    const before = given(
      s.corrected('46', 'Apples', 'A1', 5),
      s.corrected('46', 'Pears', 'P1', 2),
      s.corrected('47', 'Apples', 'A1', 1),
    );
    const after = view.evolve(before, s.sold('46', 'Apples', 1, 'A2'));
    expect(after.warehouses.get('47')).toBe(before.warehouses.get('47'));
    expect(after.warehouses.get('46')?.get('Pears')).toBe(before.warehouses.get('46')?.get('Pears'));
    expect(after.warehouses.get('46')?.get('Apples')?.locations.get('A1')).toBe(
      before.warehouses.get('46')?.get('Apples')?.locations.get('A1'),
    );
    expect(locationQuantity(before, '46', 'Apples', 'A2')).toBe(0);
  });

  it('never changes a state it was given, also within one batch', () => {
    const s = new TestStream();
    const first = given(s.corrected('46', 'Apples', 'A1', 5));
    const snapshot = structuredClone(first);
    fold(view, [s.sold('46', 'Apples', 1, 'A1'), s.corrected('46', 'Apples', 'A1', 0)], first);
    expect(first).toEqual(snapshot);
  });

  it('ignores unknown types and malformed messages for quantities', () => {
    const s = new TestStream();
    const before = given(s.corrected('46', 'Apples', 'A1', 5));
    const after = given(
      s.unknown('46', 'Apples', 'stock.counted'),
      s.malformed('warehouse.46.product.Apples'),
    );
    expect(fold(view, [s.unknown('46', 'Apples', 'x')], before).warehouses).toBe(before.warehouses);
    expect(after.warehouses.size).toBe(0);
  });

  it('replayed twice, gives the same result', () => {
    const s = new TestStream();
    const events = [
      s.corrected('46', 'Apples', 'A1', 5),
      s.moved('46', 'Apples', 'A1', 'B1', 2),
      s.sold('46', 'Apples', 1, 'B1'),
      s.unknown('46', 'Apples', 'x'),
      s.destroyed('47', 'Pears', 'P', 1),
    ];
    const once = fold(view, events);
    const twice = fold(view, events, once);
    expect(twice).toBe(once);
    expect(fold(view, events)).toEqual(once);
  });
});
