/**
 * The event contract of docs/architecture.md#events: the stock events, `stock.low`, their subjects and
 * headers. Pure: no clock, no I/O. Ids and timestamps are given by the caller. A new event type starts here;
 * docs/architecture.md#adding-an-event-type says what follows.
 */

export const STOCK_EVENT_TYPES = [
  'stock.corrected',
  'stock.replenished',
  'stock.moved',
  'stock.sold',
  'stock.destroyed',
  'stock.returned',
  'stock.reversed',
] as const;
export type StockEventType = (typeof STOCK_EVENT_TYPES)[number];
export const STOCK_LOW_TYPE = 'stock.low';

/** The warehouse's unassigned pool, used when an event names no location. */
export const UNASSIGNED_LOCATION = '-';

export const JSON_FORMAT = 'application/json';
export const DEFAULT_HEADER_PREFIX = 'myorg';
/** Payloads above this are refused by our publishers and classified as malformed by readers. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

export interface StockCorrected {
  type: 'stock.corrected';
  product_name: string;
  location: string;
  quantity: number;
}
export interface StockReplenished {
  type: 'stock.replenished';
  product_name: string;
  location: string;
  quantity: number;
}
export interface StockMoved {
  type: 'stock.moved';
  product_name: string;
  from: string;
  to: string;
  quantity: number;
}
export interface StockSold {
  type: 'stock.sold';
  product_name: string;
  location: string;
  quantity: number;
}
export interface StockDestroyed {
  type: 'stock.destroyed';
  product_name: string;
  location: string;
  quantity: number;
  reason: string;
}
/** A customer brought units back: they are stock again, and count against sales (net sales). */
export interface StockReturned {
  type: 'stock.returned';
  product_name: string;
  location: string;
  quantity: number;
  /** Why, as the person said it; empty when not given. */
  reason: string;
}
/**
 * Undoes one earlier event of the same product in the same warehouse, named by its `myorg_msg_id`: its effect
 * on stock and on sales is taken back as if it had not happened, and both stay in the history
 * (docs/architecture.md#undo). A count (`stock.corrected`) is fixed by another count, and a reversal is not
 * reversed: the event is recorded again instead.
 */
export interface StockReversed {
  type: 'stock.reversed';
  product_name: string;
  /** The `myorg_msg_id` of the event it undoes. */
  reverses: string;
  reason: string;
}
export type StockEvent =
  StockCorrected | StockReplenished | StockMoved | StockSold | StockDestroyed | StockReturned | StockReversed;

/** The events a `stock.reversed` may undo. */
export type ReversibleEvent = Exclude<StockEvent, StockCorrected | StockReversed>;
export function isReversible(event: StockEvent): event is ReversibleEvent {
  return isReversibleType(event.type);
}
export function isReversibleType(type: StockEventType): type is ReversibleEvent['type'] {
  return type !== 'stock.corrected' && type !== 'stock.reversed';
}

export interface StockLow {
  product_name: string;
  warehouse: string;
  quantity: number;
  threshold: number;
}

/**
 * Names of the four event headers for a given prefix. The prefix is one setting of a deployment
 * (docs/architecture.md#subjects-and-headers): there is no default here, so that no publisher or reader can
 * leave it out by accident.
 */
export interface HeaderNames {
  format: string;
  type: string;
  msgId: string;
  timestampMs: string;
  /**
   * Who published it, as the publishing client claims: the user it signed in as. The server checks only that
   * this user may publish there (docs/architecture.md#who-did-it).
   */
  user: string;
}
export function headerNames(prefix: string): HeaderNames {
  return {
    format: `${prefix}_format`,
    type: `${prefix}_type`,
    msgId: `${prefix}_msg_id`,
    timestampMs: `${prefix}_timestamp_ms`,
    user: `${prefix}_user`,
  };
}
export const DEDUPE_HEADER = 'Nats-Msg-Id';

/**
 * Longer prefixes would eat into the room the streams leave for headers (`EVENT_HEADER_ROOM`,
 * src/nats/names.ts): each of the five names repeats the prefix.
 */
export const MAX_HEADER_PREFIX_LENGTH = 32;
const HEADER_PREFIX_RULE = `letters A–Z a–z, digits 0–9, "_" and "-", 1 to ${MAX_HEADER_PREFIX_LENGTH} characters`;

export type HeaderPrefixSetting = { ok: true; prefix: string } | { ok: false; message: string };

/**
 * The header prefix a program is configured with (config.json `headerPrefix`, STOCKWIRE_HEADER_PREFIX), named
 * `source` in the message: absent means the default; anything else must make header names every NATS client
 * accepts. Checked once at start-up, so a typo is a clear refusal there rather than every event of the
 * deployment read as malformed.
 */
export function parseHeaderPrefix(value: unknown, source: string): HeaderPrefixSetting {
  if (value === undefined) return { ok: true, prefix: DEFAULT_HEADER_PREFIX };
  const refuse = (why: string): HeaderPrefixSetting => ({
    ok: false,
    message: `${source} ${why}; allowed are ${HEADER_PREFIX_RULE} (default "${DEFAULT_HEADER_PREFIX}")`,
  });
  if (typeof value !== 'string') return refuse(`must be text, not ${JSON.stringify(value)}`);
  if (value === '') return refuse('is empty');
  if (value.length > MAX_HEADER_PREFIX_LENGTH) return refuse(`is ${value.length} characters long`);
  const bad = disallowedCharacters(value);
  return bad ? refuse(`"${value}" contains ${bad}`) : { ok: true, prefix: value };
}

// ---------------------------------------------------------------------------------------------------------
// Subject tokens

const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
export const TOKEN_RULE = 'letters A–Z a–z, digits 0–9, "_" and "-", 1 to 64 characters';

export function isToken(value: string): boolean {
  return TOKEN.test(value);
}

/** Why a name cannot be a subject token, in words a user can act on; undefined when it can. */
export function tokenProblem(what: string, value: string): string | undefined {
  if (value.length === 0) return `${what} is required`;
  if (value.length > 64) return `${what} is ${value.length} characters long; at most 64 are allowed`;
  if (!TOKEN.test(value)) {
    return `${what} "${value}" contains ${disallowedCharacters(value)}; allowed are ${TOKEN_RULE}`;
  }
  return undefined;
}

/** The characters of a would-be token or prefix that may not be in one, as a person reads them; '' if none. */
function disallowedCharacters(value: string): string {
  return [...new Set([...value].filter((c) => !/[A-Za-z0-9_-]/.test(c)))]
    .map((c) => (c === ' ' ? 'space' : `"${c}"`))
    .join(', ');
}

/** The first token of every stock event's subject, and of every `stock.low` alert's. */
export const STOCK_SUBJECT_ROOT = 'warehouse';
export const PROCUREMENT_SUBJECT_ROOT = 'procurement';

function productSubject(root: string, warehouse: string, product: string): string {
  return `${root}.${warehouse}.product.${product}`;
}
/**
 * A location is payload text, never part of a subject, so it need not be a token: "Kühlraum ❄" and
 * "Aisle 3 / Bay 2" are places people name (docs/architecture.md#the-stock-events). What it may not be is
 * blank, longer than a person can read on a shelf label, or carry characters that break a line or a cell.
 */
export const LOCATION_RULE = '1 to 64 characters, not all spaces, without control characters';
const MAX_LOCATION_CHARS = 64;
const CONTROL_OR_LONE_SURROGATE = /[\p{Cc}\p{Cs}]/u;
const NOT_BLANK = /\S/;

/** Why a text cannot be a location, in words a user can act on; undefined when it can. */
export function locationProblem(what: string, value: string): string | undefined {
  if (!NOT_BLANK.test(value)) return `${what} is required`;
  // Every event of a replay passes here: count characters only when the UTF-16 length could exceed the limit.
  const chars = value.length > MAX_LOCATION_CHARS ? [...value].length : value.length;
  if (chars > MAX_LOCATION_CHARS) {
    return `${what} is ${chars} characters long; at most ${MAX_LOCATION_CHARS} are allowed`;
  }
  if (CONTROL_OR_LONE_SURROGATE.test(value)) {
    return `${what} contains a control character; allowed are ${LOCATION_RULE}`;
  }
  return undefined;
}

export function stockSubject(warehouse: string, product: string): string {
  return productSubject(STOCK_SUBJECT_ROOT, warehouse, product);
}
export function procurementSubject(warehouse: string, product: string): string {
  return productSubject(PROCUREMENT_SUBJECT_ROOT, warehouse, product);
}
/**
 * Every subject of the kind, as a filter (and as the stream's subjects). It ends in `>`, not `*`, so that a
 * message published on a deeper, malformed subject is still stored and read, and then classified as such.
 */
export const ALL_STOCK_SUBJECTS = stockSubject('*', '>');
export const ALL_PROCUREMENT_SUBJECTS = procurementSubject('*', '>');

/**
 * The warehouse whose filter `warehouse.<warehouse>.product.>` takes this subject, malformed or not: what a
 * reader of that warehouse alone receives. Null for a subject outside every warehouse.
 */
export function subjectWarehouse(subject: string): string | null {
  const prefix = `${STOCK_SUBJECT_ROOT}.`;
  if (!subject.startsWith(prefix)) return null;
  const end = subject.indexOf('.', prefix.length);
  if (end <= prefix.length || !subject.startsWith('.product.', end)) return null;
  return subject.length > end + '.product.'.length ? subject.slice(prefix.length, end) : null;
}

export type SubjectParse = { ok: true; warehouse: string; product: string } | { ok: false; reason: string };

/** Parses `<root>.<warehouse>.product.<product>` and checks both tokens. */
export function parseSubject(subject: string, root = STOCK_SUBJECT_ROOT): SubjectParse {
  const parts = subject.split('.');
  if (parts.length !== 4 || parts[0] !== root || parts[2] !== 'product') {
    return { ok: false, reason: `subject "${subject}" is not ${root}.<warehouse>.product.<product>` };
  }
  const warehouse = parts[1] ?? '';
  const product = parts[3] ?? '';
  const problem = tokenProblem('warehouse', warehouse) ?? tokenProblem('product', product);
  return problem ? { ok: false, reason: problem } : { ok: true, warehouse, product };
}

/** Per-key name of a (warehouse, product) pair in the KV buckets. */
export function stockKey(warehouse: string, product: string): string {
  return `${warehouse}.${product}`;
}

/** The reverse of stockKey: a key of the KV buckets back into its warehouse and product, both checked. */
export function parseStockKey(key: string): SubjectParse {
  const parts = key.split('.');
  if (parts.length !== 2) return { ok: false, reason: `key "${key}" must be <warehouse>.<product>` };
  const [warehouse = '', product = ''] = parts;
  const problem = tokenProblem('warehouse', warehouse) ?? tokenProblem('product', product);
  return problem ? { ok: false, reason: problem } : { ok: true, warehouse, product };
}
