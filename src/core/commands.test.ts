import { describe, expect, it } from 'vitest';
import { validateCommand, type CommandInput } from './commands';
import { TestStream } from './testing';
import { fold } from './view';
import { warehouseStockView } from './warehouse-stock';

const s = new TestStream();
/** Warehouse 46 holds 2 Apples at A43 and 5 in the pool; other subjects have had messages too. */
const stock = fold(warehouseStockView, [
  s.corrected('46', 'Apples', 'A43', 2),
  s.unknown('47', 'Kiwis', 'stock.audited'),
  s.replenished('46', 'Apples', 5),
  s.corrected('46', 'Pears', 'P1', 0),
]);

const input = (fields: Partial<CommandInput>): CommandInput => ({
  type: 'stock.sold',
  warehouse: '46',
  product: 'Apples',
  quantity: '1',
  ...fields,
});

describe('validateCommand: accepted', () => {
  it.each([
    [
      'a sale at a location',
      input({ location: 'A43', quantity: '2' }),
      { type: 'stock.sold', product_name: 'Apples', location: 'A43', quantity: 2 },
    ],
    [
      'a delivery to a location named in words, as people label shelves',
      input({ type: 'stock.replenished', location: ' Aisle 3 / Bay 2 ', quantity: '2' }),
      { type: 'stock.replenished', product_name: 'Apples', location: 'Aisle 3 / Bay 2', quantity: 2 },
    ],
    [
      'a sale without location, from the pool',
      input({ location: '  ' }),
      { type: 'stock.sold', product_name: 'Apples', location: '-', quantity: 1 },
    ],
    [
      'a delivery to the pool',
      input({ type: 'stock.replenished', quantity: '240' }),
      { type: 'stock.replenished', product_name: 'Apples', location: '-', quantity: 240 },
    ],
    [
      'a correction to zero',
      input({ type: 'stock.corrected', location: 'A43', quantity: '0' }),
      { type: 'stock.corrected', product_name: 'Apples', location: 'A43', quantity: 0 },
    ],
    [
      'a move from the pool',
      input({ type: 'stock.moved', from: '-', to: 'B7', quantity: '5' }),
      { type: 'stock.moved', product_name: 'Apples', from: '-', to: 'B7', quantity: 5 },
    ],
    [
      'a destruction with reason, fields trimmed',
      input({ type: 'stock.destroyed', location: ' A43 ', quantity: ' 2 ', reason: ' rotten ' }),
      { type: 'stock.destroyed', product_name: 'Apples', location: 'A43', quantity: 2, reason: 'rotten' },
    ],
  ])('%s', (_, command, event) => {
    expect(validateCommand(command, stock)).toEqual({
      ok: true,
      warehouse: '46',
      event,
      expectedLastSubjectSeq: 3,
    });
  });

  it('expects sequence 0 on a subject without messages, and counts unknown ones', () => {
    const pool = validateCommand(
      input({ warehouse: '47', product: 'Pears', type: 'stock.replenished' }),
      stock,
    );
    expect(pool).toMatchObject({ ok: true, expectedLastSubjectSeq: 0 });
    const kiwis = validateCommand(
      input({ warehouse: '47', product: 'Kiwis', type: 'stock.replenished' }),
      stock,
    );
    expect(kiwis).toMatchObject({ ok: true, expectedLastSubjectSeq: 2 });
  });
});

describe('validateCommand: refused', () => {
  it.each([
    ['unknown operation', input({ type: 'stock.stolen' }), 'type', 'Choose an operation'],
    [
      'warehouse with a space',
      input({ warehouse: 'North 1' }),
      'warehouse',
      'contains space; allowed are letters',
    ],
    ['product with a dot', input({ product: 'Apples.red' }), 'product', 'contains "."'],
    ['empty product', input({ product: '' }), 'product', 'Product is required'],
    ['product of 65 characters', input({ product: 'A'.repeat(65) }), 'product', 'at most 64'],
    ['location of 65 characters', input({ location: 'L'.repeat(65) }), 'location', 'at most 64'],
    ['location with a tab inside', input({ location: 'A\t43' }), 'location', 'control character'],
    [
      'correction without location',
      input({ type: 'stock.corrected', quantity: '3' }),
      'location',
      'required',
    ],
    ['empty quantity', input({ quantity: '' }), 'quantity', 'Quantity is required'],
    ['fractional quantity', input({ quantity: '1.5' }), 'quantity', 'whole number'],
    ['negative quantity', input({ quantity: '-3' }), 'quantity', 'at least 1'],
    ['zero sold', input({ quantity: '0' }), 'quantity', 'correct its count to 0'],
    [
      'negative correction',
      input({ type: 'stock.corrected', location: 'A1', quantity: '-1' }),
      'quantity',
      '0 or more',
    ],
    ['huge quantity', input({ quantity: '99999999999999999999' }), 'quantity', 'too large'],
    ['move to the same place', input({ type: 'stock.moved', from: 'A43', to: 'A43' }), 'to', 'two locations'],
    ['move without to', input({ type: 'stock.moved', from: 'A43' }), 'to', 'required'],
    [
      'destruction without reason',
      input({ type: 'stock.destroyed', location: 'A43', reason: ' ' }),
      'reason',
      'required',
    ],
    [
      'destruction with a novel as reason',
      input({ type: 'stock.destroyed', location: 'A43', reason: 'x'.repeat(501) }),
      'reason',
      'at most 500',
    ],
  ])('%s', (_, command, field, words) => {
    const decision = validateCommand(command, stock);
    expect(decision.ok).toBe(false);
    if (decision.ok) return;
    expect(decision.errors).toContainEqual({ field, message: expect.stringContaining(words) });
  });

  it('reports every problem at once', () => {
    const decision = validateCommand(input({ warehouse: 'a b', product: '', quantity: 'x' }), stock);
    expect(decision.ok === false && decision.errors.map((e) => e.field)).toEqual([
      'warehouse',
      'product',
      'quantity',
    ]);
  });

  it.each([
    [
      'selling more than a location holds',
      input({ location: 'A43', quantity: '3' }),
      'Only 2 Apples at A43; to record 3 sold, first correct the count at A43',
    ],
    [
      'destroying more than a location holds',
      input({ type: 'stock.destroyed', location: 'A43', quantity: '3', reason: 'rotten' }),
      'Only 2 Apples at A43; to record 3 destroyed, first correct the count at A43',
    ],
    [
      'moving more than the pool holds',
      input({ type: 'stock.moved', from: '-', to: 'A43', quantity: '6' }),
      'Only 5 Apples at the unassigned pool (-); to move 6, first correct the count at the unassigned pool (-)',
    ],
    [
      'selling from a location never counted',
      input({ location: 'Z9' }),
      'No Apples at Z9; to record 1 sold, first correct the count at Z9',
    ],
    [
      'selling from an empty location',
      input({ product: 'Pears', location: 'P1' }),
      'No Pears at P1; to record 1 sold, first correct the count at P1',
    ],
  ])('refuses %s, suggesting a correction', (_, command, message) => {
    expect(validateCommand(command, stock)).toEqual({ ok: false, errors: [{ field: 'quantity', message }] });
  });

  it('says so when a location is already below zero', () => {
    const t = new TestStream();
    const short = fold(warehouseStockView, [t.sold('46', 'Apples', 2, 'A1')]);
    expect(validateCommand(input({ location: 'A1' }), short)).toEqual({
      ok: false,
      errors: [
        {
          field: 'quantity',
          message: 'Apples at A1 is already at -2; to record 1 sold, first correct the count at A1',
        },
      ],
    });
  });

  it('allows taking everything a location holds', () => {
    expect(validateCommand(input({ location: 'A43', quantity: '2' }), stock).ok).toBe(true);
  });
});
