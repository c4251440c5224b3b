/**
 * What a stock event does to stock, written once: the effect table of
 * docs/architecture.md#the-stock-events. The warehouse view, the projector's levels, the audit trail and
 * the demo generator all apply it, so they cannot come to different numbers, and a new event type fails to
 * compile here until its effect is decided (docs/architecture.md#adding-an-event-type).
 *
 * The effects are written into slots the caller owns and reuses rather than returned as new objects: the
 * warehouse fold applies them to every event of a replay in the browser, changing the cells of its batch in
 * place (docs/architecture.md#immutable-state), and should not allocate per event for them.
 */
import type { ReversibleEvent, StockEvent } from './events';

export interface StockEffect {
  location: string;
  /** `set`: the location now holds `amount` (a count); `add`: `amount` is added, negative to take away. */
  kind: 'set' | 'add';
  amount: number;
}

/** Enough slots for any event: a move changes two locations, every other type one. */
export type StockEffectSlots = [StockEffect, StockEffect];

export function stockEffectSlots(): StockEffectSlots {
  return [
    { location: '', kind: 'add', amount: 0 },
    { location: '', kind: 'add', amount: 0 },
  ];
}

/**
 * Writes the effects of `event` into the first slots, one per location it changes, and returns how many.
 * A move takes from `from` (slot 0) before it puts into `to` (slot 1). Nothing is clamped. A reversal takes
 * back what `undone`, the event it reverses, did (docs/architecture.md#undo); the event alone does not say,
 * so without the event it reverses (refused, or read by a fold that does not resolve reversals) it changes
 * nothing.
 */
export function stockEffects(
  event: StockEvent,
  slots: StockEffectSlots,
  undone?: ReversibleEvent | null,
): number {
  switch (event.type) {
    case 'stock.reversed': {
      if (!undone) return 0;
      const count = stockEffects(undone, slots);
      // Every reversible event adds or takes away; none sets a count, so negating undoes it exactly.
      for (let i = 0; i < count; i++) slots[i]!.amount = -slots[i]!.amount;
      return count;
    }
    case 'stock.corrected':
      return one(slots, event.location, 'set', event.quantity);
    case 'stock.replenished':
    case 'stock.returned':
      return one(slots, event.location, 'add', event.quantity);
    case 'stock.sold':
    case 'stock.destroyed':
      return one(slots, event.location, 'add', -event.quantity);
    case 'stock.moved':
      write(slots[0], event.from, 'add', -event.quantity);
      write(slots[1], event.to, 'add', event.quantity);
      return 2;
    default: {
      const _unhandled: never = event;
      return 0;
    }
  }
}

/** The quantity at the effect's location after it, given what the location held before. */
export function applyStockEffect(before: number, effect: StockEffect): number {
  return effect.kind === 'set' ? effect.amount : before + effect.amount;
}

function one(slots: StockEffectSlots, location: string, kind: StockEffect['kind'], amount: number): 1 {
  write(slots[0], location, kind, amount);
  return 1;
}

function write(slot: StockEffect, location: string, kind: StockEffect['kind'], amount: number): void {
  slot.location = location;
  slot.kind = kind;
  slot.amount = amount;
}
