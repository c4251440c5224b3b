import { describe, expect, it } from 'vitest';
import { TestStream } from '../../core/testing';
import { fold } from '../../core/view';
import { warehouseStockView } from '../../core/warehouse-stock';
import { stockTable } from './stock-rows';

describe('stockTable', () => {
  const s = new TestStream();
  const stock = fold(warehouseStockView, [
    s.corrected('46', 'Apples', 'A43', 5),
    s.sold('46', 'Apples', 7, 'A43'),
    s.replenished('46', 'Pears', 3, 'B01'),
    s.corrected('46', 'Figs', 'B01', 0),
    s.replenished('52', 'Apples', 100, 'A01'),
  ]);

  it('lists one warehouse only, with location and grand totals and negative cells counted', () => {
    const table = stockTable(stock, '46', { search: '', hideZero: false });
    expect(table.rows.map((r) => [r.product, r.total, r.cells])).toEqual([
      ['Apples', -2, { A43: -2 }],
      ['Figs', 0, { B01: 0 }],
      ['Pears', 3, { B01: 3 }],
    ]);
    expect(table.locations).toEqual(['A43', 'B01']);
    expect(table.locationTotals).toEqual({ A43: -2, B01: 3 });
    expect(table.grandTotal).toBe(1);
    expect(table.negativeCells).toBe(1);
  });

  it('hides products whose every location is zero, but never a negative one', () => {
    const table = stockTable(stock, '46', { search: '', hideZero: true });
    expect(table.rows.map((r) => r.product)).toEqual(['Apples', 'Pears']);
  });

  it('searches product names case-insensitively', () => {
    expect(stockTable(stock, '46', { search: 'APP', hideZero: false }).rows.map((r) => r.product)).toEqual([
      'Apples',
    ]);
  });
});
