/** Adapts a JetStream message to the core's RawMessage, so decoding stays free of NATS types. */
import type { JsMsg } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/nats-core';
import type { RawMessage } from '../core/codec';

/** A RawMessage that can also list its headers (for tools that show everything, like `cli tail`). */
export interface StreamMessage extends RawMessage {
  /** Every header in arrival order; a repeated header appears once per value. */
  headerEntries(): [string, string][];
}

/**
 * Headers are parsed only when a reader first asks for one: a reader that skips an event by subject
 * never pays for them.
 */
export function toRawMessage(m: JsMsg): StreamMessage {
  let hdrs: MsgHdrs | null | undefined;
  const headers = (): MsgHdrs | null => {
    if (hdrs === undefined) hdrs = m.headers ?? null;
    return hdrs;
  };
  return {
    subject: m.subject,
    seq: m.seq,
    // Typed bigint but a plain number at runtime in nats.js 3.4; Number() is right for both.
    streamTimestampMs: Math.floor(Number(m.info.timestampNanos) / 1e6),
    data: m.data,
    header(name: string): string | undefined {
      const h = headers();
      // MsgHdrs.get returns "" for an absent header; RawMessage tells absent from empty.
      return h !== null && h.has(name) ? h.get(name) : undefined;
    },
    headerEntries(): [string, string][] {
      const h = headers();
      if (h === null) return [];
      return h.keys().flatMap((k) => h.values(k).map((v): [string, string] => [k, v]));
    },
  };
}
