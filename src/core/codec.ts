/**
 * Encoding events into (subject, headers, payload) and decoding stream messages back, with typed errors.
 * Readers are lenient where docs/architecture.md#reading-rules says so; everything else is classified, never
 * thrown.
 */
import type { UndoneEvent } from './undo-memory';
import {
  DEDUPE_HEADER,
  JSON_FORMAT,
  MAX_PAYLOAD_BYTES,
  PROCUREMENT_SUBJECT_ROOT,
  STOCK_SUBJECT_ROOT,
  STOCK_EVENT_TYPES,
  STOCK_LOW_TYPE,
  UNASSIGNED_LOCATION,
  locationProblem,
  parseSubject,
  procurementSubject,
  stockSubject,
  type HeaderNames,
  type StockEvent,
  type StockEventType,
  type StockLow,
} from './events';

export type DecodeErrorCode =
  | 'bad_subject'
  | 'missing_header'
  | 'unsupported_format'
  | 'bad_timestamp'
  | 'oversized'
  | 'bad_encoding'
  | 'bad_json'
  | 'not_an_object'
  | 'missing_field'
  | 'wrong_type'
  | 'bad_quantity'
  | 'bad_location'
  | 'same_location'
  | 'bad_reference'
  | 'product_mismatch'
  | 'warehouse_mismatch';

export interface DecodeError {
  code: DecodeErrorCode;
  /** One line a person can read: what is wrong, with the offending value. */
  message: string;
  field?: string;
}

/** A message as read from the stream; `header` returns undefined when absent. */
export interface RawMessage {
  subject: string;
  seq: number;
  /** Server storage time, ms since epoch. */
  streamTimestampMs: number;
  header(name: string): string | undefined;
  data: Uint8Array;
}

/** Stream metadata travels beside the event (docs/architecture.md#metadata-beside-the-event). */
export interface EventMeta {
  seq: number;
  subject: string;
  warehouse: string;
  product: string;
  /** `myorg_msg_id`, or `seq:<n>` when the publisher gave none. */
  id: string;
  /** Event time: `myorg_timestamp_ms`, or stream time when the publisher gave none. */
  timestampMs: number;
}

export type Decoded =
  | {
      kind: 'stock';
      meta: EventMeta;
      event: StockEvent;
      /**
       * For a `stock.reversed`: the event it takes back, found by the ledger in what it remembers
       * (src/core/undo-memory.ts). Never set by the decoder: absent means the reversal changes no figure.
       */
      undone?: UndoneEvent;
    }
  | { kind: 'unknown'; meta: EventMeta; type: string }
  | { kind: 'malformed'; seq: number; subject: string; timestampMs: number; error: DecodeError };

/** The subject a message was stored on, malformed or not. */
export function subjectOf(decoded: Decoded): string {
  return decoded.kind === 'malformed' ? decoded.subject : decoded.meta.subject;
}

/** When the event happened (event time), for a malformed message the stream's time. */
export function eventTimeOf(decoded: Decoded): number {
  return decoded.kind === 'malformed' ? decoded.timestampMs : decoded.meta.timestampMs;
}

/**
 * The oldest and newest event time in a batch (infinite, the wrong way round, when it is empty): what the time
 * marks and a fold's saved copy record of it (docs/architecture.md#time-travel-at-a-chains-size).
 */
export function eventTimeSpan(batch: readonly Decoded[]): { oldest: number; newest: number } {
  let oldest = Number.POSITIVE_INFINITY;
  let newest = Number.NEGATIVE_INFINITY;
  for (const decoded of batch) {
    const at = eventTimeOf(decoded);
    if (at < oldest) oldest = at;
    if (at > newest) newest = at;
  }
  return { oldest, newest };
}

export interface EncodedMessage {
  subject: string;
  headers: Record<string, string>;
  payload: string;
}

const STOCK_TYPES: ReadonlySet<string> = new Set(STOCK_EVENT_TYPES);
export function isStockEventType(type: string): type is StockEventType {
  return STOCK_TYPES.has(type);
}

export interface EncodeOptions {
  id: string;
  timestampMs: number;
  names: HeaderNames;
  /** The user the publisher signed in as (docs/architecture.md#who-did-it). */
  user: string;
}

/** The wire form of a stock event, with the five headers and `Nats-Msg-Id`. */
export function encodeStockEvent(
  warehouse: string,
  event: StockEvent,
  options: EncodeOptions,
): EncodedMessage {
  const { type, ...args } = event;
  return {
    subject: stockSubject(warehouse, event.product_name),
    headers: eventHeaders(type, options),
    payload: JSON.stringify(args),
  };
}

export function encodeStockLow(low: StockLow, options: EncodeOptions): EncodedMessage {
  return {
    subject: procurementSubject(low.warehouse, low.product_name),
    headers: eventHeaders(STOCK_LOW_TYPE, options),
    payload: JSON.stringify(low),
  };
}

function eventHeaders(type: string, { id, timestampMs, names, user }: EncodeOptions): Record<string, string> {
  return {
    [names.format]: JSON_FORMAT,
    [names.type]: type,
    [names.msgId]: id,
    [names.timestampMs]: String(Math.trunc(timestampMs)),
    [names.user]: user,
    [DEDUPE_HEADER]: id,
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

interface Envelope {
  meta: EventMeta;
  type: string;
}

/**
 * Reads subject and headers only, so that a reader can skip types it does not care about without touching the
 * payload (docs/architecture.md#reading-rules).
 */
export function decodeEnvelope(
  msg: RawMessage,
  names: HeaderNames,
  root = STOCK_SUBJECT_ROOT,
): { ok: true; envelope: Envelope } | { ok: false; error: DecodeError } {
  const subject = parseSubjectRemembered(msg.subject, root);
  if (!subject.ok) return { ok: false, error: { code: 'bad_subject', message: subject.reason } };
  const type = msg.header(names.type);
  if (type === undefined || type === '') {
    return {
      ok: false,
      error: { code: 'missing_header', message: `header ${names.type} is missing`, field: names.type },
    };
  }
  const format = msg.header(names.format);
  if (format === undefined || format === '') {
    return {
      ok: false,
      error: { code: 'missing_header', message: `header ${names.format} is missing`, field: names.format },
    };
  }
  if (format !== JSON_FORMAT && format.split(';')[0]?.trim().toLowerCase() !== JSON_FORMAT) {
    return {
      ok: false,
      error: {
        code: 'unsupported_format',
        message: `header ${names.format} is "${format}"; only ${JSON_FORMAT} is understood`,
        field: names.format,
      },
    };
  }
  let timestampMs = msg.streamTimestampMs;
  const ts = msg.header(names.timestampMs);
  if (ts !== undefined && ts !== '') {
    if (!/^\d{1,16}$/.test(ts) || !Number.isSafeInteger(Number(ts))) {
      return {
        ok: false,
        error: {
          code: 'bad_timestamp',
          message: `header ${names.timestampMs} is "${ts.slice(0, 40)}", not milliseconds since epoch`,
          field: names.timestampMs,
        },
      };
    }
    timestampMs = Number(ts);
  }
  const id = msg.header(names.msgId) || `seq:${msg.seq}`;
  return {
    ok: true,
    envelope: {
      type,
      meta: {
        seq: msg.seq,
        subject: msg.subject,
        warehouse: subject.warehouse,
        product: subject.product,
        id,
        timestampMs,
      },
    },
  };
}

/**
 * Subjects repeat (a few hundred products per warehouse), so their parse is remembered; bounded so that a
 * stream of unique junk subjects cannot grow it without limit.
 */
const subjectParses = new Map<string, ReturnType<typeof parseSubject>>();
const SUBJECT_PARSES_KEPT = 10_000;

function parseSubjectRemembered(subject: string, root: string): ReturnType<typeof parseSubject> {
  const key = root === STOCK_SUBJECT_ROOT ? subject : `${root} ${subject}`;
  let parse = subjectParses.get(key);
  if (parse === undefined) {
    if (subjectParses.size >= SUBJECT_PARSES_KEPT) subjectParses.clear();
    parse = parseSubject(subject, root);
    subjectParses.set(key, parse);
  }
  return parse;
}

/** Full decode of a warehouse stream message. Never throws. */
export function decodeStockMessage(msg: RawMessage, names: HeaderNames): Decoded {
  const env = decodeEnvelope(msg, names);
  if (!env.ok) return malformed(msg, env.error);
  const { meta, type } = env.envelope;
  if (!isStockEventType(type)) return { kind: 'unknown', meta, type };
  const body = parsePayload(msg.data);
  if (!body.ok) return malformed(msg, body.error, meta.timestampMs);
  const event = stockEventFromPayload(type, body.value, meta.product);
  if (!event.ok) return malformed(msg, event.error, meta.timestampMs);
  return { kind: 'stock', meta, event: event.value };
}

function malformed(msg: RawMessage, error: DecodeError, timestampMs = msg.streamTimestampMs): Decoded {
  return { kind: 'malformed', seq: msg.seq, subject: msg.subject, timestampMs, error };
}

type Result<T> = { ok: true; value: T } | { ok: false; error: DecodeError };

export function parsePayload(data: Uint8Array): Result<Record<string, unknown>> {
  if (data.byteLength > MAX_PAYLOAD_BYTES) {
    return {
      ok: false,
      error: {
        code: 'oversized',
        message: `payload is ${data.byteLength} bytes; at most ${MAX_PAYLOAD_BYTES} are allowed`,
      },
    };
  }
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    return { ok: false, error: { code: 'bad_encoding', message: 'payload is not valid UTF-8' } };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      error: { code: 'bad_json', message: `payload is not JSON: ${(e as Error).message}` },
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: { code: 'not_an_object', message: 'payload is JSON but not an object' } };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** Validates the arguments of a stock operation against the contract and the subject's product. */
export function stockEventFromPayload(
  type: StockEventType,
  body: Record<string, unknown>,
  subjectProduct: string,
): Result<StockEvent> {
  const name = field(body, 'product_name', 'string');
  if (!name.ok) return name;
  if (name.value !== subjectProduct) {
    return fail(
      'product_mismatch',
      `payload product_name "${name.value}" differs from subject product "${subjectProduct}"`,
      'product_name',
    );
  }
  const product_name = name.value;
  // A reversal has no quantity of its own: it takes back the one of the event it names.
  if (type === 'stock.reversed') return reversalFromPayload(body, product_name);
  const quantity = quantityField(body, type === 'stock.corrected' ? 0 : 1);
  if (!quantity.ok) return quantity;
  switch (type) {
    case 'stock.moved': {
      const from = locationField(body, 'from', false);
      if (!from.ok) return from;
      const to = locationField(body, 'to', false);
      if (!to.ok) return to;
      if (from.value === to.value) return fail('same_location', `move from "${from.value}" to itself`, 'to');
      return {
        ok: true,
        value: { type, product_name, from: from.value, to: to.value, quantity: quantity.value },
      };
    }
    case 'stock.corrected': {
      const location = locationField(body, 'location', false);
      if (!location.ok) return location;
      return { ok: true, value: { type, product_name, location: location.value, quantity: quantity.value } };
    }
    case 'stock.replenished':
    case 'stock.sold': {
      const location = locationField(body, 'location', true);
      if (!location.ok) return location;
      return { ok: true, value: { type, product_name, location: location.value, quantity: quantity.value } };
    }
    // A write-off must say why; a customer's return may.
    case 'stock.destroyed':
    case 'stock.returned': {
      const returned = type === 'stock.returned';
      const location = locationField(body, 'location', returned);
      if (!location.ok) return location;
      const reason =
        returned && (body.reason === undefined || body.reason === null)
          ? { ok: true as const, value: '' }
          : field(body, 'reason', 'string');
      if (!reason.ok) return reason;
      return {
        ok: true,
        value: {
          type,
          product_name,
          location: location.value,
          quantity: quantity.value,
          reason: reason.value,
        },
      };
    }
  }
}

/** Longer than any id a publisher of ours makes (a UUID), short enough to show in a row. */
const MAX_EVENT_ID_CHARS = 128;

function reversalFromPayload(body: Record<string, unknown>, product_name: string): Result<StockEvent> {
  const reverses = field(body, 'reverses', 'string');
  if (!reverses.ok) return reverses;
  const id = reverses.value;
  if (id.trim() === '' || id.length > MAX_EVENT_ID_CHARS || /[\p{Cc}]/u.test(id)) {
    return fail(
      'bad_reference',
      `reverses must be the id of an event: 1 to ${MAX_EVENT_ID_CHARS} characters without control characters`,
      'reverses',
    );
  }
  const reason = field(body, 'reason', 'string');
  if (!reason.ok) return reason;
  return { ok: true, value: { type: 'stock.reversed', product_name, reverses: id, reason: reason.value } };
}

function fail(code: DecodeErrorCode, message: string, field?: string): { ok: false; error: DecodeError } {
  return { ok: false, error: field === undefined ? { code, message } : { code, message, field } };
}

function field(body: Record<string, unknown>, key: string, kind: 'string'): Result<string> {
  const value = body[key];
  if (value === undefined || value === null) return fail('missing_field', `field ${key} is missing`, key);
  if (typeof value !== kind)
    return fail('wrong_type', `field ${key} must be a ${kind}, got ${describe(value)}`, key);
  return { ok: true, value: value as string };
}

/** A whole-number field; `min` null means no lower bound. */
function quantityField(body: Record<string, unknown>, min: 0 | 1 | null, key = 'quantity'): Result<number> {
  const value = body[key];
  if (value === undefined || value === null) return fail('missing_field', `field ${key} is missing`, key);
  if (typeof value !== 'number')
    return fail('wrong_type', `field ${key} must be a number, got ${describe(value)}`, key);
  if (!Number.isSafeInteger(value)) return fail('bad_quantity', `${key} ${value} is not a whole number`, key);
  if (min !== null && value < min) {
    return fail('bad_quantity', `${key} ${value} must be ${min === 0 ? 'zero or more' : 'at least 1'}`, key);
  }
  // JSON `-0` parses to -0, which would otherwise survive into views and compare unequal to 0.
  return { ok: true, value: value === 0 ? 0 : value };
}

function locationField(body: Record<string, unknown>, key: string, optional: boolean): Result<string> {
  const value = body[key];
  if ((value === undefined || value === null) && optional) return { ok: true, value: UNASSIGNED_LOCATION };
  const text = field(body, key, 'string');
  if (!text.ok) return text;
  const problem = locationProblem(key, text.value);
  if (problem !== undefined) return fail('bad_location', problem, key);
  return text;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.slice(0, 32)}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

export type DecodedLow =
  | { kind: 'low'; meta: EventMeta; low: StockLow }
  | { kind: 'unknown'; meta: EventMeta; type: string }
  | { kind: 'malformed'; seq: number; subject: string; timestampMs: number; error: DecodeError };

/** Decodes a `procurement.<warehouse>.product.<product>` message. Never throws. */
export function decodeProcurementMessage(msg: RawMessage, names: HeaderNames): DecodedLow {
  const env = decodeEnvelope(msg, names, PROCUREMENT_SUBJECT_ROOT);
  if (!env.ok)
    return {
      kind: 'malformed',
      seq: msg.seq,
      subject: msg.subject,
      timestampMs: msg.streamTimestampMs,
      error: env.error,
    };
  const { meta, type } = env.envelope;
  if (type !== STOCK_LOW_TYPE) return { kind: 'unknown', meta, type };
  const bad = (error: DecodeError): DecodedLow => ({
    kind: 'malformed',
    seq: msg.seq,
    subject: msg.subject,
    timestampMs: meta.timestampMs,
    error,
  });
  const body = parsePayload(msg.data);
  if (!body.ok) return bad(body.error);
  const name = field(body.value, 'product_name', 'string');
  if (!name.ok) return bad(name.error);
  if (name.value !== meta.product) {
    return bad({
      code: 'product_mismatch',
      message: `payload product_name "${name.value}" differs from subject product "${meta.product}"`,
      field: 'product_name',
    });
  }
  const warehouse = field(body.value, 'warehouse', 'string');
  if (!warehouse.ok) return bad(warehouse.error);
  if (warehouse.value !== meta.warehouse) {
    return bad({
      code: 'warehouse_mismatch',
      message: `payload warehouse "${warehouse.value}" differs from subject warehouse "${meta.warehouse}"`,
      field: 'warehouse',
    });
  }
  // A low stock count may already be negative; only the threshold has a lower bound.
  const quantity = quantityField(body.value, null, 'quantity');
  if (!quantity.ok) return bad(quantity.error);
  const threshold = quantityField(body.value, 0, 'threshold');
  if (!threshold.ok) return bad(threshold.error);
  return {
    kind: 'low',
    meta,
    low: {
      product_name: name.value,
      warehouse: warehouse.value,
      quantity: quantity.value,
      threshold: threshold.value,
    },
  };
}
