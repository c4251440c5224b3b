/**
 * The event log's domain rules: how a stored message reads as one row (one-line summary, type chip,
 * truncated payload), which rows a filter selects, and the CSV / JSON-lines export formats.
 * Pure: the caller supplies decoded messages and times; nothing here reads a clock or the network.
 */
import { csvField } from './csv';
import type { Decoded, DecodeErrorCode } from './codec';
import {
  STOCK_EVENT_TYPES,
  STOCK_SUBJECT_ROOT,
  UNASSIGNED_LOCATION,
  stockSubject,
  tokenProblem,
  type HeaderNames,
  type StockEvent,
} from './events';

/** A message as the stream stored it, with every header in arrival order. */
export interface LoggedMessage {
  seq: number;
  subject: string;
  /** Server storage time, ms since epoch. */
  storedMs: number;
  headers: readonly (readonly [string, string])[];
  data: Uint8Array;
}

export type RowStatus = 'stock' | 'unknown' | 'malformed';

/** One line of the event log: plain data, so it can cross from the engine worker to the page. */
export interface EventRow {
  seq: number;
  subject: string;
  storedMs: number;
  /** Event time (the publisher's timestamp header), or the storage time when it gave none. */
  timeMs: number;
  /** The type header as sent, null when absent. */
  type: string | null;
  /** The event id header, null when absent. */
  id: string | null;
  /** Who the publisher says published it (the user header), null when absent (docs/architecture.md#who-did-it). */
  user: string | null;
  warehouse: string | null;
  product: string | null;
  status: RowStatus;
  problem: { code: DecodeErrorCode; message: string } | null;
  summary: string;
  headers: [string, string][];
  payloadBytes: number;
  /** The payload on one line, cut to PAYLOAD_PREVIEW_CHARS; the detail view fetches it whole. */
  payloadPreview: string;
  payloadTruncated: boolean;
}

/** Enough to recognise a payload in a row; longer payloads are read whole only when a row is opened. */
export const PAYLOAD_PREVIEW_CHARS = 160;

/** One click each: each stock type, any other type, and messages no reader could use. */
export const TYPE_CHIPS = [...STOCK_EVENT_TYPES, 'other', 'malformed'] as const;
export type TypeChip = (typeof TYPE_CHIPS)[number];

export const CHIP_LABELS: Record<TypeChip, string> = {
  'stock.corrected': 'corrected',
  'stock.replenished': 'replenished',
  'stock.moved': 'moved',
  'stock.sold': 'sold',
  'stock.destroyed': 'destroyed',
  'stock.returned': 'returned',
  'stock.reversed': 'undone',
  other: 'other types',
  malformed: 'malformed',
};

const STOCK_TYPES: ReadonlySet<string> = new Set(STOCK_EVENT_TYPES);

/**
 * The chips a message answers to. The type is a header, so a malformed `stock.sold` (say, a negative
 * quantity) is found both under "sold" and under "malformed".
 */
export function chipsOf(decoded: Decoded, typeHeader: string | undefined): TypeChip[] {
  if (decoded.kind === 'stock') return [decoded.event.type];
  if (decoded.kind === 'unknown') return ['other'];
  if (typeHeader === undefined || typeHeader === '') return ['malformed'];
  return ['malformed', STOCK_TYPES.has(typeHeader) ? (typeHeader as TypeChip) : 'other'];
}

const utf8 = new TextDecoder('utf-8');

/** The payload as text; bytes that are not UTF-8 show as U+FFFD rather than failing the row. */
export function payloadText(data: Uint8Array): string {
  return utf8.decode(data);
}

/** The first `max` characters on one line (runs of white space become one space), with "…" when cut. */
export function previewOf(
  text: string,
  max = PAYLOAD_PREVIEW_CHARS,
): { preview: string; truncated: boolean } {
  // Normalising only a prefix keeps a 1 MB payload from costing a full pass per row.
  const head = text.slice(0, max * 2 + 2).replace(/\s+/g, ' ');
  const truncated = head.length > max || text.length > max * 2 + 2;
  return { preview: truncated ? `${head.slice(0, max)}…` : head, truncated };
}

function where(location: string, into = false): string {
  if (location === UNASSIGNED_LOCATION) return into ? 'into the unassigned pool' : 'from the unassigned pool';
  return `at ${location}`;
}

function place(location: string): string {
  return location === UNASSIGNED_LOCATION ? 'the unassigned pool' : location;
}

/** One line a person reads at a glance: "3 Apples sold at A43", "5 Apples moved from A01 to B02". */
export function stockSummary(event: StockEvent): string {
  const product = event.product_name;
  if (event.type === 'stock.reversed') {
    return `${product}: event ${event.reverses.slice(0, 40)} undone (${event.reason})`;
  }
  const quantity = event.quantity;
  switch (event.type) {
    case 'stock.sold':
      return `${quantity} ${product} sold ${where(event.location)}`;
    case 'stock.replenished':
      return `${quantity} ${product} replenished ${where(event.location, true)}`;
    case 'stock.moved':
      return `${quantity} ${product} moved from ${place(event.from)} to ${place(event.to)}`;
    case 'stock.corrected':
      return event.location === UNASSIGNED_LOCATION
        ? `${product} in the unassigned pool counted as ${quantity}`
        : `${product} at ${event.location} counted as ${quantity}`;
    case 'stock.destroyed':
      return `${quantity} ${product} destroyed at ${place(event.location)} (${event.reason})`;
    case 'stock.returned':
      return `${quantity} ${product} returned ${where(event.location, true)}${event.reason ? ` (${event.reason})` : ''}`;
  }
}

export function eventSummary(decoded: Decoded): string {
  switch (decoded.kind) {
    case 'stock':
      return stockSummary(decoded.event);
    case 'unknown':
      return `Type "${decoded.type}" is not a stock event: kept, changes no view`;
    case 'malformed':
      return `Malformed: ${decoded.error.message}`;
  }
}

/** Warehouse and product as the subject names them, also for subjects the codec refuses. */
function subjectParts(subject: string): { warehouse: string | null; product: string | null } {
  const parts = subject.split('.');
  if (parts.length < 4 || parts[0] !== STOCK_SUBJECT_ROOT || parts[2] !== 'product') {
    return { warehouse: null, product: null };
  }
  return { warehouse: parts[1] || null, product: parts.slice(3).join('.') || null };
}

function firstHeader(headers: LoggedMessage['headers'], name: string): string | null {
  for (const [key, value] of headers) if (key === name) return value;
  return null;
}

export function eventRow(message: LoggedMessage, decoded: Decoded, names: HeaderNames): EventRow {
  const text = payloadText(message.data);
  const { preview, truncated } = previewOf(text);
  const common = {
    seq: message.seq,
    subject: message.subject,
    storedMs: message.storedMs,
    type: firstHeader(message.headers, names.type),
    id: firstHeader(message.headers, names.msgId),
    user: firstHeader(message.headers, names.user),
    summary: eventSummary(decoded),
    headers: message.headers.map(([k, v]): [string, string] => [k, v]),
    payloadBytes: message.data.byteLength,
    payloadPreview: preview,
    payloadTruncated: truncated,
  };
  if (decoded.kind === 'malformed') {
    return {
      ...common,
      ...subjectParts(message.subject),
      timeMs: decoded.timestampMs,
      status: 'malformed',
      problem: { code: decoded.error.code, message: decoded.error.message },
    };
  }
  return {
    ...common,
    warehouse: decoded.meta.warehouse,
    product: decoded.meta.product,
    timeMs: decoded.meta.timestampMs,
    status: decoded.kind,
    problem: null,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Filters

export interface EventLogFilter {
  /** Empty = every warehouse. */
  warehouse: string;
  /** Empty = every product. */
  product: string;
  /** Empty = every type; otherwise a message shows when any of its chips is selected. */
  chips: readonly TypeChip[];
  /**
   * Case-insensitive text that the payload, the event id (also `seq:<n>` of an event published without one) or
   * any header value must contain; empty = no text filter.
   */
  text: string;
  /** Storage time range [fromMs, untilMs), ms since epoch; null = open. */
  fromMs: number | null;
  untilMs: number | null;
}

export const EMPTY_FILTER: EventLogFilter = {
  warehouse: '',
  product: '',
  chips: [],
  text: '',
  fromMs: null,
  untilMs: null,
};

/** What is wrong with a filter, in words a user can act on; empty when it can be run. */
export function filterProblems(filter: EventLogFilter): string[] {
  const problems: string[] = [];
  if (filter.warehouse !== '') {
    const p = tokenProblem('warehouse', filter.warehouse);
    if (p) problems.push(p);
  }
  if (filter.product !== '') {
    const p = tokenProblem('product', filter.product);
    if (p) problems.push(p);
  }
  if (filter.fromMs !== null && filter.untilMs !== null && filter.fromMs >= filter.untilMs) {
    problems.push('the time range ends before it starts');
  }
  return problems;
}

/**
 * The one subject filter the server applies (people may create consumers with a single filter only:
 * docs/security.md). Without a product it ends in `>` so that messages on malformed deeper subjects still
 * show up, as the stream stores them.
 */
export function subjectFilterFor(filter: Pick<EventLogFilter, 'warehouse' | 'product'>): string {
  return stockSubject(
    filter.warehouse === '' ? '*' : filter.warehouse,
    filter.product === '' ? '>' : filter.product,
  );
}

/** Type and text are checked while reading (the server cannot); subject and time are not. */
export function needsScan(filter: EventLogFilter): boolean {
  return filter.chips.length > 0 || filter.text.trim() !== '';
}

export type MessageSelector = (
  decoded: Decoded,
  typeHeader: string | undefined,
  text: () => string,
  headers: () => readonly (readonly [string, string])[],
) => boolean;

/**
 * The client-side part of a filter, compiled once per query. Text finds an event by what a person has in hand:
 * a word of its payload, its id from a receipt or another system, who recorded it — any header value.
 */
export function selectorFor(filter: EventLogFilter): MessageSelector {
  const chips = new Set<TypeChip>(filter.chips);
  const needle = filter.text.trim().toLowerCase();
  const has = (value: string) => value.toLowerCase().includes(needle);
  return (decoded, typeHeader, text, headers) => {
    if (chips.size > 0 && !chipsOf(decoded, typeHeader).some((c) => chips.has(c))) return false;
    if (needle === '') return true;
    if (decoded.kind !== 'malformed' && has(decoded.meta.id)) return true;
    return has(text()) || headers().some(([, value]) => has(value));
  };
}

// ---------------------------------------------------------------------------------------------------------
// Export

/** ISO 8601 in UTC with milliseconds, like Date#toISOString, without a clock (the core has none). */
export function isoUtc(ms: number): string {
  const whole = Math.floor(ms);
  const days = Math.floor(whole / 86_400_000);
  const msOfDay = whole - days * 86_400_000;
  // Days to civil date (H. Hinnant's algorithm), valid for the proleptic Gregorian calendar.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const h = Math.floor(msOfDay / 3_600_000);
  const m = Math.floor((msOfDay % 3_600_000) / 60_000);
  const s = Math.floor((msOfDay % 60_000) / 1000);
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(h)}:${pad(m)}:${pad(s)}.${pad(msOfDay % 1000, 3)}Z`;
}

export const CSV_COLUMNS = [
  'seq',
  'recorded_at',
  'time',
  'type',
  'warehouse',
  'product',
  'summary',
  'status',
  'problem',
  'id',
  'user',
  'subject',
  'payload',
] as const;

export const CSV_HEADER = `${CSV_COLUMNS.join(',')}\r\n`;

/** One CSV record with the whole payload (not the row's preview), ending in CRLF. */
export function csvLine(row: EventRow, payload: string): string {
  const cells: (string | number | null)[] = [
    row.seq,
    isoUtc(row.storedMs),
    isoUtc(row.timeMs),
    row.type,
    row.warehouse,
    row.product,
    row.summary,
    row.status,
    row.problem?.message ?? null,
    row.id,
    row.user,
    row.subject,
    payload,
  ];
  return `${cells.map(csvField).join(',')}\r\n`;
}

/** Headers as an object; a header sent more than once keeps every value, in order. */
export function headerObject(
  headers: readonly (readonly [string, string])[],
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of headers) {
    const seen = out[key];
    if (seen === undefined) out[key] = value;
    else out[key] = Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** One JSON object per line: the payload nested as JSON when it is JSON, as a string otherwise. */
export function jsonLine(row: EventRow, payload: string): string {
  const parsed = parseJson(payload);
  return `${JSON.stringify({
    seq: row.seq,
    subject: row.subject,
    recorded_at: isoUtc(row.storedMs),
    time: isoUtc(row.timeMs),
    type: row.type,
    id: row.id,
    user: row.user,
    warehouse: row.warehouse,
    product: row.product,
    status: row.status,
    problem: row.problem,
    summary: row.summary,
    headers: headerObject(row.headers),
    payload_format: parsed.ok ? 'json' : 'text',
    payload: parsed.ok ? parsed.value : payload,
  })}\n`;
}

/** The payload laid out for reading: indented when it is JSON, as sent otherwise. */
export function prettyPayload(text: string): { text: string; json: boolean } {
  const parsed = parseJson(text);
  return parsed.ok ? { text: JSON.stringify(parsed.value, null, 2), json: true } : { text, json: false };
}
