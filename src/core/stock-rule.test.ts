import { describe, expect, it } from 'vitest';
import {
  STOCK_EVENT_TYPES,
  UNASSIGNED_LOCATION,
  type StockCorrected,
  type StockEvent,
  type StockEventType,
} from './events';
import { applyStockEffect, stockEffectSlots, stockEffects, type StockEffect } from './stock-rule';

/** The effects of one event, copied out of the slots the rule reuses. */
function effectsOf(event: StockEvent): StockEffect[] {
  const slots = stockEffectSlots();
  return slots.slice(0, stockEffects(event, slots)).map((slot) => ({ ...slot }));
}

/** Quantities per location after `events`, by the rule alone. */
function given(...events: StockEvent[]): Map<string, number> {
  const quantities = new Map<string, number>();
  for (const event of events) {
    for (const effect of effectsOf(event)) {
      quantities.set(effect.location, applyStockEffect(quantities.get(effect.location) ?? 0, effect));
    }
  }
  return quantities;
}

const counted = (location: string, quantity: number): StockCorrected => ({
  type: 'stock.corrected',
  product_name: 'Apples',
  location,
  quantity,
});

/** One event of every type, so that a new type cannot be added without an example here. */
const EXAMPLES: { [T in StockEventType]: Extract<StockEvent, { type: T }> } = {
  'stock.corrected': counted('A1', 4),
  'stock.replenished': { type: 'stock.replenished', product_name: 'Apples', location: 'A1', quantity: 20 },
  'stock.moved': { type: 'stock.moved', product_name: 'Apples', from: 'A1', to: 'B2', quantity: 3 },
  'stock.sold': { type: 'stock.sold', product_name: 'Apples', location: 'A1', quantity: 2 },
  'stock.destroyed': {
    type: 'stock.destroyed',
    product_name: 'Apples',
    location: 'A1',
    quantity: 1,
    reason: 'rotten',
  },
};

describe('stock rule', () => {
  it('given 10 at A1, when A1 is counted at 4, then A1 holds 4 whatever the records said', () => {
    const after = given(counted('A1', 10), EXAMPLES['stock.corrected']);
    expect(after.get('A1')).toBe(4);
    expect(effectsOf(EXAMPLES['stock.corrected'])).toEqual([{ location: 'A1', kind: 'set', amount: 4 }]);
  });

  it('given 10 at A1, when A1 is counted at 0, then A1 is empty', () => {
    expect(given(counted('A1', 10), counted('A1', 0)).get('A1')).toBe(0);
  });

  it('given 10 at A1, when 20 are delivered there, then A1 holds 30', () => {
    const after = given(counted('A1', 10), EXAMPLES['stock.replenished']);
    expect(after.get('A1')).toBe(30);
    expect(effectsOf(EXAMPLES['stock.replenished'])).toEqual([{ location: 'A1', kind: 'add', amount: 20 }]);
  });

  it('given 10 at A1, when 2 are sold there, then A1 holds 8', () => {
    const after = given(counted('A1', 10), EXAMPLES['stock.sold']);
    expect(after.get('A1')).toBe(8);
    expect(effectsOf(EXAMPLES['stock.sold'])).toEqual([{ location: 'A1', kind: 'add', amount: -2 }]);
  });

  it('given 10 at A1, when 1 is destroyed there, then A1 holds 9', () => {
    const after = given(counted('A1', 10), EXAMPLES['stock.destroyed']);
    expect(after.get('A1')).toBe(9);
    expect(effectsOf(EXAMPLES['stock.destroyed'])).toEqual([{ location: 'A1', kind: 'add', amount: -1 }]);
  });

  it('given 10 at A1, when 3 are moved to B2, then they leave A1 first and arrive at B2; the total stays', () => {
    const after = given(counted('A1', 10), EXAMPLES['stock.moved']);
    expect(after).toEqual(
      new Map([
        ['A1', 7],
        ['B2', 3],
      ]),
    );
    expect(effectsOf(EXAMPLES['stock.moved'])).toEqual([
      { location: 'A1', kind: 'add', amount: -3 },
      { location: 'B2', kind: 'add', amount: 3 },
    ]);
  });

  it('given nothing at A1, when some are sold there, then A1 goes negative: nothing is clamped', () => {
    expect(given(EXAMPLES['stock.sold']).get('A1')).toBe(-2);
    expect(given(EXAMPLES['stock.moved'])).toEqual(
      new Map([
        ['A1', -3],
        ['B2', 3],
      ]),
    );
  });

  it('given the unassigned pool, then it is a location like any other', () => {
    const delivered: StockEvent = {
      type: 'stock.replenished',
      product_name: 'Apples',
      location: UNASSIGNED_LOCATION,
      quantity: 5,
    };
    const shelved: StockEvent = {
      type: 'stock.moved',
      product_name: 'Apples',
      from: UNASSIGNED_LOCATION,
      to: 'A1',
      quantity: 2,
    };
    expect(given(delivered, shelved)).toEqual(
      new Map([
        [UNASSIGNED_LOCATION, 3],
        ['A1', 2],
      ]),
    );
  });

  it.each(STOCK_EVENT_TYPES)('changes only the locations a %s names, and each of them once', (type) => {
    const event = EXAMPLES[type];
    const named = event.type === 'stock.moved' ? [event.from, event.to] : [event.location];
    expect(effectsOf(event).map((e) => e.location)).toEqual(named);
  });

  it('given slots filled by an earlier event, then the next event overwrites what it uses', () => {
    const slots = stockEffectSlots();
    stockEffects(EXAMPLES['stock.moved'], slots);
    expect(stockEffects(EXAMPLES['stock.corrected'], slots)).toBe(1);
    expect(slots[0]).toEqual({ location: 'A1', kind: 'set', amount: 4 });
  });
});
