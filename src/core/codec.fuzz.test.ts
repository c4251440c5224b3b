/**
 * Property-based tests of the decoders: whatever arrives on the stream, they classify it and never throw, and
 * near-valid payloads are accepted exactly when every field obeys the contract of
 * docs/architecture.md#events.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeProcurementMessage,
  decodeStockMessage,
  type Decoded,
  type DecodeErrorCode,
  type RawMessage,
} from './codec';
import {
  MAX_PAYLOAD_BYTES,
  STOCK_EVENT_TYPES,
  STOCK_LOW_TYPE,
  UNASSIGNED_LOCATION,
  isToken,
  type StockEventType,
} from './events';
import { applyBatch, initialLedger } from './ledger';
import { TEST_HEADER_NAMES } from './testing';

const KNOWN_CODES: ReadonlySet<DecodeErrorCode> = new Set<DecodeErrorCode>([
  'bad_reference',
  'bad_subject',
  'missing_header',
  'unsupported_format',
  'bad_timestamp',
  'oversized',
  'bad_encoding',
  'bad_json',
  'not_an_object',
  'missing_field',
  'wrong_type',
  'bad_quantity',
  'bad_location',
  'same_location',
  'product_mismatch',
  'warehouse_mismatch',
]);
const NAMES = TEST_HEADER_NAMES;
const RUNS = { numRuns: 400 };

function raw(subject: string, headers: Map<string, string>, data: Uint8Array, seq = 1): RawMessage {
  return {
    subject,
    seq,
    streamTimestampMs: 1_700_000_000_000,
    header: (name) => headers.get(name),
    data,
  };
}

const encoder = new TextEncoder();

// ---------------------------------------------------------------------------------------------------------
// Arbitrary input

const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '<b>"x"</b>', 'é😀', '\uD800'),
);
const hugeText = fc.integer({ min: 20_000, max: 120_000 }).map((n) => 'ü'.repeat(n));
const headerValue = fc.oneof({ weight: 5, arbitrary: anyText }, { weight: 1, arbitrary: hugeText });

const anySubject = fc.oneof(
  anyText,
  fc
    .tuple(
      fc.constantFrom('warehouse', 'procurement', 'Warehouse', ''),
      fc.oneof(token, anyText),
      fc.constantFrom('product', 'products', ''),
      fc.oneof(token, anyText),
    )
    .map((parts) => parts.join('.')),
  fc.tuple(token, token).map(([w, p]) => `warehouse.${w}.product.${p}.extra`),
);

/** Real header names with arbitrary values (or absent), plus arbitrary other headers. */
const anyHeaders = fc
  .record(
    {
      format: fc.oneof(headerValue, fc.constantFrom('application/json', 'APPLICATION/JSON; charset=utf-8')),
      type: fc.oneof(headerValue, fc.constantFrom(...STOCK_EVENT_TYPES, STOCK_LOW_TYPE)),
      msgId: headerValue,
      timestampMs: fc.oneof(
        headerValue,
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
        fc.constantFrom('1e12', '0x10', '9007199254740993', '1.5'),
      ),
    },
    { requiredKeys: [] },
  )
  .chain((known) =>
    fc.dictionary(anyText, headerValue, { maxKeys: 4 }).map((extra) => {
      const headers = new Map(Object.entries(extra));
      for (const [k, v] of Object.entries(known)) headers.set(NAMES[k as keyof typeof NAMES], v);
      return headers;
    }),
  );

const anyBytes = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  { weight: 3, arbitrary: fc.json().map((j) => encoder.encode(j)) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: MAX_PAYLOAD_BYTES - 2, max: MAX_PAYLOAD_BYTES + 2 }).map((n) => {
      const bytes = new Uint8Array(n).fill(0x20);
      bytes[0] = 0x7b; // "{" … "}" so only the size can be what is wrong
      bytes[n - 1] = 0x7d;
      return bytes;
    }),
  },
);

const validSubject = fc
  .tuple(fc.constantFrom('warehouse', 'procurement'), token, token)
  .map(([root, w, p]) => `${root}.${w}.product.${p}`);

/** Headers a publisher of ours would send, with the timestamp sometimes arbitrary or absent. */
const envelopeHeaders = fc
  .tuple(
    fc.constantFrom(...STOCK_EVENT_TYPES, STOCK_LOW_TYPE, 'stock.unheard_of'),
    fc.option(fc.oneof(headerValue, fc.nat().map(String)), { nil: undefined }),
  )
  .map(([type, ts]) => {
    const headers = new Map([
      [NAMES.format, 'application/json'],
      [NAMES.type, type],
    ]);
    if (ts !== undefined) headers.set(NAMES.timestampMs, ts);
    return headers;
  });

// Each layer of the decoder is reached only when the layers before it pass, so the subject, the headers
// and the payload are also fuzzed one at a time behind valid ones.
const anyMessage = fc
  .tuple(
    fc.oneof(
      fc.tuple(anySubject, anyHeaders),
      fc.tuple(validSubject, anyHeaders),
      fc.tuple(validSubject, envelopeHeaders),
    ),
    anyBytes,
    fc.integer({ min: 1, max: 2 ** 40 }),
  )
  .map(([[subject, headers], data, seq]) => raw(subject, headers, data, seq));

function expectClassified(decoded: Decoded | ReturnType<typeof decodeProcurementMessage>, ok: string): void {
  expect(['malformed', 'unknown', ok]).toContain(decoded.kind);
  if (decoded.kind === 'malformed') {
    expect(KNOWN_CODES.has(decoded.error.code), decoded.error.code).toBe(true);
    expect(typeof decoded.error.message).toBe('string');
    expect(decoded.error.message.trim().length).toBeGreaterThan(0);
    expect(Number.isFinite(decoded.timestampMs)).toBe(true);
  } else {
    expect(Number.isSafeInteger(decoded.meta.timestampMs)).toBe(true);
    expect(decoded.meta.id.length).toBeGreaterThan(0);
    expect(isToken(decoded.meta.warehouse) && isToken(decoded.meta.product)).toBe(true);
  }
}

describe('decoders on arbitrary input', () => {
  it('decodeStockMessage never throws and always classifies', () => {
    fc.assert(
      fc.property(anyMessage, (msg) => {
        const decoded = decodeStockMessage(msg, TEST_HEADER_NAMES);
        expectClassified(decoded, 'stock');
        if (decoded.kind === 'unknown') expect(STOCK_EVENT_TYPES).not.toContain(decoded.type);
      }),
      RUNS,
    );
  });

  it('decodeProcurementMessage never throws and always classifies', () => {
    fc.assert(
      fc.property(anyMessage, (msg) => {
        const decoded = decodeProcurementMessage(msg, TEST_HEADER_NAMES);
        expectClassified(decoded, 'low');
        if (decoded.kind === 'unknown') expect(decoded.type).not.toBe(STOCK_LOW_TYPE);
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// Near-valid payloads: each field is drawn with a flag saying whether the contract accepts it, so the
// expected classification is known without re-implementing the decoder.

interface Field {
  valid: boolean;
  /** undefined: the field is left out. */
  value?: unknown;
}
const valid = (value: unknown): Field => ({ valid: true, value });
const invalid = (value: unknown): Field => ({ valid: false, value });

const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.constant([]), fc.constant({}));

function quantityField(min: number | null): fc.Arbitrary<Field> {
  const belowMin = min === null ? [] : [fc.integer({ min: -1_000_000, max: min - 1 }).map(invalid)];
  return fc.oneof(
    fc.integer({ min: min ?? -1_000_000, max: 1_000_000 }).map(valid),
    ...belowMin,
    fc
      .double({ noNaN: true, noDefaultInfinity: true })
      .filter((d) => !Number.isInteger(d))
      .map(invalid),
    fc.constantFrom(2 ** 53, -(2 ** 60), 1e300).map(invalid),
    fc.oneof(fc.string({ maxLength: 5 }), fc.boolean(), fc.constant([1])).map(invalid),
    fc.constant(invalid(undefined)),
    fc.constant(invalid(null)),
  );
}

function locationField(optional: boolean): fc.Arbitrary<Field> {
  return fc.oneof(
    token.map(valid),
    fc.constant(valid(UNASSIGNED_LOCATION)),
    // A location is payload text: spaces, dots, slashes and any script are fine, and 64 characters of it.
    fc
      .constantFrom('a b', 'a.b', '<b>', '*', '>', 'Kühlraum ❄', 'Aisle 3 / Bay 2', '❄'.repeat(64))
      .map(valid),
    fc
      .constantFrom('', '   ', 'x'.repeat(65), '❄'.repeat(65), 'a\nb', 'tab\there', '\u0007', 'a\ud800')
      .map(invalid),
    notAString.map(invalid),
    fc.constant({ valid: optional, value: undefined }),
  );
}

function productField(product: string): fc.Arbitrary<Field> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(valid(product)) },
    { weight: 1, arbitrary: token.filter((p) => p !== product).map(invalid) },
    { weight: 1, arbitrary: fc.constantFrom(`${product} `, product.toUpperCase() + '!').map(invalid) },
    { weight: 1, arbitrary: notAString.map(invalid) },
    { weight: 1, arbitrary: fc.constant(invalid(undefined)) },
  );
}

function stockFields(type: StockEventType, product: string): fc.Arbitrary<Record<string, Field>> {
  // A reversal has no quantity: it names the event whose quantity it takes back.
  if (type === 'stock.reversed') {
    return fc.record({
      product_name: productField(product),
      reverses: fc.oneof(
        fc.uuid().map(valid),
        fc.constantFrom('seq:12', 'order 7 / line 2', 'x'.repeat(128)).map(valid),
        fc.constantFrom('', '   ', 'x'.repeat(129), 'a\nb', '\u0000').map(invalid),
        notAString.map(invalid),
        fc.constant(invalid(undefined)),
      ),
      reason: fc.oneof(
        fc.string({ unit: 'binary', maxLength: 60 }).map(valid),
        notAString.map(invalid),
        fc.constant(invalid(undefined)),
      ),
    });
  }
  const common = {
    product_name: productField(product),
    quantity: quantityField(type === 'stock.corrected' ? 0 : 1),
  };
  switch (type) {
    case 'stock.moved':
      return fc.record({ ...common, from: locationField(false), to: locationField(false) });
    case 'stock.destroyed':
      return fc.record({
        ...common,
        location: locationField(false),
        reason: fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }).map(valid), notAString.map(invalid)),
      });
    case 'stock.corrected':
      return fc.record({ ...common, location: locationField(false) });
    case 'stock.replenished':
    case 'stock.sold':
      return fc.record({ ...common, location: locationField(true) });
    case 'stock.returned':
      return fc.record({
        ...common,
        location: locationField(true),
        // Optional: absent or null means no reason given.
        reason: fc.oneof(
          fc.string({ unit: 'binary', maxLength: 60 }).map(valid),
          fc.constant(valid(undefined)),
          fc.constant(valid(null)),
          fc.oneof(fc.integer(), fc.boolean(), fc.constant([1])).map(invalid),
        ),
      });
  }
}

const extraFields = fc.dictionary(
  fc.string({ maxLength: 8 }).map((k) => `x_${k}`),
  fc.jsonValue(),
  { maxKeys: 3 },
);

function payload(fields: Record<string, Field>, extra: Record<string, unknown>): Uint8Array {
  const body: Record<string, unknown> = { ...extra };
  for (const [key, f] of Object.entries(fields)) if (f.value !== undefined) body[key] = f.value;
  return encoder.encode(JSON.stringify(body));
}

function goodHeaders(type: string): Map<string, string> {
  return new Map([
    [NAMES.format, 'application/json'],
    [NAMES.type, type],
    [NAMES.msgId, 'id-1'],
    [NAMES.timestampMs, '1700000000123'],
  ]);
}

const nearValidStock = fc
  .tuple(token, token, fc.constantFrom(...STOCK_EVENT_TYPES))
  .chain(([warehouse, product, type]) =>
    fc
      .tuple(stockFields(type, product), extraFields)
      .map(([fields, extra]) => ({ warehouse, product, type, fields, extra })),
  );

describe('decodeStockMessage on near-valid payloads', () => {
  it('accepts exactly the payloads whose every field obeys the contract', () => {
    fc.assert(
      fc.property(nearValidStock, ({ warehouse, product, type, fields, extra }) => {
        const msg = raw(
          `warehouse.${warehouse}.product.${product}`,
          goodHeaders(type),
          payload(fields, extra),
        );
        const decoded = decodeStockMessage(msg, TEST_HEADER_NAMES);
        const from = fields.from?.value;
        const sameLocation = type === 'stock.moved' && from !== undefined && from === fields.to?.value;
        const expected = Object.values(fields).every((f) => f.valid) && !sameLocation;
        expectClassified(decoded, 'stock');
        expect(decoded.kind).toBe(expected ? 'stock' : 'malformed');
        if (decoded.kind !== 'stock') return;
        const event = decoded.event as unknown as Record<string, unknown>;
        expect(event.type).toBe(type);
        expect(event.product_name).toBe(product);
        expect(decoded.meta.warehouse).toBe(warehouse);
        expect(event.quantity).toBe(fields.quantity?.value);
        for (const key of ['location', 'from', 'to'] as const) {
          if (!(key in fields)) continue;
          expect(event[key]).toBe(fields[key]?.value ?? UNASSIGNED_LOCATION);
        }
        for (const key of Object.keys(extra)) expect(event).not.toHaveProperty(key);
      }),
      { numRuns: 1500 },
    );
  });

  it('never turns a negative, fractional or oversized quantity into a stock event', () => {
    const badQuantity = fc.oneof(
      fc.integer({ max: -1 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isSafeInteger(d)),
    );
    fc.assert(
      fc.property(
        token,
        token,
        // A reversal carries no quantity of its own, so there is none to get wrong.
        fc.constantFrom(...STOCK_EVENT_TYPES.filter((type) => type !== 'stock.reversed')),
        badQuantity,
        (w, p, type, quantity) => {
          const body = { product_name: p, quantity, location: 'A1', from: 'A1', to: 'B2', reason: 'r' };
          const decoded = decodeStockMessage(
            raw(`warehouse.${w}.product.${p}`, goodHeaders(type), encoder.encode(JSON.stringify(body))),
            TEST_HEADER_NAMES,
          );
          expect(decoded.kind).toBe('malformed');
          if (decoded.kind === 'malformed') expect(decoded.error.code).toBe('bad_quantity');
        },
      ),
      RUNS,
    );
  });
});

describe('decodeProcurementMessage on near-valid payloads', () => {
  const nearValidLow = fc.tuple(token, token).chain(([warehouse, product]) =>
    fc
      .tuple(
        fc.record({
          product_name: productField(product),
          warehouse: productField(warehouse),
          // A low stock count may already be negative; only the threshold has a lower bound.
          quantity: quantityField(null),
          threshold: quantityField(0),
        }),
        extraFields,
      )
      .map(([fields, extra]) => ({ warehouse, product, fields, extra })),
  );

  it('accepts exactly the stock.low payloads whose every field obeys the contract', () => {
    fc.assert(
      fc.property(nearValidLow, ({ warehouse, product, fields, extra }) => {
        const msg = raw(
          `procurement.${warehouse}.product.${product}`,
          goodHeaders(STOCK_LOW_TYPE),
          payload(fields, extra),
        );
        const decoded = decodeProcurementMessage(msg, TEST_HEADER_NAMES);
        expectClassified(decoded, 'low');
        const expected = Object.values(fields).every((f) => f.valid);
        expect(decoded.kind).toBe(expected ? 'low' : 'malformed');
        if (decoded.kind === 'low') {
          expect(decoded.low).toEqual({
            product_name: product,
            warehouse,
            quantity: fields.quantity?.value,
            threshold: fields.threshold?.value,
          });
        }
      }),
      { numRuns: 800 },
    );
  });
});

describe('applyBatch on decoder output', () => {
  const nearValidMessage = nearValidStock.map(({ warehouse, product, type, fields, extra }) =>
    raw(`warehouse.${warehouse}.product.${product}`, goodHeaders(type), payload(fields, extra)),
  );

  it('never throws, whatever mix of decoded messages, sequences and ids it is given', () => {
    const message = fc
      .tuple(
        fc.oneof(anyMessage, nearValidMessage),
        fc.integer({ min: 1, max: 60 }),
        fc.option(fc.constantFrom('dup-a', 'dup-b', ''), { nil: undefined }),
      )
      .map(([msg, seq, id]) => {
        const headers = new Map<string, string>();
        for (const name of Object.values(NAMES)) {
          const v = msg.header(name);
          if (v !== undefined) headers.set(name, v);
        }
        if (id !== undefined) headers.set(NAMES.msgId, id);
        return raw(msg.subject, headers, msg.data, seq);
      });
    fc.assert(
      fc.property(fc.array(message, { maxLength: 40 }), fc.boolean(), (messages, split) => {
        const decoded = messages.map((m) => decodeStockMessage(m, TEST_HEADER_NAMES));
        const state = split
          ? decoded.reduce((s, d) => applyBatch(s, [d]), initialLedger())
          : applyBatch(initialLedger(), decoded);
        const highest = decoded.reduce(
          (max, d) => Math.max(max, d.kind === 'malformed' ? d.seq : d.meta.seq),
          0,
        );
        expect(state.lastSeq).toBe(highest);
        expect(state.applied + state.skipped).toBeLessThanOrEqual(decoded.length);
      }),
      { numRuns: 300 },
    );
  });
});
