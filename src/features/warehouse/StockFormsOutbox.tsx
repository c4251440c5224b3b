import type { StockEvent, StockEventType } from '../../core/events';
import { useQueuedCommands } from '../../common/ui/useStockCommand';
import type { QueuedCommand } from '../../engine/protocol';

const VERBS: Record<StockEventType, string> = {
  'stock.sold': 'sold',
  'stock.replenished': 'replenished',
  'stock.moved': 'moved',
  'stock.corrected': 'corrected',
  'stock.destroyed': 'destroyed',
  'stock.returned': 'returned',
  'stock.reversed': 'undone',
};

/** "3 Apples sold in warehouse 46": how a form's result and the outbox name one command. */
export function describeCommand(warehouse: string, event: StockEvent): string {
  if (event.type === 'stock.reversed') {
    return `Undo of ${event.product_name} event ${event.reverses.slice(0, 8)}… in warehouse ${warehouse}`;
  }
  return `${event.quantity} ${event.product_name} ${VERBS[event.type]} in warehouse ${warehouse}`;
}

const WHY: Record<QueuedCommand['reason'], string> = {
  offline: 'waiting for the connection',
  unacknowledged: 'sent, no acknowledgement yet; sent again with the same id',
  behind: 'waiting for the events above',
};

/**
 * The commands the engine still holds. They are kept on this device too (docs/architecture.md#nothing-typed-is-lost),
 * so the page says that leaving loses nothing, and when they go.
 */
export function StockFormsOutbox() {
  const queued = useQueuedCommands();
  if (queued.length === 0) return null;
  return (
    <div className="form-result pending" role="status" aria-label="Waiting to be sent" data-testid="outbox">
      {queued.length === 1 ? 'One event is' : `${queued.length} events are`} waiting to be sent. They are kept
      on this device: after a reload or in a new tab, they are sent when you sign in here again.
      <ul>
        {queued.map((q) => (
          <li key={q.id} data-testid="outbox-entry" data-event-id={q.id}>
            {describeCommand(q.warehouse, q.event)} — {WHY[q.reason]}
          </li>
        ))}
      </ul>
    </div>
  );
}
