/**
 * The event log's stream reader against a real nats-server: pages newest first by sequence, exact counts
 * from consumer `num_pending`, seeking by storage time, reading one message whole. Every test uses its own
 * warehouse/product names; noise events on other subjects sit between them so that windows must be found,
 * not assumed.
 */
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { ALL_STOCK_SUBJECTS, type StockEvent } from '../../src/core/events';
import type { NatsConnection } from '../../src/nats/connection';
import { publishRaw, publishStockEvent } from '../../src/nats/publish';
import { streamState } from '../../src/nats/replay';
import {
  countMatching,
  getMessage,
  openScope,
  readForward,
  readNewer,
  readOlder,
  seqAtTime,
  type ReadPageOptions,
} from '../../src/nats/stream-reader';
import type { StreamMessage } from '../../src/nats/raw-message';
import { connectTcp } from '../support/node-nats';
import { uniqueToken } from '../support/unique';
import { TEST_HEADER_NAMES } from '../../src/core/testing';

const STREAM = 'WAREHOUSE_EVENTS';
const { clientUrl } = inject('nats');
let nc: NatsConnection;

beforeAll(async () => {
  nc = await connectTcp(clientUrl, 'admin');
});
afterAll(async () => {
  await nc?.close();
});

function sold(product: string, quantity = 1): StockEvent {
  return { type: 'stock.sold', product_name: product, location: 'A1', quantity };
}

async function publish(warehouse: string, product: string, quantity = 1): Promise<number> {
  const r = await publishStockEvent(nc, warehouse, sold(product, quantity), {
    names: TEST_HEADER_NAMES,
    user: 'admin',
    id: crypto.randomUUID(),
    timestampMs: 1_000 + quantity,
  });
  if (!r.ok) throw new Error(r.message);
  return r.seq;
}

/**
 * `count` events on (warehouse, product), each followed by `noiseEvery` events elsewhere; returns the
 * sequences of the events on (warehouse, product), oldest first.
 */
async function publishInterleaved(
  warehouse: string,
  product: string,
  count: number,
  noiseEvery = 0,
): Promise<number[]> {
  const noiseWarehouse = uniqueToken('noise');
  const seqs: number[] = [];
  for (let i = 0; i < count; i++) {
    seqs.push(await publish(warehouse, product, i + 1));
    for (let n = 0; n < noiseEvery; n++) await publish(noiseWarehouse, 'Noise', 1);
  }
  return seqs;
}

const page = (
  filterSubject: string,
  over: Partial<ReadPageOptions<StreamMessage>> = {},
): ReadPageOptions<StreamMessage> => ({
  stream: STREAM,
  filterSubject,
  limit: 50,
  budget: 20_000,
  selective: false,
  select: (m) => m,
  ...over,
});

const seqs = (items: StreamMessage[]) => items.map((m) => m.seq);

describe('openScope and countMatching', () => {
  test('count exactly the messages of a subject filter, and of a range of sequences', async () => {
    const warehouse = uniqueToken('W');
    const published = await publishInterleaved(warehouse, 'Apples', 30, 2);
    await publishInterleaved(warehouse, 'Pears', 7);
    const scope = await openScope(nc, {
      stream: STREAM,
      filterSubject: `warehouse.${warehouse}.product.Apples`,
      fromMs: null,
      untilMs: null,
    });
    const state = await streamState(nc, STREAM);
    expect(scope).toMatchObject({ matching: 30, matchingExact: true, headSeq: state.lastSeq, lowSeq: 1 });
    expect(scope.highSeq).toBe(state.lastSeq);
    expect(scope.streamMessages).toBe(state.messages);

    const all = await openScope(nc, {
      stream: STREAM,
      filterSubject: `warehouse.${warehouse}.product.>`,
      fromMs: null,
      untilMs: null,
    });
    expect(all.matching).toBe(37);

    const middle = await countMatching(
      nc,
      STREAM,
      `warehouse.${warehouse}.product.Apples`,
      published[10]!,
      published[19]!,
    );
    expect(middle).toEqual({ count: 10, exact: true });
  });

  test('an unknown name matches nothing', async () => {
    const scope = await openScope(nc, {
      stream: STREAM,
      filterSubject: `warehouse.${uniqueToken('none')}.product.>`,
      fromMs: null,
      untilMs: null,
    });
    expect(scope.matching).toBe(0);
  });
});

describe('seeking by storage time', () => {
  test('finds the first sequence stored at or after a moment, and bounds a scope by it', async () => {
    const warehouse = uniqueToken('T');
    const before = await publishInterleaved(warehouse, 'Figs', 4);
    // The server stamps messages with its own clock, the same as this machine's: wait until a new ms.
    const boundary = Date.now() + 5;
    while (Date.now() <= boundary) await new Promise((r) => setTimeout(r, 2));
    const after = await publishInterleaved(warehouse, 'Figs', 3);

    expect(await seqAtTime(nc, STREAM, boundary)).toBe(after[0]);
    expect(await seqAtTime(nc, STREAM, 0)).toBe((await streamState(nc, STREAM)).firstSeq);
    const next = (await streamState(nc, STREAM)).lastSeq + 1;
    expect(await seqAtTime(nc, STREAM, Date.now() + 60_000)).toBe(next);

    const filterSubject = `warehouse.${warehouse}.product.Figs`;
    const since = await openScope(nc, { stream: STREAM, filterSubject, fromMs: boundary, untilMs: null });
    expect(since).toMatchObject({ lowSeq: after[0], matching: 3 });
    const until = await openScope(nc, { stream: STREAM, filterSubject, fromMs: null, untilMs: boundary });
    expect(until).toMatchObject({ highSeq: after[0]! - 1, matching: 4 });
    const older = await readOlder(nc, {
      ...page(filterSubject),
      before: until.highSeq + 1,
      lowSeq: until.lowSeq,
    });
    expect(seqs(older.items)).toEqual([...before].reverse());
  });
});

describe('readOlder', () => {
  test('pages newest first through a filtered subject, each page adjacent to the last, none twice', async () => {
    const warehouse = uniqueToken('P');
    const filterSubject = `warehouse.${warehouse}.product.Apples`;
    const published = await publishInterleaved(warehouse, 'Apples', 120, 3);
    const scope = await openScope(nc, { stream: STREAM, filterSubject, fromMs: null, untilMs: null });

    const first = await readOlder(nc, {
      ...page(filterSubject),
      before: scope.highSeq + 1,
      lowSeq: scope.lowSeq,
    });
    expect(seqs(first.items)).toEqual(published.slice(70).reverse());
    expect(first.fromSeq).toBe(published[70]);
    expect(first.toSeq).toBe(scope.highSeq);
    expect(first.scanned).toBe(50);

    const second = await readOlder(nc, {
      ...page(filterSubject),
      before: first.fromSeq,
      lowSeq: scope.lowSeq,
    });
    expect(seqs(second.items)).toEqual(published.slice(20, 70).reverse());

    const third = await readOlder(nc, {
      ...page(filterSubject),
      before: second.fromSeq,
      lowSeq: scope.lowSeq,
    });
    expect(seqs(third.items)).toEqual(published.slice(0, 20).reverse());
    expect(third.fromSeq).toBe(scope.lowSeq);

    const none = await readOlder(nc, { ...page(filterSubject), before: third.fromSeq, lowSeq: scope.lowSeq });
    expect(none.items).toEqual([]);
  });

  test('pages an unfiltered stream by sequence', async () => {
    await publishInterleaved(uniqueToken('U'), 'Kiwis', 60);
    const filterSubject = ALL_STOCK_SUBJECTS;
    const scope = await openScope(nc, { stream: STREAM, filterSubject, fromMs: null, untilMs: null });
    const first = await readOlder(nc, {
      ...page(filterSubject),
      before: scope.highSeq + 1,
      lowSeq: scope.lowSeq,
    });
    const expected = Array.from({ length: 50 }, (_, i) => scope.highSeq - i);
    expect(seqs(first.items)).toEqual(expected);
    expect(first.fromSeq).toBe(scope.highSeq - 49);
  });

  test('finds a few events far apart in a much larger stream', async () => {
    const warehouse = uniqueToken('S');
    const filterSubject = `warehouse.${warehouse}.product.Rare`;
    const rare = await publishInterleaved(warehouse, 'Rare', 3, 400);
    const scope = await openScope(nc, { stream: STREAM, filterSubject, fromMs: null, untilMs: null });
    expect(scope.matching).toBe(3);
    const read = await readOlder(nc, {
      ...page(filterSubject),
      before: scope.highSeq + 1,
      lowSeq: scope.lowSeq,
    });
    expect(seqs(read.items)).toEqual([...rare].reverse());
    expect(read.scanned).toBe(3);
    // Sized by the scope's density instead, the same page.
    const hinted = await readOlder(nc, {
      ...page(filterSubject, { limit: 2, densityHint: scope.matching / (scope.highSeq - scope.lowSeq + 1) }),
      before: scope.highSeq + 1,
      lowSeq: scope.lowSeq,
    });
    expect(seqs(hinted.items)).toEqual([rare[2], rare[1]]);
    expect(hinted.fromSeq).toBe(rare[1]);
  });

  test('a selective page stops at its budget and says how far it read', async () => {
    const warehouse = uniqueToken('B');
    const filterSubject = `warehouse.${warehouse}.product.Beans`;
    const published = await publishInterleaved(warehouse, 'Beans', 100);
    const scope = await openScope(nc, { stream: STREAM, filterSubject, fromMs: null, untilMs: null });
    // Keep quantities divisible by 7 (quantity = index + 1): 7, 14, … 98.
    const select = (m: StreamMessage) =>
      (JSON.parse(new TextDecoder().decode(m.data)) as { quantity: number }).quantity % 7 === 0
        ? m
        : undefined;

    const bounded = await readOlder(nc, {
      ...page(filterSubject, { selective: true, select, budget: 30 }),
      before: scope.highSeq + 1,
      lowSeq: scope.lowSeq,
    });
    // The newest 30 are quantities 100…71; 98, 91, 84, 77 are among them.
    expect(bounded.scanned).toBe(30);
    expect(bounded.fromSeq).toBe(published[70]);
    expect(seqs(bounded.items)).toEqual([97, 90, 83, 76].map((i) => published[i]));

    const whole = await readOlder(nc, {
      ...page(filterSubject, { selective: true, select, limit: 5 }),
      before: scope.highSeq + 1,
      lowSeq: scope.lowSeq,
    });
    expect(seqs(whole.items)).toEqual([97, 90, 83, 76, 69].map((i) => published[i]));
    expect(whole.fromSeq).toBe(published[69]);
  });
});

describe('readNewer', () => {
  test('reads the oldest page after a sequence and returns it newest first', async () => {
    const warehouse = uniqueToken('N');
    const filterSubject = `warehouse.${warehouse}.product.Limes`;
    const published = await publishInterleaved(warehouse, 'Limes', 70, 1);
    const scope = await openScope(nc, { stream: STREAM, filterSubject, fromMs: null, untilMs: null });
    const oldest = await readNewer(nc, {
      ...page(filterSubject),
      after: scope.lowSeq - 1,
      highSeq: scope.highSeq,
    });
    expect(seqs(oldest.items)).toEqual(published.slice(0, 50).reverse());
    expect(oldest.toSeq).toBe(published[49]);
    const rest = await readNewer(nc, { ...page(filterSubject), after: oldest.toSeq, highSeq: scope.highSeq });
    expect(seqs(rest.items)).toEqual(published.slice(50).reverse());
    expect(rest.toSeq).toBe(scope.highSeq);
  });

  test('does not read past the scope, even when newer events arrived since it was opened', async () => {
    const warehouse = uniqueToken('H');
    const filterSubject = `warehouse.${warehouse}.product.Dates`;
    const published = await publishInterleaved(warehouse, 'Dates', 5);
    const scope = await openScope(nc, { stream: STREAM, filterSubject, fromMs: null, untilMs: null });
    await publishInterleaved(warehouse, 'Dates', 5);
    const read = await readNewer(nc, { ...page(filterSubject), after: 0, highSeq: scope.highSeq });
    expect(seqs(read.items)).toEqual([...published].reverse());
    const older = await readOlder(nc, { ...page(filterSubject), before: scope.highSeq + 1, lowSeq: 1 });
    expect(seqs(older.items)).toEqual([...published].reverse());
  });
});

describe('readForward', () => {
  test('yields every matching message of a range in order, in batches', async () => {
    const warehouse = uniqueToken('F');
    const filterSubject = `warehouse.${warehouse}.product.Rice`;
    const published = await publishInterleaved(warehouse, 'Rice', 1500);
    const got: number[] = [];
    let batches = 0;
    for await (const batch of readForward(nc, {
      stream: STREAM,
      filterSubject,
      fromSeq: published[3]!,
      toSeq: published[1400]!,
    })) {
      batches += 1;
      got.push(...seqs(batch));
    }
    expect(got).toEqual(published.slice(3, 1401));
    expect(batches).toBeGreaterThan(1);
  });

  test('stops when aborted', async () => {
    const warehouse = uniqueToken('A');
    const published = await publishInterleaved(warehouse, 'Oats', 1200);
    const abort = new AbortController();
    const got: number[] = [];
    for await (const batch of readForward(nc, {
      stream: STREAM,
      filterSubject: `warehouse.${warehouse}.product.Oats`,
      fromSeq: published[0]!,
      toSeq: published.at(-1)!,
      signal: abort.signal,
    })) {
      got.push(...seqs(batch));
      abort.abort();
    }
    expect(got).toEqual(published.slice(0, 1000));
  });
});

describe('getMessage', () => {
  test('returns one message whole, with exactly its stored headers', async () => {
    const warehouse = uniqueToken('G');
    // Large, yet within what the stream stores for an event.
    const payload = `{"product_name":"Apples","note":"${'z'.repeat(15_000)}"}`;
    const r = await publishRaw(nc, `warehouse.${warehouse}.product.Apples`, payload, [
      ['myorg_type', 'stock.sold'],
      ['X-Empty', ''],
      ['X-Twice', '1'],
      ['X-Twice', '2'],
    ]);
    if (!r.ok) throw new Error(r.message);
    const m = await getMessage(nc, STREAM, r.seq);
    expect(m).not.toBeNull();
    expect(m!.subject).toBe(`warehouse.${warehouse}.product.Apples`);
    expect(new TextDecoder().decode(m!.data)).toBe(payload);
    expect(m!.headerEntries()).toEqual([
      ['myorg_type', 'stock.sold'],
      ['X-Empty', ''],
      ['X-Twice', '1'],
      ['X-Twice', '2'],
    ]);
    expect(m!.header('X-Empty')).toBe('');
    expect(m!.header('absent')).toBeUndefined();
    expect(Math.abs(m!.streamTimestampMs - Date.now())).toBeLessThan(60_000);
  });

  test('returns null for a sequence the stream does not hold', async () => {
    const next = (await streamState(nc, STREAM)).lastSeq + 1000;
    expect(await getMessage(nc, STREAM, next)).toBeNull();
  });
});
