import { csvField } from './csv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeStockMessage, type RawMessage } from './codec';
import {
  CSV_COLUMNS,
  CSV_HEADER,
  EMPTY_FILTER,
  chipsOf,
  csvLine,
  eventRow,
  filterProblems,
  isoUtc,
  jsonLine,
  needsScan,
  prettyPayload,
  previewOf,
  selectorFor,
  subjectFilterFor,
  type EventLogFilter,
  type LoggedMessage,
} from './event-log';
import { TEST_HEADER_NAMES } from './testing';

const EVENT_MS = 1_700_000_000_123;
const STORED_MS = 1_700_000_100_000;
const encoder = new TextEncoder();

interface Spec {
  seq?: number;
  subject?: string;
  type?: string | null;
  timestamp?: string | null;
  payload?: string | Uint8Array;
  extraHeaders?: [string, string][];
}

function logged(spec: Spec = {}): LoggedMessage {
  const headers: [string, string][] = [['myorg_format', 'application/json']];
  if (spec.type !== null) headers.push(['myorg_type', spec.type ?? 'stock.sold']);
  headers.push(['myorg_msg_id', 'id-1']);
  if (spec.timestamp !== null) headers.push(['myorg_timestamp_ms', spec.timestamp ?? String(EVENT_MS)]);
  headers.push(...(spec.extraHeaders ?? []));
  const payload = spec.payload ?? '{"product_name":"Apples","location":"A43","quantity":3}';
  return {
    seq: spec.seq ?? 42,
    subject: spec.subject ?? 'warehouse.46.product.Apples',
    storedMs: STORED_MS,
    headers,
    data: typeof payload === 'string' ? encoder.encode(payload) : payload,
  };
}

function raw(m: LoggedMessage): RawMessage {
  return {
    subject: m.subject,
    seq: m.seq,
    streamTimestampMs: m.storedMs,
    data: m.data,
    header: (name) => m.headers.find(([k]) => k === name)?.[1],
  };
}

function rowOf(spec: Spec = {}) {
  const m = logged(spec);
  return eventRow(m, decodeStockMessage(raw(m), TEST_HEADER_NAMES), TEST_HEADER_NAMES);
}

describe('a row of the event log', () => {
  it.each([
    ['stock.sold', '{"product_name":"Apples","location":"A43","quantity":3}', '3 Apples sold at A43'],
    ['stock.sold', '{"product_name":"Apples","quantity":4}', '4 Apples sold from the unassigned pool'],
    [
      'stock.replenished',
      '{"product_name":"Apples","quantity":24}',
      '24 Apples replenished into the unassigned pool',
    ],
    [
      'stock.replenished',
      '{"product_name":"Apples","location":"B2","quantity":24}',
      '24 Apples replenished at B2',
    ],
    [
      'stock.moved',
      '{"product_name":"Apples","from":"A01","to":"B02","quantity":5}',
      '5 Apples moved from A01 to B02',
    ],
    [
      'stock.moved',
      '{"product_name":"Apples","from":"-","to":"B02","quantity":5}',
      '5 Apples moved from the unassigned pool to B02',
    ],
    [
      'stock.corrected',
      '{"product_name":"Apples","location":"C3","quantity":0}',
      'Apples at C3 counted as 0',
    ],
    [
      'stock.corrected',
      '{"product_name":"Apples","location":"-","quantity":7}',
      'Apples in the unassigned pool counted as 7',
    ],
    [
      'stock.destroyed',
      '{"product_name":"Apples","location":"B2","quantity":2,"reason":"crushed"}',
      '2 Apples destroyed at B2 (crushed)',
    ],
  ])('summarises %s %s as "%s"', (type, payload, summary) => {
    const row = rowOf({ type, payload });
    expect(row.summary).toBe(summary);
    expect(row.status).toBe('stock');
    expect(row.problem).toBeNull();
  });

  it('carries time, type, warehouse, product, id and every header in order', () => {
    const row = rowOf({
      extraHeaders: [
        ['X-Trace', 'a'],
        ['X-Trace', 'b'],
        ['Empty', ''],
      ],
    });
    expect(row).toMatchObject({
      seq: 42,
      subject: 'warehouse.46.product.Apples',
      storedMs: STORED_MS,
      timeMs: EVENT_MS,
      type: 'stock.sold',
      id: 'id-1',
      user: null,
      warehouse: '46',
      product: 'Apples',
      payloadBytes: 55,
      payloadTruncated: false,
    });
    expect(row.headers.map(([k]) => k)).toEqual([
      'myorg_format',
      'myorg_type',
      'myorg_msg_id',
      'myorg_timestamp_ms',
      'X-Trace',
      'X-Trace',
      'Empty',
    ]);
    expect(row.headers.at(-1)).toEqual(['Empty', '']);
  });

  it('uses the storage time when the publisher sent no timestamp', () => {
    expect(rowOf({ timestamp: null }).timeMs).toBe(STORED_MS);
  });

  it('keeps an unknown type with a summary that says it changes nothing', () => {
    const row = rowOf({ type: 'pallet.weighed', payload: '{"kg":5}' });
    expect(row.status).toBe('unknown');
    expect(row.summary).toBe('Type "pallet.weighed" is not a stock event: kept, changes no view');
  });

  it('lists a malformed event with its reason, its subject names and the event time when readable', () => {
    const row = rowOf({ payload: '{"product_name":"Apples","location":"A1","quantity":-3}' });
    expect(row.status).toBe('malformed');
    expect(row.problem).toEqual({ code: 'bad_quantity', message: 'quantity -3 must be at least 1' });
    expect(row.summary).toBe('Malformed: quantity -3 must be at least 1');
    expect(row).toMatchObject({ warehouse: '46', product: 'Apples', timeMs: EVENT_MS, type: 'stock.sold' });
  });

  it('names warehouse and product of a subject the codec refuses, and nothing for a foreign shape', () => {
    expect(rowOf({ subject: 'warehouse.46.product.Apples.red' })).toMatchObject({
      status: 'malformed',
      warehouse: '46',
      product: 'Apples.red',
    });
    expect(rowOf({ subject: 'somewhere.else' })).toMatchObject({ warehouse: null, product: null });
  });

  it('reports a missing type header as null and the row as malformed', () => {
    const row = rowOf({ type: null });
    expect(row.type).toBeNull();
    expect(row.problem?.code).toBe('missing_header');
  });

  it('truncates a large payload in the row but says how large it is', () => {
    const big = JSON.stringify({ product_name: 'Apples', quantity: 1, note: 'x'.repeat(200_000) });
    const row = rowOf({ payload: big });
    expect(row.payloadTruncated).toBe(true);
    expect(row.payloadPreview.length).toBe(161);
    expect(row.payloadPreview.endsWith('…')).toBe(true);
    expect(row.payloadBytes).toBe(encoder.encode(big).byteLength);
  });

  it('shows bytes that are not UTF-8 as replacement characters instead of failing', () => {
    const row = rowOf({ payload: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) });
    expect(row.payloadPreview).toBe('{\uFFFD\uFFFD}');
    expect(row.problem?.code).toBe('bad_encoding');
  });
});

describe('previewOf', () => {
  it('puts a multi-line payload on one line', () => {
    expect(previewOf('{\n  "a": 1,\n\t"b": 2\n}')).toEqual({
      preview: '{ "a": 1, "b": 2 }',
      truncated: false,
    });
  });
  it('is never longer than the limit plus the ellipsis', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), fc.integer({ min: 1, max: 100 }), (text, max) => {
        const { preview, truncated } = previewOf(text, max);
        expect(preview.length).toBeLessThanOrEqual(max + 1);
        if (!truncated) expect(preview).toBe(text.replace(/\s+/g, ' '));
      }),
    );
  });
});

describe('chips', () => {
  const chips = (spec: Spec) => {
    const m = logged(spec);
    return chipsOf(
      decodeStockMessage(raw(m), TEST_HEADER_NAMES),
      m.headers.find(([k]) => k === 'myorg_type')?.[1],
    );
  };
  it('a valid event answers to its type only', () => {
    expect(
      chips({ type: 'stock.moved', payload: '{"product_name":"Apples","from":"A","to":"B","quantity":1}' }),
    ).toEqual(['stock.moved']);
  });
  it('an unknown type answers to "other"', () => {
    expect(chips({ type: 'x.y', payload: '{}' })).toEqual(['other']);
  });
  it('a malformed event answers to "malformed" and to its type header', () => {
    expect(chips({ payload: 'not json' })).toEqual(['malformed', 'stock.sold']);
    expect(chips({ type: 'x.y', subject: 'warehouse.1.product.a.b' })).toEqual(['malformed', 'other']);
    expect(chips({ type: null })).toEqual(['malformed']);
  });
});

describe('filters', () => {
  const filter = (over: Partial<EventLogFilter>): EventLogFilter => ({ ...EMPTY_FILTER, ...over });

  it('turns warehouse and product into one subject filter, keeping deeper subjects when no product is set', () => {
    expect(subjectFilterFor(filter({}))).toBe('warehouse.*.product.>');
    expect(subjectFilterFor(filter({ warehouse: '46' }))).toBe('warehouse.46.product.>');
    expect(subjectFilterFor(filter({ product: 'Apples' }))).toBe('warehouse.*.product.Apples');
    expect(subjectFilterFor(filter({ warehouse: '46', product: 'Apples' }))).toBe(
      'warehouse.46.product.Apples',
    );
  });

  it('refuses names that cannot be subject tokens and a time range that ends before it starts', () => {
    expect(filterProblems(filter({ warehouse: '4 6', product: 'a.b' }))).toEqual([
      'warehouse "4 6" contains space; allowed are letters A–Z a–z, digits 0–9, "_" and "-", 1 to 64 characters',
      'product "a.b" contains "."; allowed are letters A–Z a–z, digits 0–9, "_" and "-", 1 to 64 characters',
    ]);
    expect(filterProblems(filter({ fromMs: 10, untilMs: 10 }))).toEqual([
      'the time range ends before it starts',
    ]);
    expect(filterProblems(filter({ warehouse: '46', fromMs: 1, untilMs: 2 }))).toEqual([]);
  });

  it('scans only for type chips and text', () => {
    expect(needsScan(filter({ warehouse: '46', fromMs: 5 }))).toBe(false);
    expect(needsScan(filter({ text: '  ' }))).toBe(false);
    expect(needsScan(filter({ text: 'crushed' }))).toBe(true);
    expect(needsScan(filter({ chips: ['malformed'] }))).toBe(true);
  });

  it('selects by any chip and by case-insensitive payload text, reading the text only when needed', () => {
    const sold = logged({});
    const bad = logged({ payload: '{"product_name":"Apples","quantity":"CRUSHED"}' });
    const decode = (m: LoggedMessage) => decodeStockMessage(raw(m), TEST_HEADER_NAMES);
    const text = (m: LoggedMessage) => () => new TextDecoder().decode(m.data);
    const headers = (m: LoggedMessage) => () => m.headers;

    const soldOrBad = selectorFor(filter({ chips: ['stock.sold'] }));
    expect(soldOrBad(decode(sold), 'stock.sold', text(sold), headers(sold))).toBe(true);
    expect(soldOrBad(decode(bad), 'stock.sold', text(bad), headers(bad))).toBe(true);

    const onlyMalformed = selectorFor(filter({ chips: ['malformed', 'stock.moved'] }));
    expect(onlyMalformed(decode(sold), 'stock.sold', text(sold), headers(sold))).toBe(false);
    expect(onlyMalformed(decode(bad), 'stock.sold', text(bad), headers(bad))).toBe(true);

    const crushed = selectorFor(filter({ text: ' Crushed ' }));
    expect(crushed(decode(bad), 'stock.sold', text(bad), headers(bad))).toBe(true);
    expect(crushed(decode(sold), 'stock.sold', text(sold), headers(sold))).toBe(false);

    let read = 0;
    const counting = () => {
      read += 1;
      return '';
    };
    selectorFor(filter({ chips: ['stock.moved'], text: 'x' }))(decode(sold), 'stock.sold', counting, () => {
      read += 1;
      return [];
    });
    expect(read).toBe(0);
  });

  it('finds an event by its id, by the sequence id of one sent without, and by any header value', () => {
    const bob = logged({ extraHeaders: [['myorg_user', 'Bob.Martin']] });
    const withId = logged({ seq: 77 });
    const idless = { ...withId, headers: withId.headers.filter(([k]) => k !== 'myorg_msg_id') };
    const broken = logged({ payload: '{', extraHeaders: [['x-origin', 'Till 7']] });
    const decode = (m: LoggedMessage) => decodeStockMessage(raw(m), TEST_HEADER_NAMES);
    const find = (text: string, m: LoggedMessage) =>
      selectorFor(filter({ text }))(
        decode(m),
        'stock.sold',
        () => new TextDecoder().decode(m.data),
        () => m.headers,
      );

    expect(find('ID-1', bob)).toBe(true);
    expect(find('bob.martin', bob)).toBe(true);
    expect(find('alice', bob)).toBe(false);
    expect(find('seq:77', idless)).toBe(true);
    expect(find('seq:77', bob)).toBe(false);
    // A malformed message has no id a reader uses, but its headers are still searched.
    expect(find('till 7', broken)).toBe(true);
  });
});

describe('export', () => {
  it.each([
    [0, '1970-01-01T00:00:00.000Z'],
    [951_782_400_000, '2000-02-29T00:00:00.000Z'],
    [951_868_799_999, '2000-02-29T23:59:59.999Z'],
    [1_700_000_000_123, '2023-11-14T22:13:20.123Z'],
    [1_709_164_800_000, '2024-02-29T00:00:00.000Z'],
    [4_107_542_400_000, '2100-03-01T00:00:00.000Z'],
    [253_402_300_799_999, '9999-12-31T23:59:59.999Z'],
  ])('isoUtc(%d) is %s', (ms, iso) => {
    expect(isoUtc(ms)).toBe(iso);
  });

  it('quotes CSV fields per RFC 4180 and defuses spreadsheet formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(12)).toBe('12');
    expect(csvField(null)).toBe('');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField("-cmd|' /C calc'!A0")).toBe("'-cmd|' /C calc'!A0");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('-5')).toBe('-5');
    expect(csvField(-5)).toBe('-5');
    expect(csvField('-3.25')).toBe('-3.25');
    expect(csvField('-1e3')).toBe('-1e3');
    expect(csvField('-')).toBe('-');
  });

  it('writes a CSV record with the whole payload, one field per column', () => {
    const payload = JSON.stringify({
      product_name: 'Apples',
      location: 'A43',
      quantity: 3,
      note: 'y'.repeat(400),
    });
    const row = rowOf({ payload, extraHeaders: [['myorg_user', 'bob']] });
    const line = csvLine(row, payload);
    expect(CSV_HEADER).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
    expect(line.endsWith('\r\n')).toBe(true);
    const fields = parseCsvRecord(line.slice(0, -2));
    expect(fields).toHaveLength(CSV_COLUMNS.length);
    expect(Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, fields[i]]))).toEqual({
      seq: '42',
      recorded_at: '2023-11-14T22:15:00.000Z',
      time: '2023-11-14T22:13:20.123Z',
      type: 'stock.sold',
      warehouse: '46',
      product: 'Apples',
      summary: '3 Apples sold at A43',
      status: 'stock',
      problem: '',
      id: 'id-1',
      user: 'bob',
      subject: 'warehouse.46.product.Apples',
      payload,
    });
  });

  it('writes a JSON line with headers as an object and the payload nested when it is JSON', () => {
    const row = rowOf({
      extraHeaders: [
        ['X', '1'],
        ['X', '2'],
      ],
    });
    const line = jsonLine(row, '{"product_name":"Apples","location":"A43","quantity":3}');
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      seq: 42,
      subject: 'warehouse.46.product.Apples',
      recorded_at: '2023-11-14T22:15:00.000Z',
      time: '2023-11-14T22:13:20.123Z',
      type: 'stock.sold',
      id: 'id-1',
      user: null,
      warehouse: '46',
      product: 'Apples',
      status: 'stock',
      problem: null,
      summary: '3 Apples sold at A43',
      headers: {
        myorg_format: 'application/json',
        myorg_type: 'stock.sold',
        myorg_msg_id: 'id-1',
        myorg_timestamp_ms: String(EVENT_MS),
        X: ['1', '2'],
      },
      payload_format: 'json',
      payload: { product_name: 'Apples', location: 'A43', quantity: 3 },
    });
  });

  it('keeps a payload that is not JSON as text in a JSON line, with the reason', () => {
    const row = rowOf({ payload: 'not "json"\nat all' });
    const parsed = JSON.parse(jsonLine(row, 'not "json"\nat all')) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      status: 'malformed',
      payload_format: 'text',
      payload: 'not "json"\nat all',
    });
    expect((parsed.problem as { code: string }).code).toBe('bad_json');
  });

  it('pretty-prints JSON payloads and leaves others as sent', () => {
    expect(prettyPayload('{"a":[1,2]}')).toEqual({ text: '{\n  "a": [\n    1,\n    2\n  ]\n}', json: true });
    expect(prettyPayload('<xml/>')).toEqual({ text: '<xml/>', json: false });
  });
});

/** A small RFC 4180 reader, independent of the writer under test. */
function parseCsvRecord(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        const quote = line.indexOf('"', i);
        if (line[quote + 1] === '"') {
          value += `${line.slice(i, quote)}"`;
          i = quote + 2;
        } else {
          value += line.slice(i, quote);
          i = quote + 1;
          break;
        }
      }
      fields.push(value);
      i += 1;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma === -1 ? line.length : comma;
      fields.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}
