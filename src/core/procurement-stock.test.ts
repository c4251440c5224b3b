import { describe, expect, it } from 'vitest';
import {
  changedLevels,
  procurementStockView as view,
  stockLevel,
  stockLevelJson,
  stockLevels,
} from './procurement-stock';
import { TestStream } from './testing';
import { fold } from './view';

describe('procurement stock levels', () => {
  it('given events on several locations, then the level is their sum with the last event as checkpoint', () => {
    const s = new TestStream();
    const state = fold(view, [
      s.corrected('46', 'Apples', 'A1', 10, { at: 1000 }),
      s.replenished('46', 'Apples', 5, '-', { at: 2000 }),
      s.moved('46', 'Apples', '-', 'B1', 2, { at: 3000 }),
      s.sold('46', 'Apples', 4, 'A1', { at: 4000 }),
      s.destroyed('46', 'Apples', 'B1', 1, 'dropped', { at: 5000 }),
    ]);
    expect(stockLevel(state, '46.Apples')).toEqual({
      warehouse: '46',
      product_name: 'Apples',
      quantity: 10,
      last_seq: 5,
      updated_ms: 5000,
    });
  });

  it('given a correction, then only that location is replaced in the sum', () => {
    const s = new TestStream();
    const state = fold(view, [
      s.corrected('46', 'Apples', 'A1', 10),
      s.corrected('46', 'Apples', 'B1', 3),
      s.corrected('46', 'Apples', 'A1', 4),
    ]);
    expect(stockLevel(state, '46.Apples')?.quantity).toBe(7);
  });

  it('lets a level go negative', () => {
    const s = new TestStream();
    const state = fold(view, [s.sold('46', 'Apples', 3)]);
    expect(stockLevel(state, '46.Apples')?.quantity).toBe(-3);
  });

  it('ignores unknown and malformed messages', () => {
    const s = new TestStream();
    const before = fold(view, [s.sold('46', 'Apples', 3)]);
    const after = fold(
      view,
      [s.unknown('46', 'Apples', 'x'), s.malformed('warehouse.46.product.Apples')],
      before,
    );
    expect(after).toBe(before);
  });

  it('writes the canonical bytes, keys in a fixed order', () => {
    const json = stockLevelJson({
      updated_ms: 1_700_000_000_000,
      last_seq: 42,
      quantity: -3,
      product_name: 'Apples',
      warehouse: '46',
    });
    expect(json).toBe(
      '{"warehouse":"46","product_name":"Apples","quantity":-3,"last_seq":42,"updated_ms":1700000000000}',
    );
  });

  it('lists levels by key and tells which changed', () => {
    const s = new TestStream();
    const before = fold(view, [
      s.sold('47', 'Apples', 1),
      s.sold('46', 'Pears', 1),
      s.sold('46', 'Apples', 1),
    ]);
    expect(stockLevels(before).map((l) => `${l.warehouse}.${l.product_name}`)).toEqual([
      '46.Apples',
      '46.Pears',
      '47.Apples',
    ]);
    const after = fold(view, [s.sold('46', 'Pears', 1), s.sold('46', 'Pears', 2)], before);
    expect(changedLevels(before, after)).toEqual([
      { warehouse: '46', product_name: 'Pears', quantity: -4, last_seq: 5, updated_ms: expect.any(Number) },
    ]);
    expect(stockLevel(after, '46.Apples')).toBe(stockLevel(before, '46.Apples'));
    expect(changedLevels(after, after)).toEqual([]);
  });

  it('only moves a key forward: an older sequence for that key changes nothing', () => {
    const s = new TestStream();
    const old = s.sold('46', 'Apples', 1);
    const state = fold(view, [s.sold('46', 'Apples', 2)]);
    expect(view.evolve(state, old)).toBe(state);
  });

  it('replayed twice, gives the same result', () => {
    const s = new TestStream();
    const events = [
      s.corrected('46', 'Apples', 'A1', 10),
      s.sold('46', 'Apples', 3, 'A1'),
      s.sold('47', 'Kiwis', 1),
    ];
    const once = fold(view, events);
    expect(fold(view, events, once)).toBe(once);
    expect(fold(view, events)).toEqual(once);
  });
});
