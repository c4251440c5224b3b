/**
 * Deciding what a stock form may publish. Raw form strings in; either the event to publish (with the subject
 * sequence to expect, for optimistic concurrency) or every problem, each tied to its field, in words a user
 * can act on.
 */
import {
  STOCK_EVENT_TYPES,
  UNASSIGNED_LOCATION,
  locationProblem,
  tokenProblem,
  type StockEvent,
} from './events';
import { isStockEventType } from './codec';
import { lastSubjectSeq, locationQuantity, type WarehouseStockState } from './warehouse-stock';

export const MAX_REASON_LENGTH = 500;

export interface CommandInput {
  /** One of STOCK_EVENT_TYPES. */
  type: string;
  warehouse: string;
  product: string;
  /** corrected, replenished, sold, destroyed; empty means the unassigned pool for replenished and sold. */
  location?: string;
  /** moved */
  from?: string;
  to?: string;
  quantity: string;
  /** destroyed */
  reason?: string;
}

export type CommandField = keyof CommandInput;

export interface FieldError {
  field: CommandField;
  message: string;
}

export type CommandDecision =
  | { ok: true; warehouse: string; event: StockEvent; expectedLastSubjectSeq: number }
  | { ok: false; errors: FieldError[] };

export function validateCommand(input: CommandInput, stock: WarehouseStockState): CommandDecision {
  const errors: FieldError[] = [];
  const problem = (field: CommandField, message: string | undefined): void => {
    if (message !== undefined) errors.push({ field, message });
  };
  const type = input.type.trim();
  if (!isStockEventType(type)) {
    problem('type', `Choose an operation: ${STOCK_EVENT_TYPES.join(', ')}`);
    return { ok: false, errors };
  }
  const warehouse = input.warehouse.trim();
  const product = input.product.trim();
  problem('warehouse', tokenProblem('Warehouse', warehouse));
  problem('product', tokenProblem('Product', product));
  const quantity = parseQuantity(input.quantity, type === 'stock.corrected' ? 0 : 1);
  if (!quantity.ok) problem('quantity', quantity.message);

  const location = (field: 'location' | 'from' | 'to', label: string, optional: boolean): string => {
    const value = (input[field] ?? '').trim();
    if (value === '' && optional) return UNASSIGNED_LOCATION;
    if (value === UNASSIGNED_LOCATION) return value;
    if (value === '') problem(field, `${label} is required (use "-" for the unassigned pool)`);
    else problem(field, locationProblem(label, value));
    return value;
  };
  let event: StockEvent;
  const q = quantity.ok ? quantity.value : 0;
  switch (type) {
    case 'stock.corrected':
      event = { type, product_name: product, location: location('location', 'Location', false), quantity: q };
      break;
    case 'stock.replenished':
    case 'stock.sold':
      event = { type, product_name: product, location: location('location', 'Location', true), quantity: q };
      break;
    // A write-off must say why; a customer's return may.
    case 'stock.returned':
    case 'stock.destroyed': {
      const returned = type === 'stock.returned';
      const at = location('location', 'Location', returned);
      const reason = (input.reason ?? '').trim();
      if (reason === '' && !returned)
        problem('reason', 'Reason is required: say why the stock was destroyed');
      else if (reason.length > MAX_REASON_LENGTH) {
        problem(
          'reason',
          `Reason is ${reason.length} characters long; at most ${MAX_REASON_LENGTH} are allowed`,
        );
      }
      event = { type, product_name: product, location: at, quantity: q, reason };
      break;
    }
    case 'stock.moved': {
      const from = location('from', 'From location', false);
      const to = location('to', 'To location', false);
      if (from !== '' && from === to)
        problem('to', `From and to are both "${from}"; a move needs two locations`);
      event = { type, product_name: product, from, to, quantity: q };
      break;
    }
    // An undo names the event it takes back, so it starts from that event: reversalCommand.
    case 'stock.reversed':
      problem('type', 'Undo an event from the audit trail or the event log, next to the event itself');
      return { ok: false, errors };
    default: {
      const _unhandled: never = type;
      return { ok: false, errors };
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const taken = takenFrom(event);
  if (taken) {
    const held = locationQuantity(stock, warehouse, product, taken.location);
    if (held < taken.quantity) {
      const where = placeName(taken.location);
      const holding =
        held > 0
          ? `Only ${held} ${product} at ${where}`
          : held === 0
            ? `No ${product} at ${where}`
            : `${product} at ${where} is already at ${held}`;
      errors.push({
        field: 'quantity',
        message: `${holding}; to ${taken.verb(taken.quantity)}, first correct the count at ${where}`,
      });
      return { ok: false, errors };
    }
  }
  return { ok: true, warehouse, event, expectedLastSubjectSeq: lastSubjectSeq(stock, warehouse, product) };
}

export interface UndoInput {
  warehouse: string;
  product: string;
  /** The id of the event to take back. */
  reverses: string;
  reason: string;
}

/**
 * An undo of one event (docs/architecture.md#undo): it takes its product and id from the event, so all a person
 * types is why. Whether the event may still be undone is the fold's to say, which the engine asks before it
 * publishes; the subject sequence to expect makes a second undo racing this one fail instead of landing twice.
 */
export function validateUndo(input: UndoInput, stock: WarehouseStockState): CommandDecision {
  const errors: FieldError[] = [];
  const reason = input.reason.trim();
  if (reason === '')
    errors.push({ field: 'reason', message: 'Reason is required: say what was wrong with it' });
  else if (reason.length > MAX_REASON_LENGTH) {
    errors.push({
      field: 'reason',
      message: `Reason is ${reason.length} characters long; at most ${MAX_REASON_LENGTH} are allowed`,
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    warehouse: input.warehouse,
    event: { type: 'stock.reversed', product_name: input.product, reverses: input.reverses, reason },
    expectedLastSubjectSeq: lastSubjectSeq(stock, input.warehouse, input.product),
  };
}

type Quantity = { ok: true; value: number } | { ok: false; message: string };

function parseQuantity(raw: string, min: 0 | 1): Quantity {
  const text = raw.trim();
  const least = min === 0 ? '0 or more' : 'at least 1';
  if (text === '') return { ok: false, message: 'Quantity is required' };
  if (/^-\d+$/.test(text)) return { ok: false, message: `Quantity must be ${least}` };
  if (!/^\d+$/.test(text)) {
    return {
      ok: false,
      message: `Quantity "${text.slice(0, 20)}" must be a whole number (digits only), ${least}`,
    };
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value)) return { ok: false, message: 'Quantity is too large' };
  if (value < min) {
    return {
      ok: false,
      message: 'Quantity must be at least 1; to record an empty location, correct its count to 0',
    };
  }
  return { ok: true, value };
}

interface Taking {
  location: string;
  quantity: number;
  verb: (quantity: number) => string;
}

/** The location an operation takes stock from, if any. */
function takenFrom(event: StockEvent): Taking | undefined {
  switch (event.type) {
    case 'stock.sold':
      return { location: event.location, quantity: event.quantity, verb: (n) => `record ${n} sold` };
    case 'stock.destroyed':
      return { location: event.location, quantity: event.quantity, verb: (n) => `record ${n} destroyed` };
    case 'stock.moved':
      return { location: event.from, quantity: event.quantity, verb: (n) => `move ${n}` };
    case 'stock.corrected':
    case 'stock.replenished':
    case 'stock.returned':
    case 'stock.reversed':
      return undefined;
    default: {
      const _unhandled: never = event;
      return undefined;
    }
  }
}

function placeName(location: string): string {
  return location === UNASSIGNED_LOCATION ? 'the unassigned pool (-)' : location;
}
