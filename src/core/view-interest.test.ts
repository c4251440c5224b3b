import { describe, expect, it } from 'vitest';
import { applyBatch, initialLedger, ledgerViews } from './ledger';
import { stockLevel } from './procurement-stock';
import { HOUR_MS, soldInWindow } from './sales';
import { TestStream } from './testing';
import {
  foldScope,
  keyInScope,
  mergeInterests,
  narrowViews,
  NO_INTEREST,
  pastWarehouse,
} from './view-interest';
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
    const narrow = narrowViews(views, { ...NO_INTEREST, stock: ['46'], sales: ['46'] }, 'live');
    expect(warehouseNames(narrow.stock)).toEqual(['46']);
    expect(locationQuantity(narrow.stock, '46', 'Apples', 'A1')).toBe(7);
    expect(lastSubjectSeq(narrow.stock, '46', 'Apples')).toBe(lastSubjectSeq(views.stock, '46', 'Apples'));
    expect(lastSubjectSeq(narrow.stock, '52', 'Pears')).toBe(0);
    expect(soldInWindow(narrow.sales, NOW, HOUR_MS)).toEqual(new Map([['Apples', 3]]));
    expect(stockLevel(narrow.procurement, '46.Apples')).toBeUndefined();
  });

  it('given sales elsewhere since, then the hours of the warehouse shown are the same objects, and right', () => {
    const s = new TestStream();
    const before = applyBatch(initialLedger(), [
      s.corrected('46', 'Apples', 'A1', 10, { at: NOW - 5 * HOUR_MS }),
      s.sold('46', 'Apples', 3, 'A1', { at: NOW - 3 * HOUR_MS }),
      s.sold('52', 'Pears', 2, 'B2', { at: NOW - 3 * HOUR_MS }),
    ]);
    const interest = { ...NO_INTEREST, sales: ['46'] };
    const first = narrowViews(ledgerViews(before), interest, 'live').sales;
    const later = applyBatch(before, [
      s.sold('52', 'Pears', 1, 'B2', { at: NOW - 3 * HOUR_MS + 1 }),
      s.sold('46', 'Apples', 1, 'A1', { at: NOW }),
    ]);
    const second = narrowViews(ledgerViews(later), interest, 'live').sales;
    const hourOfFirstSale = [...first.hours.keys()][0]!;
    // The earlier hour changed (a Pears sale in 52): what 46 has in it is filtered again, and is the same.
    expect(second.hours.get(hourOfFirstSale)).toEqual(first.hours.get(hourOfFirstSale));
    expect(soldInWindow(second, NOW, 4 * HOUR_MS)).toEqual(new Map([['Apples', 4]]));
    // Narrowed again with nothing new: every hour is the very same object.
    const again = narrowViews(ledgerViews(later), interest, 'live').sales;
    for (const [hour, kept] of second.hours) expect(again.hours.get(hour)).toBe(kept);
  });

  it('given no interest, then counts, sequences and data quality are still there', () => {
    const views = twoWarehouses();
    const narrow = narrowViews(views, NO_INTEREST, 'live');
    expect(warehouseNames(narrow.stock)).toEqual([]);
    expect(narrow.sales.hours.size).toBe(0);
    expect(narrow.sales.newestMs).toBe(views.sales.newestMs);
    expect(narrow).toMatchObject({ lastSeq: 5, applied: 5, quality: views.quality });
  });

  it('given interest in everything, then the views are passed as they are', () => {
    const views = twoWarehouses();
    const narrow = narrowViews(
      views,
      { stock: 'all', liveStock: [], sales: 'all', procurement: true, kvLevels: 'all', quality: true },
      'past',
    );
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
    ).toEqual({
      stock: ['46', '52'],
      liveStock: [],
      sales: 'all',
      procurement: true,
      kvLevels: ['46'],
      quality: false,
    });
    expect(mergeInterests([])).toEqual(NO_INTEREST);
  });

  it('given stock the forms check, then it is sent live and not as of a moment', () => {
    const views = twoWarehouses();
    const interest = { ...NO_INTEREST, stock: ['46'], liveStock: 'all' as const };
    expect(warehouseNames(narrowViews(views, interest, 'live').stock)).toEqual(['46', '52']);
    expect(warehouseNames(narrowViews(views, interest, 'past').stock)).toEqual(['46']);
  });

  it('given pages that show one warehouse, then the past is rebuilt from its events alone', () => {
    expect(pastWarehouse({ ...NO_INTEREST, stock: ['46'], liveStock: 'all', kvLevels: 'all' })).toBe('46');
    expect(pastWarehouse({ ...NO_INTEREST, stock: ['46'], sales: ['46'] })).toBe('46');
    expect(pastWarehouse({ ...NO_INTEREST, stock: ['46'], sales: ['52'] })).toBeNull();
    expect(pastWarehouse({ ...NO_INTEREST, sales: 'all' })).toBeNull();
    expect(pastWarehouse({ ...NO_INTEREST, stock: ['46'], procurement: true })).toBeNull();
    expect(pastWarehouse(NO_INTEREST)).toBeNull();
  });

  it('given pages that show one warehouse of the fold, then the fold reads that warehouse alone', () => {
    expect(foldScope({ ...NO_INTEREST, stock: ['46'], sales: ['46'], kvLevels: ['46'] })).toBe('46');
    expect(foldScope({ ...NO_INTEREST, stock: ['46'], liveStock: ['46'], kvLevels: 'all' })).toBe('46');
    expect(foldScope({ ...NO_INTEREST, stock: ['46'], liveStock: ['52'] })).toBeNull();
    expect(foldScope({ ...NO_INTEREST, sales: 'all' })).toBeNull();
    expect(foldScope({ ...NO_INTEREST, stock: ['46'], procurement: true })).toBeNull();
    expect(foldScope({ ...NO_INTEREST, stock: ['46'], quality: true })).toBeNull();
    // Nothing of the fold on screen (the bucket's keys are not the fold): any fold will do.
    expect(foldScope({ ...NO_INTEREST, kvLevels: ['46'] })).toBeUndefined();
    expect(foldScope(NO_INTEREST)).toBeUndefined();
  });

  it('given a bucket key, then it is in scope by its warehouse', () => {
    expect(keyInScope(['46'], '46.Apples')).toBe(true);
    expect(keyInScope(['46'], '52.Apples')).toBe(false);
    expect(keyInScope(['4'], '46.Apples')).toBe(false);
    expect(keyInScope('all', 'anything')).toBe(true);
  });
});
