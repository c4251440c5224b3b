/**
 * What the baseline does per event with the stock nats.js client, in the browser page and in Node alike: read
 * the four contract headers through `msg.headers.get` and parse the JSON payload. The returned figure is used
 * so the work cannot be optimised away.
 */
import type { JsMsg } from '@nats-io/jetstream';
import { DEFAULT_HEADER_PREFIX, headerNames } from '../../src/core/events';

const names = headerNames(DEFAULT_HEADER_PREFIX);

export interface StockTally {
  count: number;
  /** Events that carried all four headers. */
  withHeaders: number;
  /** Sum of payload quantities. */
  quantity: number;
}

export function newTally(): StockTally {
  return { count: 0, withHeaders: 0, quantity: 0 };
}

export function decodeWithStockClient(m: JsMsg, tally: StockTally): void {
  const h = m.headers;
  const format = h?.get(names.format);
  const type = h?.get(names.type);
  const id = h?.get(names.msgId);
  const timestamp = h?.get(names.timestampMs);
  const body = m.json<{ quantity?: unknown }>();
  tally.count++;
  if (format && type && id && timestamp) tally.withHeaders++;
  if (typeof body.quantity === 'number') tally.quantity += body.quantity;
}
