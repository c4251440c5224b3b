import { describe, expect, it } from 'vitest';
import {
  DEFAULT_THRESHOLD,
  lowStockCrossing,
  status,
  stockLowPayload,
  thresholdFor,
  thresholdJson,
  validateThreshold,
  type LevelObservation,
} from './thresholds';

describe('status', () => {
  it.each([
    [11, 10, 'ok'],
    [10, 10, 'ok'],
    [9, 10, 'low'],
    [1, 10, 'low'],
    [0, 10, 'out'],
    [-4, 10, 'out'],
    [0, 0, 'out'],
    [1, 0, 'ok'],
    [5, 1, 'ok'],
  ] as const)('%i units with threshold %i → %s', (quantity, threshold, expected) => {
    expect(status(quantity, threshold)).toBe(expected);
  });
});

describe('thresholdFor', () => {
  it.each([
    [
      'its own entry first',
      new Map([
        ['46.Apples', 3],
        ['default', 20],
      ]),
      3,
    ],
    [
      'then the bucket default',
      new Map([
        ['46.Pears', 3],
        ['default', 20],
      ]),
      20,
    ],
    ['then 10', new Map([['46.Pears', 3]]), DEFAULT_THRESHOLD],
    [
      'an own entry of 0 is kept',
      new Map([
        ['46.Apples', 0],
        ['default', 20],
      ]),
      0,
    ],
  ])('%s', (_, thresholds, expected) => {
    expect(thresholdFor(thresholds, '46.Apples')).toBe(expected);
  });
  it('defaults to 10', () => expect(DEFAULT_THRESHOLD).toBe(10));
});

describe('lowStockCrossing', () => {
  const at = (quantity: number, threshold = 10): LevelObservation => ({ quantity, threshold });
  it.each([
    ['at the threshold → below', at(10), at(9), true],
    ['above → far below', at(50), at(-2), true],
    ['above → exactly at the threshold', at(11), at(10), false],
    ['below → further below', at(9), at(3), false],
    ['below → below (unchanged)', at(3), at(3), false],
    ['below → recovered', at(3), at(10), false],
    ['recovered → below again', at(10), at(4), true],
    ['first sight, already low', undefined, at(4), true],
    ['first sight, fine', undefined, at(40), false],
    ['threshold raised over the quantity', at(8, 5), at(8, 10), true],
    ['threshold lowered under the quantity', at(8, 10), at(8, 5), false],
    ['low, threshold raised further', at(8, 10), at(8, 20), false],
    ['threshold 0 and empty', at(1, 0), at(0, 0), false],
  ])('%s', (_, previous, next, fires) => {
    expect(lowStockCrossing(previous, next)).toBe(fires);
  });

  it('fires once over a sequence of levels, then again only after a recovery', () => {
    const quantities = [12, 10, 9, 5, 0, 7, 10, 11, 3, 2];
    const fired = quantities.map((q, i) =>
      lowStockCrossing(i === 0 ? undefined : at(quantities[i - 1] ?? 0), at(q)),
    );
    expect(fired).toEqual([false, false, true, false, false, false, false, false, true, false]);
  });

  it('builds the stock.low payload', () => {
    expect(stockLowPayload('46', 'Apples', at(4))).toEqual({
      product_name: 'Apples',
      warehouse: '46',
      quantity: 4,
      threshold: 10,
    });
  });
});

describe('threshold input', () => {
  it.each([
    ['12', { ok: true, threshold: 12 }],
    [' 0 ', { ok: true, threshold: 0 }],
    ['', { ok: false }],
    ['-1', { ok: false }],
    ['2.5', { ok: false }],
    ['ten', { ok: false }],
    ['99999999999', { ok: false }],
  ])('%j', (raw, expected) => {
    expect(validateThreshold(raw)).toMatchObject(expected);
  });

  it('writes the bucket value', () => expect(thresholdJson(7)).toBe('{"threshold":7}'));
});
