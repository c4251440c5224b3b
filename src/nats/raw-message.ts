/** Adapts NATS messages to the core's RawMessage, so decoding stays free of NATS types. */
import type { JsMsg } from '@nats-io/jetstream';
import type { Msg } from '@nats-io/nats-core';
import type { RawMessage } from '../core/codec';
import { DEDUPE_HEADER, headerNames, type HeaderNames } from '../core/events';
import { HeaderNameSet, headerEntries } from '../core/header-block';
import { InternedText } from '../core/interned-text';

/** A RawMessage that can also list its headers (for tools that show everything, like `cli tail`). */
export interface StreamMessage extends RawMessage {
  /** Every header in arrival order; a repeated header appears once per value. */
  headerEntries(): [string, string][];
}

const lenientUtf8 = new TextDecoder();

/**
 * Subjects as text from their bytes, decoded once per distinct subject (a few hundred in a stream of millions),
 * with the decoder nats.js uses for `msg.subject`, so the text is the same.
 */
export const subjectTexts = new InternedText((bytes, start, end) =>
  lenientUtf8.decode(bytes.subarray(start, end)),
);

/** What the event decoders ask for with one header prefix, found in one pass over the header block. */
interface EventHeaderScan {
  set: HeaderNameSet;
  index: ReadonlyMap<string, number>;
}

function eventHeaderScan(names: HeaderNames): EventHeaderScan {
  const set = new HeaderNameSet(
    [names.type, names.format, names.timestampMs, names.msgId, DEDUPE_HEADER],
    [names.type, names.format],
  );
  return { set, index: new Map(set.names.map((name, i) => [name, i])) };
}

/**
 * The scan a header name belongs to, by name. The prefix is a setting of the program (one per deployment),
 * not known here, so it is told by the name asked for: any of the four event header names of a prefix
 * prepares that prefix's scan. Bounded, so that names asked for by tools cannot grow it without limit.
 */
const scansByName = new Map<string, EventHeaderScan>();
const SCANS_KEPT = 64;
const bare = headerNames('');
const SUFFIXES = [bare.format, bare.type, bare.msgId, bare.timestampMs];

function scanFor(name: string): EventHeaderScan | undefined {
  const known = scansByName.get(name);
  if (known !== undefined || scansByName.size >= SCANS_KEPT) return known;
  const suffix = SUFFIXES.find((s) => name.endsWith(s));
  if (suffix === undefined) return undefined;
  const scan = eventHeaderScan(headerNames(name.slice(0, -suffix.length)));
  for (const n of scan.set.names) if (n !== DEDUPE_HEADER) scansByName.set(n, scan);
  return scan;
}

/**
 * Header lookups on one message, parsed on first use so that a reader that skips an event by subject never
 * pays for them. The raw block is scanned for the few values the decoders need instead of letting nats.js
 * decode every header to text — and nats.js's parser throws on header names it would not send itself (a
 * raw-protocol publisher can), which must not stop a replay.
 */
export class MessageHeaders {
  private values: (string | undefined)[] | null = null;
  private scanned: EventHeaderScan | null = null;

  /**
   * @param block the raw header block; null: the message has none; undefined: not at hand (then `msg`'s own
   * parser answers)
   */
  private constructor(
    private readonly block: Uint8Array | null | undefined,
    private readonly msg: Msg | null,
  ) {}

  static of(msg: Msg): MessageHeaders {
    return new MessageHeaders(rawHeaderBlock(msg), msg);
  }

  static fromBlock(block: Uint8Array | null): MessageHeaders {
    return new MessageHeaders(block, null);
  }

  get(name: string): string | undefined {
    const block = this.block;
    if (block === null) return undefined;
    if (block === undefined) return this.fromLibrary(name);
    // The dedupe header belongs to every prefix's scan: the one already made answers it.
    const scan = name === DEDUPE_HEADER ? (this.scanned ?? scanFor(name)) : scanFor(name);
    const index = scan?.index.get(name);
    if (scan === undefined || index === undefined) return new HeaderNameSet([name]).scan(block)[0];
    if (this.scanned !== scan || this.values === null) {
      this.values = scan.set.scan(block);
      this.scanned = scan;
    }
    return this.values[index];
  }

  entries(): [string, string][] {
    const block = this.block;
    if (block === null) return [];
    if (block !== undefined) return headerEntries(block);
    try {
      const h = this.msg?.headers;
      return h ? h.keys().flatMap((k) => h.values(k).map((v): [string, string] => [k, v])) : [];
    } catch {
      return [];
    }
  }

  private fromLibrary(name: string): string | undefined {
    try {
      const h = this.msg?.headers;
      // MsgHdrs.get returns "" for an absent header; RawMessage tells absent from empty.
      return h !== undefined && h.has(name) ? h.get(name) : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * The raw header bytes of a message: null when it has none, undefined when this nats.js version does not keep
 * them where 3.4 does (then the library's own parser is used: slower, same answers for well-formed headers).
 */
export function rawHeaderBlock(msg: Msg): Uint8Array | null | undefined {
  const inner = msg as unknown as { _msg?: { hdr?: unknown }; _rdata?: unknown };
  const hdr = inner._msg?.hdr;
  if (typeof hdr !== 'number' || !(inner._rdata instanceof Uint8Array)) return undefined;
  return hdr > -1 ? inner._rdata.subarray(0, hdr) : null;
}

/** The core NATS message under a JetStream message (nats.js 3.4 keeps it as `msg`). */
function coreMessage(m: JsMsg): Msg {
  const inner = (m as unknown as { msg?: Msg }).msg;
  return inner ?? (m as unknown as Msg);
}

export function toRawMessage(m: JsMsg): StreamMessage {
  const headers = MessageHeaders.of(coreMessage(m));
  return {
    subject: m.subject,
    seq: m.seq,
    // Typed bigint but a plain number at runtime in nats.js 3.4; Number() is right for both.
    streamTimestampMs: Math.floor(Number(m.info.timestampNanos) / 1e6),
    data: m.data,
    header: (name) => headers.get(name),
    headerEntries: () => headers.entries(),
  };
}
