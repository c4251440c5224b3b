import { describe, expect, it } from 'vitest';
import { applyBatch, initialLedger, ledgerViews } from './ledger';
import { stockLevel } from './procurement-stock';
import { HOUR_MS, soldInWindow } from './sales';
import { TestStream } from './testing';
import { keyInScope, mergeInterests, narrowViews, NO_INTEREST } from './view-interest';
import { lastSubjectSeq, locationQuantity, warehouseNames } from './warehouse-stock';

const NOW = 472_224 * HOUR_MS;

function twoWarehouses() {
  const s = new TestStream();
  return ledgerViews(
    applyBatch(initialLedger(), [
      s.corrected('46', 'Apples', 'A1', 10, { at: NOW - 5000 }),
      s.sold('46', 'Apples', 3, 'A1', { at: NOW }),
      s.corrected('52', 'Pears', 'B2', 8, { at: NOW - 4000 }),
      s.sold('52', 'Pears', 2, 'B2', { at: NOW }),
      s.malformed('warehouse.52.product.Pears'),
    ]),
  );
}

describe('view interest', () => {
  it('given interest in one warehouse, then only its stock, subject sequences and sales are kept', () => {
    const views = twoWarehouses();
    const narrow = narrowViews(views, { ...NO_INTEREST, stock: ['46'], sales: ['46'] });
    expect(warehouseNames(narrow.stock)).toEqual(['46']);
    expect(locationQuantity(narrow.stock, '46', 'Apples', 'A1')).toBe(7);
    expect(lastSubjectSeq(narrow.stock, '46', 'Apples')).toBe(lastSubjectSeq(views.stock, '46', 'Apples'));
    expect(lastSubjectSeq(narrow.stock, '52', 'Pears')).toBe(0);
    expect(soldInWindow(narrow.sales, NOW, HOUR_MS)).toEqual(new Map([['Apples', 3]]));
    expect(stockLevel(narrow.procurement, '46.Apples')).toBeUndefined();
  });

  it('given no interest, then counts, sequences and data quality are still there', () => {
    const views = twoWarehouses();
    const narrow = narrowViews(views, NO_INTEREST);
    expect(warehouseNames(narrow.stock)).toEqual([]);
    expect(narrow.sales.hours.size).toBe(0);
    expect(narrow.sales.newestMs).toBe(views.sales.newestMs);
    expect(narrow).toMatchObject({ lastSeq: 5, applied: 5, quality: views.quality });
  });

  it('given interest in everything, then the views are passed as they are', () => {
    const views = twoWarehouses();
    const narrow = narrowViews(views, { stock: 'all', sales: 'all', procurement: true, kvLevels: 'all' });
    expect(narrow.stock).toBe(views.stock);
    expect(narrow.sales).toBe(views.sales);
    expect(narrow.procurement).toBe(views.procurement);
  });

  it('given several components, then the engine is asked for what they show together', () => {
    expect(
      mergeInterests([
        { ...NO_INTEREST, stock: ['52'] },
        { ...NO_INTEREST, stock: ['46', '52'], kvLevels: ['46'] },
        { ...NO_INTEREST, sales: 'all', procurement: true },
      ]),
    ).toEqual({ stock: ['46', '52'], sales: 'all', procurement: true, kvLevels: ['46'] });
    expect(mergeInterests([])).toEqual(NO_INTEREST);
  });

  it('given a bucket key, then it is in scope by its warehouse', () => {
    expect(keyInScope(['46'], '46.Apples')).toBe(true);
    expect(keyInScope(['46'], '52.Apples')).toBe(false);
    expect(keyInScope(['4'], '46.Apples')).toBe(false);
    expect(keyInScope('all', 'anything')).toBe(true);
  });
});
