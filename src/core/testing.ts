/**
 * Builders for decoded messages in core tests: a stream that hands out sequences in order, as JetStream does,
 * so a test reads as the list of facts it is about.
 */
import type { Decoded, DecodeErrorCode, EventMeta } from './codec';
import {
  DEFAULT_HEADER_PREFIX,
  UNASSIGNED_LOCATION,
  headerNames,
  stockSubject,
  type StockEvent,
} from './events';
import { HOUR_MS } from './sales';
import type { WarehouseIds } from './warehouse-ids';

/** A deterministic UUID v4-shaped id for the n-th event. */
export function testId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export interface At {
  /** Event time; defaults to the stream's clock, which advances one second per message. */
  at?: number;
  /** Event id; defaults to a fresh UUID. */
  id?: string;
}

export class TestStream {
  private seq = 0;
  private clock: number;

  constructor(startMs = 1_700_000_000_000) {
    this.clock = startMs;
  }

  /** Skips sequences, as when a stream has messages this test does not care about. */
  skip(count: number): this {
    this.seq += count;
    return this;
  }

  meta(warehouse: string, product: string, at: At = {}): EventMeta {
    this.seq += 1;
    this.clock += 1000;
    return {
      seq: this.seq,
      subject: stockSubject(warehouse, product),
      warehouse,
      product,
      id: at.id ?? testId(this.seq),
      timestampMs: at.at ?? this.clock,
    };
  }

  stock(warehouse: string, event: StockEvent, at: At = {}): Decoded {
    return { kind: 'stock', meta: this.meta(warehouse, event.product_name, at), event };
  }

  corrected(warehouse: string, product: string, location: string, quantity: number, at?: At): Decoded {
    return this.stock(warehouse, { type: 'stock.corrected', product_name: product, location, quantity }, at);
  }

  replenished(warehouse: string, product: string, quantity: number, location = UNASSIGNED_LOCATION, at?: At) {
    return this.stock(
      warehouse,
      { type: 'stock.replenished', product_name: product, location, quantity },
      at,
    );
  }

  sold(
    warehouse: string,
    product: string,
    quantity: number,
    location = UNASSIGNED_LOCATION,
    at?: At,
  ): Decoded {
    return this.stock(warehouse, { type: 'stock.sold', product_name: product, location, quantity }, at);
  }

  returned(
    warehouse: string,
    product: string,
    quantity: number,
    location = UNASSIGNED_LOCATION,
    reason = '',
    at?: At,
  ): Decoded {
    return this.stock(
      warehouse,
      { type: 'stock.returned', product_name: product, location, quantity, reason },
      at,
    );
  }

  destroyed(
    warehouse: string,
    product: string,
    location: string,
    quantity: number,
    reason = 'rotten',
    at?: At,
  ) {
    return this.stock(
      warehouse,
      { type: 'stock.destroyed', product_name: product, location, quantity, reason },
      at,
    );
  }

  moved(warehouse: string, product: string, from: string, to: string, quantity: number, at?: At): Decoded {
    return this.stock(warehouse, { type: 'stock.moved', product_name: product, from, to, quantity }, at);
  }

  /** Takes back the event with id `reverses` (docs/architecture.md#undo). */
  reversed(warehouse: string, product: string, reverses: string, reason = 'recorded by mistake', at?: At) {
    return this.stock(warehouse, { type: 'stock.reversed', product_name: product, reverses, reason }, at);
  }

  unknown(warehouse: string, product: string, type: string, at?: At): Decoded {
    return { kind: 'unknown', meta: this.meta(warehouse, product, at), type };
  }

  malformed(subject: string, code: DecodeErrorCode = 'bad_json', message = 'payload is not JSON'): Decoded {
    this.seq += 1;
    this.clock += 1000;
    return { kind: 'malformed', seq: this.seq, subject, timestampMs: this.clock, error: { code, message } };
  }

  /** The same event again under a new sequence, as a late retry or a re-injected copy would arrive. */
  again(decoded: Decoded): Decoded {
    if (decoded.kind === 'malformed') return { ...decoded, seq: ++this.seq };
    return { ...decoded, meta: { ...decoded.meta, seq: ++this.seq } };
  }
}

/**
 * A deterministic mixed history ending about `endMs`: several warehouses, products and locations, duplicates,
 * unknown types and junk.
 */
export function syntheticHistory(count: number, endMs: number): Decoded[] {
  const s = new TestStream();
  const events: Decoded[] = [];
  let seed = 12345;
  const next = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  for (let i = 0; i < count; i++) {
    const warehouse = `W${next(5)}`;
    const product = `P${next(20)}`;
    const location = next(9) === 0 ? UNASSIGNED_LOCATION : `L${next(8)}`;
    const at = { at: endMs - 12 * 24 * HOUR_MS + i * 10_000 };
    const quantity = 1 + next(5);
    const pick = next(100);
    if (pick < 2 && events.length > 0) events.push(s.again(events[next(events.length)] as Decoded));
    else if (pick < 3) events.push(s.unknown(warehouse, product, 'stock.audited', at));
    else if (pick < 4) events.push(s.malformed(stockSubject(warehouse, product)));
    else if (pick < 10) events.push(s.corrected(warehouse, product, location, next(50), at));
    else if (pick < 30) events.push(s.replenished(warehouse, product, quantity * 10, location, at));
    else if (pick < 40)
      events.push(s.moved(warehouse, product, location, location === 'L0' ? 'L1' : 'L0', quantity, at));
    else if (pick < 45) events.push(s.destroyed(warehouse, product, location, quantity, 'damaged', at));
    else events.push(s.sold(warehouse, product, quantity, location, at));
  }
  return events;
}

/** The header names of a deployment that keeps the default prefix, which tests publish and read with. */
export const TEST_HEADER_NAMES = headerNames(DEFAULT_HEADER_PREFIX);

/** Each warehouse's id generations as comparable figures: when they opened and how many ids each holds. */
export function idGenerations(ids: WarehouseIds): [string, number, number, number][] {
  return [...ids.byWarehouse]
    .map(([w, r]): [string, number, number, number] => [w, r.sinceMs, r.current.size, r.previous.size])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
