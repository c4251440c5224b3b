/**
 * Filling WAREHOUSE_EVENTS fast. Measured here for 200k events (2 cores, shared): awaited JetStream publishes
 * with 5,000 promises raced ~9k events/s; core publishes with a reply subject, acks counted by one subscription
 * and at most 20,000 unanswered, ~44k/s — the same as fire-and-forget core publishes waiting for the stream's
 * last sequence (~46k/s), but every event is acknowledged and a refused one is seen. The rest is the client's
 * encoding (UUID, headers), which runs on the same core as the server's ingest.
 */
import { randomUUID } from 'node:crypto';
import { createInbox, headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
import { encodeStockEvent } from '../../src/core/codec';
import type { DemoEvent } from '../../src/core/demo-history';
import { STREAMS } from '../../src/core/resources';
import { inboxPrefixFor } from '../../src/nats/names';
import { streamState } from '../../src/nats/replay';
import { InFlight } from './window';
import { TEST_HEADER_NAMES } from '../../src/core/testing';

const UNANSWERED = 20_000;
const OPEN_BRACE_QUOTE_E = [0x7b, 0x22, 0x65]; // `{"e` — a JetStream error reply starts `{"error"`

export interface FillResult {
  ms: number;
  lastSeq: number;
}

/**
 * Publishes every event with the contract's headers (ids are fresh UUIDs, times from the history) into an
 * empty stream and checks that it then holds exactly that many messages.
 */
export async function fillStream(
  nc: NatsConnection,
  events: readonly DemoEvent[],
  user: string,
  onProgress: (done: number) => void = () => undefined,
): Promise<FillResult> {
  const utf8 = new TextEncoder();
  const inbox = createInbox(inboxPrefixFor(user));
  const window = new InFlight(UNANSWERED);
  let answered = 0;
  const refused: string[] = [];
  const acks = nc.subscribe(`${inbox}.*`, {
    callback: (error, m) => {
      window.release();
      answered++;
      if (answered % 100_000 === 0) onProgress(answered);
      if (error) refused.push(error.message);
      else if (m.data.length === 0 || OPEN_BRACE_QUOTE_E.every((b, i) => m.data[i] === b)) {
        // An empty reply is a status (no responders: the stream is missing); the rest say why.
        refused.push(m.data.length === 0 ? `status ${m.headers?.code ?? '?'}` : m.string());
      }
    },
  });
  const started = performance.now();
  const reply = `${inbox}.a`;
  try {
    for (const item of events) {
      const encoded = encodeStockEvent(item.warehouse, item.event, {
        names: TEST_HEADER_NAMES,
        user: 'admin',
        id: randomUUID(),
        timestampMs: item.timestampMs,
      });
      const h = natsHeaders();
      for (const [name, value] of Object.entries(encoded.headers)) h.append(name, value);
      await window.acquire();
      nc.publish(encoded.subject, utf8.encode(encoded.payload), { headers: h, reply });
      if (refused.length > 0) break;
    }
    await window.drain();
  } finally {
    acks.unsubscribe();
  }
  const ms = performance.now() - started;
  if (refused.length > 0) throw new Error(`the server refused events: ${refused.slice(0, 3).join('; ')}`);
  const state = await streamState(nc, STREAMS.warehouse);
  if (state.messages !== events.length) {
    throw new Error(`the stream holds ${state.messages} messages after publishing ${events.length}`);
  }
  return { ms, lastSeq: state.lastSeq };
}
