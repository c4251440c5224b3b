import { describe, expect, it } from 'vitest';
import {
  decodeProcurementMessage,
  decodeStockMessage,
  encodeStockEvent,
  encodeStockLow,
  type DecodeErrorCode,
  type EncodedMessage,
  type RawMessage,
} from './codec';
import { MAX_PAYLOAD_BYTES, headerNames, type StockEvent, type StockLow } from './events';
import { TEST_HEADER_NAMES } from './testing';

const ID = '3b241101-e2bb-4255-8caf-4136c566a962';
const EVENT_MS = 1_700_000_000_000;
const STREAM_MS = 1_700_000_009_999;
const SUBJECT = 'warehouse.46.product.Apples';

interface RawSpec {
  subject?: string;
  seq?: number;
  /** Header overrides; undefined removes the header. */
  headers?: Record<string, string | undefined>;
  payload?: string | Uint8Array;
  prefix?: string;
}

function raw(spec: RawSpec = {}): RawMessage {
  const names = spec.prefix === undefined ? TEST_HEADER_NAMES : headerNames(spec.prefix);
  const headers: Record<string, string | undefined> = {
    [names.format]: 'application/json',
    [names.type]: 'stock.sold',
    [names.msgId]: ID,
    [names.timestampMs]: String(EVENT_MS),
    ...spec.headers,
  };
  const payload = spec.payload ?? '{"product_name":"Apples","location":"A43","quantity":3}';
  return {
    subject: spec.subject ?? SUBJECT,
    seq: spec.seq ?? 7,
    streamTimestampMs: STREAM_MS,
    header: (name) => headers[name],
    data: typeof payload === 'string' ? new TextEncoder().encode(payload) : payload,
  };
}

function fromEncoded(message: EncodedMessage, seq = 7): RawMessage {
  return {
    subject: message.subject,
    seq,
    streamTimestampMs: STREAM_MS,
    header: (name) => message.headers[name],
    data: new TextEncoder().encode(message.payload),
  };
}

const TYPE = 'myorg_type';
const FORMAT = 'myorg_format';
const TIMESTAMP = 'myorg_timestamp_ms';

interface MalformedCase {
  name: string;
  spec: RawSpec;
  code: DecodeErrorCode;
  field?: string;
}

const malformedCases: MalformedCase[] = [
  // payload shape
  { name: 'bad JSON', spec: { payload: '{"product_name":' }, code: 'bad_json' },
  { name: 'JSON array', spec: { payload: '[1,2]' }, code: 'not_an_object' },
  { name: 'JSON string', spec: { payload: '"Apples"' }, code: 'not_an_object' },
  { name: 'JSON null', spec: { payload: 'null' }, code: 'not_an_object' },
  { name: 'JSON number', spec: { payload: '42' }, code: 'not_an_object' },
  { name: 'empty payload', spec: { payload: '' }, code: 'bad_json' },
  {
    name: 'oversized payload',
    spec: { payload: `{"product_name":"Apples","quantity":3,"pad":"${'x'.repeat(MAX_PAYLOAD_BYTES)}"}` },
    code: 'oversized',
  },
  {
    name: 'non-UTF-8 bytes',
    spec: { payload: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) },
    code: 'bad_encoding',
  },
  // fields
  {
    name: 'missing product_name',
    spec: { payload: '{"quantity":3}' },
    code: 'missing_field',
    field: 'product_name',
  },
  {
    name: 'product_name not a string',
    spec: { payload: '{"product_name":7,"quantity":3}' },
    code: 'wrong_type',
    field: 'product_name',
  },
  {
    name: 'payload product differs from subject',
    spec: { payload: '{"product_name":"Pears","quantity":3}' },
    code: 'product_mismatch',
    field: 'product_name',
  },
  {
    name: 'missing quantity',
    spec: { payload: '{"product_name":"Apples"}' },
    code: 'missing_field',
    field: 'quantity',
  },
  {
    name: 'quantity as a string',
    spec: { payload: '{"product_name":"Apples","quantity":"3"}' },
    code: 'wrong_type',
    field: 'quantity',
  },
  {
    name: 'fractional quantity',
    spec: { payload: '{"product_name":"Apples","quantity":1.5}' },
    code: 'bad_quantity',
    field: 'quantity',
  },
  {
    name: 'quantity beyond safe integers',
    spec: { payload: '{"product_name":"Apples","quantity":1e300}' },
    code: 'bad_quantity',
    field: 'quantity',
  },
  {
    name: 'negative quantity',
    spec: { payload: '{"product_name":"Apples","quantity":-1}' },
    code: 'bad_quantity',
    field: 'quantity',
  },
  {
    name: 'zero sold',
    spec: { payload: '{"product_name":"Apples","quantity":0}' },
    code: 'bad_quantity',
    field: 'quantity',
  },
  {
    name: 'zero replenished',
    spec: { headers: { [TYPE]: 'stock.replenished' }, payload: '{"product_name":"Apples","quantity":0}' },
    code: 'bad_quantity',
  },
  {
    name: 'negative corrected',
    spec: {
      headers: { [TYPE]: 'stock.corrected' },
      payload: '{"product_name":"Apples","location":"A1","quantity":-2}',
    },
    code: 'bad_quantity',
  },
  {
    name: 'corrected without location',
    spec: { headers: { [TYPE]: 'stock.corrected' }, payload: '{"product_name":"Apples","quantity":2}' },
    code: 'missing_field',
    field: 'location',
  },
  {
    name: 'destroyed without reason',
    spec: {
      headers: { [TYPE]: 'stock.destroyed' },
      payload: '{"product_name":"Apples","location":"A1","quantity":2}',
    },
    code: 'missing_field',
    field: 'reason',
  },
  {
    name: 'destroyed without location',
    spec: {
      headers: { [TYPE]: 'stock.destroyed' },
      payload: '{"product_name":"Apples","quantity":2,"reason":"x"}',
    },
    code: 'missing_field',
    field: 'location',
  },
  {
    name: 'moved without from',
    spec: { headers: { [TYPE]: 'stock.moved' }, payload: '{"product_name":"Apples","to":"B1","quantity":2}' },
    code: 'missing_field',
    field: 'from',
  },
  {
    name: 'moved from a location to itself',
    spec: {
      headers: { [TYPE]: 'stock.moved' },
      payload: '{"product_name":"Apples","from":"B1","to":"B1","quantity":2}',
    },
    code: 'same_location',
    field: 'to',
  },
  {
    name: 'location with a line break',
    spec: { payload: '{"product_name":"Apples","location":"A\\n43","quantity":3}' },
    code: 'bad_location',
    field: 'location',
  },
  {
    name: 'location of spaces only',
    spec: { payload: '{"product_name":"Apples","location":"   ","quantity":3}' },
    code: 'bad_location',
  },
  {
    name: 'location with half a character (a lone surrogate)',
    spec: { payload: '{"product_name":"Apples","location":"A\\ud800","quantity":3}' },
    code: 'bad_location',
  },
  {
    name: 'location of 65 characters',
    spec: { payload: `{"product_name":"Apples","location":"${'L'.repeat(65)}","quantity":3}` },
    code: 'bad_location',
  },
  {
    name: 'empty location',
    spec: { payload: '{"product_name":"Apples","location":"","quantity":3}' },
    code: 'bad_location',
  },
  {
    name: 'location as a number',
    spec: { payload: '{"product_name":"Apples","location":43,"quantity":3}' },
    code: 'wrong_type',
    field: 'location',
  },
  // subject
  {
    name: 'subject with a dot inside a token',
    spec: { subject: 'warehouse.4.6.product.Apples' },
    code: 'bad_subject',
  },
  { name: 'subject of three tokens', spec: { subject: 'warehouse.46.Apples' }, code: 'bad_subject' },
  { name: 'subject without "product"', spec: { subject: 'warehouse.46.item.Apples' }, code: 'bad_subject' },
  { name: 'subject under another root', spec: { subject: 'shop.46.product.Apples' }, code: 'bad_subject' },
  {
    name: 'subject token with a space',
    spec: { subject: 'warehouse.4 6.product.Apples' },
    code: 'bad_subject',
  },
  {
    name: 'subject token of 65 characters',
    spec: { subject: `warehouse.46.product.${'A'.repeat(65)}` },
    code: 'bad_subject',
  },
  {
    name: 'subject with an empty token',
    spec: { subject: 'warehouse..product.Apples' },
    code: 'bad_subject',
  },
  // headers
  {
    name: 'missing type header',
    spec: { headers: { [TYPE]: undefined } },
    code: 'missing_header',
    field: TYPE,
  },
  { name: 'empty type header', spec: { headers: { [TYPE]: '' } }, code: 'missing_header', field: TYPE },
  {
    name: 'missing format header',
    spec: { headers: { [FORMAT]: undefined } },
    code: 'missing_header',
    field: FORMAT,
  },
  {
    name: 'unsupported format',
    spec: { headers: { [FORMAT]: 'application/xml' } },
    code: 'unsupported_format',
    field: FORMAT,
  },
  { name: 'timestamp not a number', spec: { headers: { [TIMESTAMP]: 'yesterday' } }, code: 'bad_timestamp' },
  { name: 'negative timestamp', spec: { headers: { [TIMESTAMP]: '-5' } }, code: 'bad_timestamp' },
  {
    name: 'fractional timestamp',
    spec: { headers: { [TIMESTAMP]: '1700000000000.5' } },
    code: 'bad_timestamp',
  },
  { name: 'timestamp in exponent form', spec: { headers: { [TIMESTAMP]: '1.7e12' } }, code: 'bad_timestamp' },
  {
    name: 'timestamp beyond safe integers',
    spec: { headers: { [TIMESTAMP]: '9999999999999999' } },
    code: 'bad_timestamp',
  },
];

describe('decodeStockMessage: malformed messages are classified, never thrown', () => {
  it.each(malformedCases)('$name → $code', ({ spec, code, field }) => {
    const decoded = decodeStockMessage(raw(spec), TEST_HEADER_NAMES);
    expect(decoded.kind).toBe('malformed');
    if (decoded.kind !== 'malformed') return;
    expect(decoded.error.code).toBe(code);
    if (field !== undefined) expect(decoded.error.field).toBe(field);
    expect(decoded.error.message.length).toBeGreaterThan(0);
    expect(decoded.seq).toBe(7);
    expect(decoded.subject).toBe(spec.subject ?? SUBJECT);
  });

  it('keeps the event time of a malformed payload when the headers were readable', () => {
    const decoded = decodeStockMessage(raw({ payload: 'nope' }), TEST_HEADER_NAMES);
    expect(decoded).toMatchObject({ kind: 'malformed', timestampMs: EVENT_MS });
  });

  it('uses the stream time when the headers themselves were unreadable', () => {
    const decoded = decodeStockMessage(raw({ headers: { [TYPE]: undefined } }), TEST_HEADER_NAMES);
    expect(decoded).toMatchObject({ kind: 'malformed', timestampMs: STREAM_MS });
  });

  it('names the allowed characters when a subject token is wrong', () => {
    const decoded = decodeStockMessage(raw({ subject: 'warehouse.4 6.product.Apples' }), TEST_HEADER_NAMES);
    expect(decoded.kind === 'malformed' && decoded.error.message).toContain('allowed are letters');
  });
});

describe('decodeStockMessage: lenient where the contract says so', () => {
  it('takes the stream time when there is no timestamp header', () => {
    const decoded = decodeStockMessage(raw({ headers: { [TIMESTAMP]: undefined } }), TEST_HEADER_NAMES);
    expect(decoded.kind === 'stock' && decoded.meta.timestampMs).toBe(STREAM_MS);
  });

  it('takes the stream time when the timestamp header is empty', () => {
    const decoded = decodeStockMessage(raw({ headers: { [TIMESTAMP]: '' } }), TEST_HEADER_NAMES);
    expect(decoded.kind === 'stock' && decoded.meta.timestampMs).toBe(STREAM_MS);
  });

  it('identifies an event without message id by its stream sequence', () => {
    const decoded = decodeStockMessage(
      raw({ seq: 1234, headers: { myorg_msg_id: undefined } }),
      TEST_HEADER_NAMES,
    );
    expect(decoded.kind === 'stock' && decoded.meta.id).toBe('seq:1234');
  });

  it.each(['stock.sold', 'stock.replenished'])(
    '%s without location counts in the unassigned pool',
    (type) => {
      const decoded = decodeStockMessage(
        raw({ headers: { [TYPE]: type }, payload: '{"product_name":"Apples","quantity":4}' }),
        TEST_HEADER_NAMES,
      );
      expect(decoded).toEqual({
        kind: 'stock',
        meta: { seq: 7, subject: SUBJECT, warehouse: '46', product: 'Apples', id: ID, timestampMs: EVENT_MS },
        event: { type, product_name: 'Apples', location: '-', quantity: 4 },
      });
    },
  );

  it('accepts a correction to zero', () => {
    const decoded = decodeStockMessage(
      raw({
        headers: { [TYPE]: 'stock.corrected' },
        payload: '{"product_name":"Apples","location":"A1","quantity":0}',
      }),
      TEST_HEADER_NAMES,
    );
    expect(
      decoded.kind === 'stock' && decoded.event.type === 'stock.corrected' && decoded.event.quantity,
    ).toBe(0);
  });

  it('reads a correction to -0 as 0', () => {
    const decoded = decodeStockMessage(
      raw({
        headers: { [TYPE]: 'stock.corrected' },
        payload: '{"product_name":"Apples","location":"A1","quantity":-0}',
      }),
      TEST_HEADER_NAMES,
    );
    const event = decoded.kind === 'stock' ? decoded.event : null;
    expect(event?.type === 'stock.corrected' && Object.is(event.quantity, 0)).toBe(true);
  });

  it('accepts a JSON format with parameters', () => {
    const decoded = decodeStockMessage(
      raw({ headers: { [FORMAT]: 'Application/JSON; charset=utf-8' } }),
      TEST_HEADER_NAMES,
    );
    expect(decoded.kind).toBe('stock');
  });

  it('ignores fields it does not know', () => {
    const decoded = decodeStockMessage(
      raw({ payload: '{"product_name":"Apples","quantity":1,"till":"7"}' }),
      TEST_HEADER_NAMES,
    );
    expect(decoded.kind === 'stock' && decoded.event).toEqual({
      type: 'stock.sold',
      product_name: 'Apples',
      location: '-',
      quantity: 1,
    });
  });

  it('keeps an unknown type without parsing its payload', () => {
    const decoded = decodeStockMessage(
      raw({ headers: { [TYPE]: 'stock.audited' }, payload: 'not json at all' }),
      TEST_HEADER_NAMES,
    );
    expect(decoded).toEqual({
      kind: 'unknown',
      type: 'stock.audited',
      meta: { seq: 7, subject: SUBJECT, warehouse: '46', product: 'Apples', id: ID, timestampMs: EVENT_MS },
    });
  });

  it('reads headers under a custom prefix and ignores the default ones', () => {
    const names = headerNames('acme');
    const custom = decodeStockMessage(raw({ prefix: 'acme' }), names);
    expect(custom.kind).toBe('stock');
    const defaultOnly = decodeStockMessage(raw(), names);
    expect(defaultOnly).toMatchObject({
      kind: 'malformed',
      error: { code: 'missing_header', field: 'acme_type' },
    });
  });
});

describe('encodeStockEvent → decodeStockMessage round trip', () => {
  const events: StockEvent[] = [
    { type: 'stock.corrected', product_name: 'Apples', location: 'A43', quantity: 0 },
    { type: 'stock.replenished', product_name: 'Apples', location: '-', quantity: 240 },
    { type: 'stock.moved', product_name: 'Apples', from: '-', to: 'B_7', quantity: 12 },
    { type: 'stock.sold', product_name: 'Apples', location: 'A43', quantity: 3 },
    {
      type: 'stock.destroyed',
      product_name: 'Apples',
      location: 'A43',
      quantity: 2,
      reason: 'rotten, "soft"',
    },
  ];

  it.each(events)('$type comes back equal, with the same id and time', (event) => {
    const encoded = encodeStockEvent('46', event, {
      names: TEST_HEADER_NAMES,
      user: 'admin',
      id: ID,
      timestampMs: EVENT_MS + 0.7,
    });
    expect(encoded.subject).toBe(SUBJECT);
    expect(encoded.headers['Nats-Msg-Id']).toBe(ID);
    expect(encoded.headers.myorg_msg_id).toBe(ID);
    expect(encoded.headers.myorg_type).toBe(event.type);
    expect(JSON.parse(encoded.payload)).not.toHaveProperty('type');
    expect(decodeStockMessage(fromEncoded(encoded), TEST_HEADER_NAMES)).toEqual({
      kind: 'stock',
      meta: { seq: 7, subject: SUBJECT, warehouse: '46', product: 'Apples', id: ID, timestampMs: EVENT_MS },
      event,
    });
  });

  it('round-trips under a custom prefix', () => {
    const event = events[3] as StockEvent;
    const encoded = encodeStockEvent('46', event, {
      names: headerNames('acme'),
      user: 'alice',
      id: ID,
      timestampMs: EVENT_MS,
    });
    expect(Object.keys(encoded.headers).sort()).toEqual(
      ['Nats-Msg-Id', 'acme_format', 'acme_msg_id', 'acme_timestamp_ms', 'acme_type', 'acme_user'].sort(),
    );
    expect(encoded.headers.acme_user).toBe('alice');
    expect(decodeStockMessage(fromEncoded(encoded), headerNames('acme'))).toMatchObject({
      kind: 'stock',
      event,
    });
  });
});

describe('stock.low', () => {
  const low: StockLow = { product_name: 'Apples', warehouse: '46', quantity: -3, threshold: 10 };
  const LOW_SUBJECT = 'procurement.46.product.Apples';

  it('round-trips through encodeStockLow and decodeProcurementMessage', () => {
    const encoded = encodeStockLow(low, {
      names: TEST_HEADER_NAMES,
      user: 'admin',
      id: 'low-46.Apples-17',
      timestampMs: EVENT_MS,
    });
    expect(encoded.subject).toBe(LOW_SUBJECT);
    expect(decodeProcurementMessage(fromEncoded(encoded), TEST_HEADER_NAMES)).toEqual({
      kind: 'low',
      meta: {
        seq: 7,
        subject: LOW_SUBJECT,
        warehouse: '46',
        product: 'Apples',
        id: 'low-46.Apples-17',
        timestampMs: EVENT_MS,
      },
      low,
    });
  });

  const lowCases: { name: string; spec: RawSpec; code: DecodeErrorCode }[] = [
    { name: 'warehouse subject', spec: { subject: SUBJECT }, code: 'bad_subject' },
    {
      name: 'missing warehouse',
      spec: { payload: '{"product_name":"Apples","quantity":1,"threshold":10}' },
      code: 'missing_field',
    },
    {
      name: 'warehouse differs from subject',
      spec: { payload: '{"product_name":"Apples","warehouse":"47","quantity":1,"threshold":10}' },
      code: 'warehouse_mismatch',
    },
    {
      name: 'product differs from subject',
      spec: { payload: '{"product_name":"Pears","warehouse":"46","quantity":1,"threshold":10}' },
      code: 'product_mismatch',
    },
    {
      name: 'missing quantity',
      spec: { payload: '{"product_name":"Apples","warehouse":"46","threshold":10}' },
      code: 'missing_field',
    },
    {
      name: 'fractional quantity',
      spec: { payload: '{"product_name":"Apples","warehouse":"46","quantity":0.5,"threshold":10}' },
      code: 'bad_quantity',
    },
    {
      name: 'negative threshold',
      spec: { payload: '{"product_name":"Apples","warehouse":"46","quantity":1,"threshold":-1}' },
      code: 'bad_quantity',
    },
    {
      name: 'threshold as a string',
      spec: { payload: '{"product_name":"Apples","warehouse":"46","quantity":1,"threshold":"10"}' },
      code: 'wrong_type',
    },
  ];

  it.each(lowCases)('$name → $code', ({ spec, code }) => {
    const decoded = decodeProcurementMessage(
      raw({ subject: LOW_SUBJECT, headers: { [TYPE]: 'stock.low' }, ...spec }),
      TEST_HEADER_NAMES,
    );
    expect(decoded).toMatchObject({ kind: 'malformed', error: { code } });
  });

  it('keeps another type on the procurement tree as unknown', () => {
    const decoded = decodeProcurementMessage(
      raw({ subject: LOW_SUBJECT, headers: { [TYPE]: 'stock.sold' } }),
      TEST_HEADER_NAMES,
    );
    expect(decoded).toMatchObject({ kind: 'unknown', type: 'stock.sold' });
  });
});
