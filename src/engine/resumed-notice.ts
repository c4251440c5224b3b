/**
 * What the page is told when a command kept from an earlier visit (src/engine/kept-commands.ts) is answered:
 * no form is waiting for it any more, so the answer is a notice a person reads.
 */
import type { StockEvent } from '../core/events';
import type { KeptCommand } from './outbox';
import type { FromEngine, PublishOutcome } from './protocol';

function described(warehouse: string, event: StockEvent): string {
  const what = event.type === 'stock.reversed' ? `undo of event ${event.reverses}` : event.type;
  return `${what} of ${event.product_name} in warehouse ${warehouse}`;
}

export function resumedOutcomeNotice(kept: KeptCommand, outcome: PublishOutcome): FromEngine {
  const what = `The ${described(kept.command.warehouse, kept.command.event)} kept from an earlier visit`;
  if (outcome.ok) {
    return {
      type: 'notice',
      level: 'info',
      message:
        outcome.seq === null || outcome.duplicate
          ? `${what} had already been stored; it was not recorded twice.`
          : `${what} is recorded as event #${outcome.seq}.`,
    };
  }
  return { type: 'notice', level: 'warning', message: `${what} was not recorded: ${outcome.message}` };
}
