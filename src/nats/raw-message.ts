/** Adapts NATS messages to the core's RawMessage, so decoding stays free of NATS types. */
import type { JsMsg } from '@nats-io/jetstream';
import type { Msg } from '@nats-io/nats-core';
import type { RawMessage } from '../core/codec';
import { DEDUPE_HEADER, headerNames } from '../core/events';
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

const names = headerNames();
/** What the event decoders ask for, found in one pass over the header block. */
const EVENT_HEADERS = new HeaderNameSet(
  [names.type, names.format, names.timestampMs, names.msgId, DEDUPE_HEADER],
  [names.type, names.format],
);
const EVENT_HEADER_INDEX = new Map(EVENT_HEADERS.names.map((name, i) => [name, i]));

/**
 * Header lookups on one message, parsed on first use so that a reader that skips an event by subject never
 * pays for them. The raw block is scanned for the few values the decoders need instead of letting nats.js
 * decode every header to text — and nats.js's parser throws on header names it would not send itself (a
 * raw-protocol publisher can), which must not stop a replay.
 */
export class MessageHeaders {
  private values: (string | undefined)[] | null = null;

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
    const index = EVENT_HEADER_INDEX.get(name);
    if (index === undefined) return new HeaderNameSet([name]).scan(block)[0];
    this.values ??= EVENT_HEADERS.scan(block);
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
