import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { decodeProcurementMessage, decodeStockMessage } from '../../src/core/codec';
import { MAX_PAYLOAD_BYTES, headerNames, type StockEvent } from '../../src/core/events';
import type { NatsConnection } from '../../src/nats/connection';
import { publishRaw, publishStockEvent, publishStockLow } from '../../src/nats/publish';
import { replayStream } from '../../src/nats/replay';
import type { StreamMessage } from '../../src/nats/raw-message';
import { readUntil } from '../support/iterate';
import { connectTcp } from '../support/node-nats';
import { uniqueToken } from '../support/unique';
import { TEST_HEADER_NAMES } from '../../src/core/testing';

const { clientUrl } = inject('nats');
let admin: NatsConnection;
let services: NatsConnection;

beforeAll(async () => {
  admin = await connectTcp(clientUrl, 'admin');
  services = await connectTcp(clientUrl, 'services');
});
afterAll(async () => {
  await admin?.close();
  await services?.close();
});

/** Every message stored on one subject of a stream. */
async function stored(stream: string, subject: string): Promise<StreamMessage[]> {
  const abort = new AbortController();
  const batches = await readUntil(
    replayStream(admin, { stream, filterSubject: subject, fromSeq: 1, signal: abort.signal }),
    (b) => b.at(-1)?.caughtUp === true,
  );
  abort.abort();
  return batches.flatMap((b) => b.messages);
}

function sold(product: string, quantity = 2): StockEvent {
  return { type: 'stock.sold', product_name: product, location: 'A43', quantity };
}

describe('publishStockEvent', () => {
  test('stores the event with the five headers and Nats-Msg-Id', async () => {
    const product = uniqueToken('Apples');
    const id = crypto.randomUUID();
    const result = await publishStockEvent(admin, '46', sold(product, 3), {
      names: TEST_HEADER_NAMES,
      user: 'admin',
      id,
      timestampMs: 1_767_225_600_123,
    });
    expect(result).toMatchObject({ ok: true, duplicate: false, stream: 'WAREHOUSE_EVENTS' });

    const [message, ...rest] = await stored('WAREHOUSE_EVENTS', `warehouse.46.product.${product}`);
    expect(rest).toEqual([]);
    expect(message!.seq).toBe(result.ok ? result.seq : -1);
    expect(Object.fromEntries(message!.headerEntries())).toEqual({
      myorg_format: 'application/json',
      myorg_type: 'stock.sold',
      myorg_msg_id: id,
      myorg_timestamp_ms: '1767225600123',
      myorg_user: 'admin',
      'Nats-Msg-Id': id,
    });
    expect(JSON.parse(new TextDecoder().decode(message!.data))).toEqual({
      product_name: product,
      location: 'A43',
      quantity: 3,
    });
    expect(decodeStockMessage(message!, TEST_HEADER_NAMES)).toMatchObject({
      kind: 'stock',
      meta: { id, timestampMs: 1_767_225_600_123, warehouse: '46', product },
      event: sold(product, 3),
    });
  });

  test('honours a custom header prefix', async () => {
    const product = uniqueToken('Pears');
    const result = await publishStockEvent(admin, '46', sold(product), {
      id: crypto.randomUUID(),
      timestampMs: 1,
      user: 'admin',
      names: headerNames('acme'),
    });
    expect(result.ok).toBe(true);
    const [message] = await stored('WAREHOUSE_EVENTS', `warehouse.46.product.${product}`);
    expect(message!.header('acme_type')).toBe('stock.sold');
    expect(message!.header('myorg_type')).toBeUndefined();
  });

  test('the same id twice is stored once; the second ack says duplicate', async () => {
    const product = uniqueToken('Kiwis');
    const id = crypto.randomUUID();
    const first = await publishStockEvent(admin, '7', sold(product), {
      names: TEST_HEADER_NAMES,
      user: 'admin',
      id,
      timestampMs: 1000,
    });
    const second = await publishStockEvent(admin, '7', sold(product), {
      names: TEST_HEADER_NAMES,
      user: 'admin',
      id,
      timestampMs: 2000,
    });
    expect(first).toMatchObject({ ok: true, duplicate: false });
    expect(second).toEqual({ ...first, duplicate: true });
    expect(await stored('WAREHOUSE_EVENTS', `warehouse.7.product.${product}`)).toHaveLength(1);
  });

  test('a wrong expected sequence is a conflict that names the actual sequence', async () => {
    const product = uniqueToken('Plums');
    const subjectFirst = await publishStockEvent(admin, '7', sold(product), {
      names: TEST_HEADER_NAMES,
      user: 'admin',
      id: crypto.randomUUID(),
      timestampMs: 1,
      expectedLastSubjectSeq: 0,
    });
    expect(subjectFirst.ok).toBe(true);
    const seq = subjectFirst.ok ? subjectFirst.seq : -1;

    const stale = await publishStockEvent(admin, '7', sold(product), {
      names: TEST_HEADER_NAMES,
      user: 'admin',
      id: crypto.randomUUID(),
      timestampMs: 2,
      expectedLastSubjectSeq: 0,
    });
    expect(stale).toMatchObject({ ok: false, kind: 'conflict', actualSeq: seq });
    expect(stale.ok ? '' : stale.message).toContain(`sequence ${seq}`);

    const current = await publishStockEvent(admin, '7', sold(product), {
      names: TEST_HEADER_NAMES,
      user: 'admin',
      id: crypto.randomUUID(),
      timestampMs: 3,
      expectedLastSubjectSeq: seq,
    });
    expect(current).toMatchObject({ ok: true, duplicate: false });
    expect(await stored('WAREHOUSE_EVENTS', `warehouse.7.product.${product}`)).toHaveLength(2);
  });

  test.each<[string, string, StockEvent, string]>([
    ['a warehouse outside the token rule', '4 6', sold('Apples'), 'warehouse "4 6" contains space'],
    ['a product outside the token rule', '46', sold('Äpfel'), 'product "Äpfel" contains "Ä"'],
    ['a negative quantity', '46', sold('Apples', -1), 'quantity -1 must be at least 1'],
    ['a fractional quantity', '46', sold('Apples', 1.5), 'quantity 1.5 is not a whole number'],
    [
      'a move to the same place',
      '46',
      { type: 'stock.moved', product_name: 'Apples', from: 'A1', to: 'A1', quantity: 1 },
      'move from "A1" to itself',
    ],
    [
      'a payload above the size limit',
      '46',
      {
        type: 'stock.destroyed',
        product_name: 'Apples',
        location: 'A1',
        quantity: 1,
        reason: 'x'.repeat(MAX_PAYLOAD_BYTES),
      },
      `at most ${MAX_PAYLOAD_BYTES} are allowed`,
    ],
  ])('%s comes back as invalid, not as an exception', async (_what, warehouse, event, message) => {
    const result = await publishStockEvent(admin, warehouse, event, {
      names: TEST_HEADER_NAMES,
      user: 'admin',
      id: crypto.randomUUID(),
      timestampMs: 1,
    });
    expect(result).toMatchObject({ ok: false, kind: 'invalid' });
    expect(result.ok ? '' : result.message).toContain(message);
  });

  test('an id that cannot be a header value is invalid', async () => {
    const result = await publishStockEvent(admin, '46', sold('Apples'), {
      names: TEST_HEADER_NAMES,
      user: 'admin',
      id: 'has space',
      timestampMs: 1,
    });
    expect(result).toMatchObject({ ok: false, kind: 'invalid' });
  });

  test('services may not publish stock events', async () => {
    const product = uniqueToken('Figs');
    const result = await publishStockEvent(services, '46', sold(product), {
      names: TEST_HEADER_NAMES,
      user: 'admin',
      id: crypto.randomUUID(),
      timestampMs: 1,
    });
    expect(result).toEqual({
      ok: false,
      kind: 'permission',
      message: `Permission denied: this user may not publish to warehouse.46.product.${product}.`,
    });
  });
});

describe('publishStockLow', () => {
  test('the notifier publishes stock.low to PROCUREMENT_EVENTS, once per id', async () => {
    const product = uniqueToken('Limes');
    const low = { product_name: product, warehouse: '46', quantity: 3, threshold: 10 };
    const id = `low-46.${product}-r5`;
    const first = await publishStockLow(services, low, {
      names: TEST_HEADER_NAMES,
      user: 'admin',
      id,
      timestampMs: 5,
    });
    const again = await publishStockLow(services, low, {
      names: TEST_HEADER_NAMES,
      user: 'admin',
      id,
      timestampMs: 6,
    });
    expect(first).toMatchObject({ ok: true, duplicate: false, stream: 'PROCUREMENT_EVENTS' });
    expect(again).toMatchObject({ ok: true, duplicate: true });

    const messages = await stored('PROCUREMENT_EVENTS', `procurement.46.product.${product}`);
    expect(messages).toHaveLength(1);
    expect(decodeProcurementMessage(messages[0]!, TEST_HEADER_NAMES)).toMatchObject({
      kind: 'low',
      low,
      meta: { id, timestampMs: 5 },
    });
  });
});

describe('publishRaw', () => {
  test('stores bytes our publishers never would, for reader tests', async () => {
    const product = uniqueToken('Dates');
    const subject = `warehouse.46.product.${product}`;
    const bytes = new Uint8Array([0xff, 0xfe, 0x7b]);
    const result = await publishRaw(admin, subject, bytes, [
      ['myorg_type', 'stock.sold'],
      ['myorg_format', 'application/json'],
      ['x-empty', ''],
    ]);
    expect(result).toMatchObject({ ok: true, stream: 'WAREHOUSE_EVENTS' });
    const [message] = await stored('WAREHOUSE_EVENTS', subject);
    expect([...message!.data]).toEqual([0xff, 0xfe, 0x7b]);
    expect(message!.header('x-empty')).toBe('');
    expect(decodeStockMessage(message!, TEST_HEADER_NAMES)).toMatchObject({
      kind: 'malformed',
      error: { code: 'bad_encoding' },
    });
  });

  test('refuses a wildcard subject as invalid', async () => {
    expect(await publishRaw(admin, 'warehouse.*.product.x', '{}')).toMatchObject({
      ok: false,
      kind: 'invalid',
    });
  });

  test('a subject no stream stores is no_stream', async () => {
    const result = await publishRaw(admin, `nowhere.${uniqueToken('x')}`, '{}', [], { timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: false, kind: 'no_stream' });
  });
});
