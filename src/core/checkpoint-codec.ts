/**
 * The byte form of a shared checkpoint (docs/architecture.md#checkpoints): a ledger snapshot with the event
 * times the time machine needs, written by the checkpointer and read by every browser.
 *
 * A self-describing tagged encoding rather than one hand-written per view: the views' shape is guarded once,
 * by LEDGER_SNAPSHOT_VERSION in the header and restoreLedger's checks, so a view that changes shape needs no
 * change here. Strings (map keys, field names, product names) are written once and referred to by number
 * afterwards, typed arrays as raw little-endian bytes; gzip, outside the core, does the rest. Decoding never
 * throws and never allocates more than the input can hold: a damaged checkpoint costs a full replay.
 */
import { LEDGER_SNAPSHOT_VERSION, restoreLedger, type LedgerSnapshot } from './ledger-snapshot';
import type { LedgerState } from './ledger';
import type { TimeMark } from './time-marks';

/** Bumped when the encoding itself (not the views) changes. */
const CHECKPOINT_FORMAT = 1;
/** "SWCP" */
const MAGIC = [0x53, 0x57, 0x43, 0x50] as const;
const MAX_DEPTH = 64;

const UNDEFINED = 0;
const NULL = 1;
const FALSE = 2;
const TRUE = 3;
const UINT = 4;
const NEG_INT = 5;
const FLOAT = 6;
const STRING = 7;
const STRING_REF = 8;
const ARRAY = 9;
const OBJECT = 10;
const MAP = 11;
const BYTES = 12;
const WORDS = 13;

export interface CheckpointContent {
  readonly snapshot: LedgerSnapshot;
  /** Oldest and newest event time folded, for the time machine (src/engine/checkpoints.ts). */
  readonly minEventMs: number;
  readonly maxEventMs: number;
  /** Where event time stands along the stream up to the checkpoint (src/core/time-marks.ts). */
  readonly marks: readonly TimeMark[];
}

export type CheckpointRead =
  | {
      ok: true;
      ledger: LedgerState;
      minEventMs: number;
      maxEventMs: number;
      marks: TimeMark[];
    }
  | { ok: false; reason: 'other_version' | 'damaged'; detail: string };

export function encodeCheckpoint(content: CheckpointContent): Uint8Array {
  const w = new Writer();
  for (const b of MAGIC) w.byte(b);
  w.uint(CHECKPOINT_FORMAT);
  w.uint(content.snapshot.version);
  w.value(content, 0);
  return w.bytes();
}

/** The views version a checkpoint was written for, from its header alone; null when it is not one. */
export function checkpointViewsVersion(bytes: Uint8Array): number | null {
  try {
    const r = new Reader(bytes);
    r.header();
    return r.uint();
  } catch {
    return null;
  }
}

/** The header's views version and the decoded tree, unchecked; for decodeCheckpoint and tests. */
export function decodeCheckpointTree(
  bytes: Uint8Array,
): { ok: true; viewsVersion: number; tree: unknown } | { ok: false; detail: string } {
  try {
    const r = new Reader(bytes);
    r.header();
    const viewsVersion = r.uint();
    const tree = r.value(0);
    if (r.pos !== bytes.length) throw new Damaged('bytes after the end');
    return { ok: true, viewsVersion, tree };
  } catch (error) {
    return { ok: false, detail: error instanceof Damaged ? error.message : 'unreadable' };
  }
}

/** The ledger a checkpoint holds, or why it cannot be used. Never throws. */
export function decodeCheckpoint(bytes: Uint8Array): CheckpointRead {
  const version = checkpointViewsVersion(bytes);
  if (version !== null && version !== LEDGER_SNAPSHOT_VERSION) {
    return {
      ok: false,
      reason: 'other_version',
      detail: `written for views version ${version}, this is version ${LEDGER_SNAPSHOT_VERSION}`,
    };
  }
  const read = decodeCheckpointTree(bytes);
  if (!read.ok) return damaged(read.detail);
  const content = read.tree;
  if (typeof content !== 'object' || content === null) return damaged('not a checkpoint');
  const { snapshot, minEventMs, maxEventMs, marks } = content as Partial<
    Record<keyof CheckpointContent, unknown>
  >;
  if (typeof minEventMs !== 'number' || typeof maxEventMs !== 'number') return damaged('event times');
  // Checkpoints written before marks existed have none: a moment before them is then read to their end.
  const timeMarks = marks === undefined ? [] : readMarks(marks);
  if (timeMarks === null) return damaged('time marks');
  const restored = restoreLedger(snapshot);
  if (!restored.ok) return restored;
  return { ok: true, ledger: restored.ledger, minEventMs, maxEventMs, marks: timeMarks };
}

function readMarks(value: unknown): TimeMark[] | null {
  if (!Array.isArray(value)) return null;
  const marks: TimeMark[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'object' || item === null) return null;
    const { seq, maxEventMs, minEventMsAfter } = item as Partial<Record<keyof TimeMark, unknown>>;
    if (typeof seq !== 'number' || typeof maxEventMs !== 'number' || typeof minEventMsAfter !== 'number') {
      return null;
    }
    marks.push({ seq, maxEventMs, minEventMsAfter });
  }
  return marks;
}

function damaged(detail: string): CheckpointRead {
  return { ok: false, reason: 'damaged', detail };
}

class Damaged extends Error {}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

class Writer {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  private pos = 0;
  private readonly strings = new Map<string, number>();

  bytes(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  /** LEB128 of a safe non-negative integer (past 32 bits by division, as bit operators stop there). */
  uint(n: number): void {
    this.room(8);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  string(s: string): void {
    const ref = this.strings.get(s);
    if (ref !== undefined) {
      this.byte(STRING_REF);
      this.uint(ref);
      return;
    }
    this.strings.set(s, this.strings.size);
    const encoded = utf8Encoder.encode(s);
    this.byte(STRING);
    this.uint(encoded.length);
    this.room(encoded.length);
    this.buf.set(encoded, this.pos);
    this.pos += encoded.length;
  }

  value(v: unknown, depth: number): void {
    if (depth > MAX_DEPTH) throw new RangeError('checkpoint: nested too deep');
    if (v === undefined) this.byte(UNDEFINED);
    else if (v === null) this.byte(NULL);
    else if (v === false) this.byte(FALSE);
    else if (v === true) this.byte(TRUE);
    else if (typeof v === 'number') this.number(v);
    else if (typeof v === 'string') this.string(v);
    else if (v instanceof Uint8Array) {
      this.byte(BYTES);
      this.uint(v.length);
      this.room(v.length);
      this.buf.set(v, this.pos);
      this.pos += v.length;
    } else if (v instanceof Uint32Array) {
      this.byte(WORDS);
      this.uint(v.length);
      this.room(v.length * 4);
      for (let i = 0; i < v.length; i++) this.view.setUint32(this.pos + i * 4, v[i] ?? 0, true);
      this.pos += v.length * 4;
    } else if (Array.isArray(v)) {
      this.byte(ARRAY);
      this.uint(v.length);
      for (const item of v) this.value(item, depth + 1);
    } else if (v instanceof Map) {
      this.byte(MAP);
      this.uint(v.size);
      for (const [key, item] of v) {
        this.value(key, depth + 1);
        this.value(item, depth + 1);
      }
    } else if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const keys = Object.keys(v);
      this.byte(OBJECT);
      this.uint(keys.length);
      for (const key of keys) {
        this.string(key);
        this.value((v as Record<string, unknown>)[key], depth + 1);
      }
    } else throw new TypeError(`checkpoint: cannot encode ${Object.prototype.toString.call(v)}`);
  }

  private number(n: number): void {
    if (Number.isSafeInteger(n) && !Object.is(n, -0)) {
      this.byte(n >= 0 ? UINT : NEG_INT);
      this.uint(Math.abs(n));
      return;
    }
    this.byte(FLOAT);
    this.room(8);
    this.view.setFloat64(this.pos, n, true);
    this.pos += 8;
  }
}

class Reader {
  pos = 0;
  private readonly view: DataView;
  private readonly strings: string[] = [];

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  header(): void {
    for (const b of MAGIC) if (this.byte() !== b) throw new Damaged('not a Stockwire checkpoint');
    const format = this.uint();
    if (format !== CHECKPOINT_FORMAT) throw new Damaged(`encoding ${format}, not ${CHECKPOINT_FORMAT}`);
  }

  private need(n: number): void {
    if (n > this.buf.length - this.pos) throw new Damaged('cut short');
  }

  private byte(): number {
    this.need(1);
    return this.buf[this.pos++] ?? 0;
  }

  uint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 0x80;
      if (scale > Number.MAX_SAFE_INTEGER) throw new Damaged('number too large');
    }
    if (!Number.isSafeInteger(n)) throw new Damaged('number too large');
    return n;
  }

  /** A count of items each at least `minBytes` long: larger than what is left means damage, not a huge array. */
  private count(minBytes: number): number {
    const n = this.uint();
    this.need(n * minBytes);
    return n;
  }

  private string(tag: number): string {
    if (tag === STRING_REF) {
      const s = this.strings[this.uint()];
      if (s === undefined) throw new Damaged('unknown string');
      return s;
    }
    if (tag !== STRING) throw new Damaged('expected a string');
    const n = this.count(1);
    let s: string;
    try {
      s = utf8Decoder.decode(this.buf.subarray(this.pos, this.pos + n));
    } catch {
      throw new Damaged('text is not UTF-8');
    }
    this.pos += n;
    this.strings.push(s);
    return s;
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new Damaged('nested too deep');
    const tag = this.byte();
    switch (tag) {
      case UNDEFINED:
        return undefined;
      case NULL:
        return null;
      case FALSE:
        return false;
      case TRUE:
        return true;
      case UINT:
        return this.uint();
      case NEG_INT:
        return -this.uint();
      case FLOAT: {
        this.need(8);
        const n = this.view.getFloat64(this.pos, true);
        this.pos += 8;
        return n;
      }
      case STRING:
      case STRING_REF:
        return this.string(tag);
      case BYTES: {
        const n = this.count(1);
        const bytes = this.buf.slice(this.pos, this.pos + n);
        this.pos += n;
        return bytes;
      }
      case WORDS: {
        const n = this.count(4);
        const words = new Uint32Array(n);
        for (let i = 0; i < n; i++) words[i] = this.view.getUint32(this.pos + i * 4, true);
        this.pos += n * 4;
        return words;
      }
      case ARRAY: {
        const n = this.count(1);
        const items: unknown[] = new Array<unknown>(n);
        for (let i = 0; i < n; i++) items[i] = this.value(depth + 1);
        return items;
      }
      case MAP: {
        const n = this.count(2);
        const map = new Map<unknown, unknown>();
        for (let i = 0; i < n; i++) {
          const key = this.value(depth + 1);
          map.set(key, this.value(depth + 1));
        }
        return map;
      }
      case OBJECT: {
        const n = this.count(2);
        const object: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const key = this.string(this.byte());
          const item = this.value(depth + 1);
          // A key named __proto__ must stay a key, not replace the object's prototype.
          if (key === '__proto__') {
            Object.defineProperty(object, key, {
              value: item,
              enumerable: true,
              writable: true,
              configurable: true,
            });
          } else object[key] = item;
        }
        return object;
      }
      default:
        throw new Damaged(`unknown tag ${tag}`);
    }
  }
}
