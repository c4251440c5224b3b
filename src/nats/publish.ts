/**
 * Publishing events to JetStream and reporting the outcome as data: callers branch on `kind` and show
 * `message`; nothing here throws for a refused or invalid event.
 */
import { headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
import {
  encodeStockEvent,
  encodeStockLow,
  parsePayload,
  stockEventFromPayload,
  type EncodedMessage,
} from '../core/codec';
import {
  MAX_PAYLOAD_BYTES,
  tokenProblem,
  type HeaderNames,
  type StockEvent,
  type StockLow,
} from '../core/events';
import { classifyNatsError } from './errors';
import { jetStreamOf } from './jetstream-api';

export type PublishFailureKind = 'conflict' | 'permission' | 'no_stream' | 'timeout' | 'invalid' | 'other';

export type PublishResult =
  | { ok: true; seq: number; duplicate: boolean; stream: string }
  | { ok: false; kind: PublishFailureKind; message: string; actualSeq?: number };

export interface PublishEventOptions {
  /** Event id: becomes `<prefix>_msg_id` and `Nats-Msg-Id`, so a retry with the same id is stored once. */
  id: string;
  /** When it happened, ms since epoch. */
  timestampMs: number;
  /** Refuse unless the product's subject is at this sequence (0 = no event yet). */
  expectedLastSubjectSeq?: number;
  /** The deployment's event header names (docs/architecture.md#subjects-and-headers). */
  names: HeaderNames;
  /** The user this connection signed in as, written as the `<prefix>_user` header (docs/architecture.md#who-did-it). */
  user: string;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5000;
const utf8 = new TextEncoder();

function invalid(message: string): PublishResult {
  return { ok: false, kind: 'invalid', message };
}

function optionsProblem(options: PublishEventOptions): string | undefined {
  // Header values travel in a text protocol: no spaces or control characters.
  if (!/^[\x21-\x7e]{1,200}$/.test(options.id)) {
    return `event id "${options.id.slice(0, 40)}" must be 1 to 200 printable characters without spaces`;
  }
  if (!/^[\x21-\x7e]{1,64}$/.test(options.user)) {
    return `user "${options.user.slice(0, 40)}" must be 1 to 64 printable characters without spaces`;
  }
  if (!Number.isFinite(options.timestampMs) || options.timestampMs < 0) {
    return `timestamp ${options.timestampMs} is not milliseconds since epoch`;
  }
  const expected = options.expectedLastSubjectSeq;
  if (expected !== undefined && (!Number.isSafeInteger(expected) || expected < 0)) {
    return `expected sequence ${expected} must be a whole number, zero or more`;
  }
  return undefined;
}

/**
 * Publishes one stock event on `warehouse.<warehouse>.product.<product>` with the contract's headers.
 * The event is checked the way readers will check it, so what we publish never decodes as malformed.
 */
export async function publishStockEvent(
  nc: NatsConnection,
  warehouse: string,
  event: StockEvent,
  options: PublishEventOptions,
): Promise<PublishResult> {
  const problem =
    tokenProblem('warehouse', warehouse) ??
    tokenProblem('product', event.product_name) ??
    optionsProblem(options);
  if (problem) return invalid(problem);
  const encoded = encodeStockEvent(warehouse, event, options);
  const bytes = utf8.encode(encoded.payload);
  // Also refuses payloads above MAX_PAYLOAD_BYTES, which readers would classify as oversized.
  const body = parsePayload(bytes);
  if (!body.ok) return invalid(body.error.message);
  const checked = stockEventFromPayload(event.type, body.value, event.product_name);
  if (!checked.ok) return invalid(checked.error.message);
  return send(nc, encoded, bytes, options);
}

/** Publishes a `stock.low` event on `procurement.<warehouse>.product.<product>` (the notifier's output). */
export async function publishStockLow(
  nc: NatsConnection,
  low: StockLow,
  options: Omit<PublishEventOptions, 'expectedLastSubjectSeq'>,
): Promise<PublishResult> {
  const problem =
    tokenProblem('warehouse', low.warehouse) ??
    tokenProblem('product', low.product_name) ??
    (Number.isSafeInteger(low.quantity) ? undefined : `quantity ${low.quantity} is not a whole number`) ??
    (Number.isSafeInteger(low.threshold) && low.threshold >= 0
      ? undefined
      : `threshold ${low.threshold} must be a whole number, zero or more`) ??
    optionsProblem(options);
  if (problem) return invalid(problem);
  const encoded = encodeStockLow(low, options);
  const bytes = utf8.encode(encoded.payload);
  if (bytes.byteLength > MAX_PAYLOAD_BYTES) {
    return invalid(`payload is ${bytes.byteLength} bytes; at most ${MAX_PAYLOAD_BYTES} are allowed`);
  }
  return send(nc, encoded, bytes, options);
}

/**
 * Publishes arbitrary bytes and headers to a stream subject, unchecked: for tests and tools that need
 * events our publishers would never produce (malformed JSON, missing headers, foreign publishers).
 */
export async function publishRaw(
  nc: NatsConnection,
  subject: string,
  data: Uint8Array | string,
  headers: ReadonlyArray<readonly [string, string]> = [],
  options: { timeoutMs?: number } = {},
): Promise<PublishResult> {
  if (!/^[^\s.*>]+(\.[^\s.*>]+)*$/.test(subject)) {
    return invalid(
      `subject "${subject}" is not a valid publish subject (no spaces, wildcards or empty tokens)`,
    );
  }
  return send(
    nc,
    { subject, headers: headers.map(([k, v]) => [k, v] as [string, string]) },
    typeof data === 'string' ? utf8.encode(data) : data,
    options,
  );
}

async function send(
  nc: NatsConnection,
  message: Pick<EncodedMessage, 'subject'> & { headers: Record<string, string> | [string, string][] },
  payload: Uint8Array,
  options: { timeoutMs?: number; expectedLastSubjectSeq?: number },
): Promise<PublishResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const h = natsHeaders();
  try {
    const pairs = Array.isArray(message.headers) ? message.headers : Object.entries(message.headers);
    for (const [name, value] of pairs) h.append(name, value);
  } catch (err) {
    return invalid(`bad header: ${(err as Error).message}`);
  }
  try {
    const ack = await jetStreamOf(nc, { timeout: timeoutMs }).publish(message.subject, payload, {
      headers: h,
      timeout: timeoutMs,
      ...(options.expectedLastSubjectSeq !== undefined
        ? { expect: { lastSubjectSequence: options.expectedLastSubjectSeq } }
        : {}),
    });
    return { ok: true, seq: ack.seq, duplicate: ack.duplicate, stream: ack.stream };
  } catch (err) {
    const c = classifyNatsError(err, { subject: message.subject });
    switch (c.kind) {
      case 'permission':
      case 'no_stream':
        return { ok: false, kind: c.kind, message: c.message };
      case 'conflict':
        return c.actualSeq === undefined
          ? { ok: false, kind: 'conflict', message: c.message }
          : { ok: false, kind: 'conflict', message: c.message, actualSeq: c.actualSeq };
      case 'timeout':
        return {
          ok: false,
          kind: 'timeout',
          message: `No acknowledgement within ${timeoutMs} ms: the event may or may not be stored; retrying with the same id is safe.`,
        };
      default:
        return { ok: false, kind: 'other', message: c.message };
    }
  }
}
