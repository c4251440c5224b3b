/**
 * The engine's side of the audit trail: reads the messages of one product subject from the stream itself
 * (a short-lived filtered ordered consumer, never the engine's memory, so the trail shows what is stored),
 * decoded and with every header, for the page to turn into a trail with core/audit.
 */
import type { StreamReaderSession } from './stream-reader-session';
import type { Decoded } from '../core/codec';
import { decodeStockMessage } from '../core/codec';
import { isToken, stockSubject, type HeaderNames } from '../core/events';
import { seqOf } from '../core/view';
import type { NatsConnection } from '../nats/connection';
import { describeNatsError } from '../nats/errors';
import { STREAMS } from '../core/resources';
import { replayStream } from '../nats/replay';

/** At most this many messages per answer; the page asks again from where it stopped. */
export const AUDIT_PAGE_LIMIT = 2000;
/** A read that has not reached the end of the subject by then is reported as failed, not left hanging. */
export const AUDIT_READ_TIMEOUT_MS = 15_000;

export interface AuditQuery {
  warehouse: string;
  product: string;
  /** First stream sequence wanted: 1 for the whole history, the last one read + 1 to follow. */
  fromSeq: number;
  /** At most this many messages (default and upper bound AUDIT_PAGE_LIMIT). */
  limit?: number;
}

export interface AuditRecord {
  decoded: Decoded;
  /** Every header in arrival order, as stored. */
  headers: [string, string][];
  /**
   * Read here, where the deployment's header names are known, so that the page need not know them: the type
   * header as published (also of a malformed message; null without one), and whether the publisher said when
   * it happened (otherwise the trail shows when the server stored it).
   */
  claimedType: string | null;
  /** The user header as published: who the publisher says recorded it; null when it names nobody. */
  claimedUser: string | null;
  hasEventTime: boolean;
  /** When the server stored it, ms since epoch. */
  streamTimestampMs: number;
}

export type AuditOutcome =
  | {
      ok: true;
      records: AuditRecord[];
      /** The subject had nothing more when the read stopped; false when the limit cut it short. */
      complete: boolean;
      /** The last sequence read, or fromSeq − 1 when there was nothing. */
      throughSeq: number;
    }
  | { ok: false; message: string };

export interface AuditRequest {
  type: 'audit-trail';
  requestId: number;
  query: AuditQuery;
}

export interface AuditResult {
  type: 'audit-trail-result';
  requestId: number;
  outcome: AuditOutcome;
}

/** Answers one request; never throws (a failure is an outcome the page can show). */
export async function handleAuditRequest(
  reader: StreamReaderSession | null,
  request: AuditRequest,
  post: (message: AuditResult) => void,
): Promise<void> {
  const outcome: AuditOutcome =
    reader === null || reader.nc.isClosed()
      ? { ok: false, message: 'Not signed in.' }
      : await readAuditRecords(reader.nc, reader.names, request.query).catch((error: unknown) => ({
          ok: false as const,
          message: describeNatsError(error),
        }));
  post({ type: 'audit-trail-result', requestId: request.requestId, outcome });
}

export async function readAuditRecords(
  nc: NatsConnection,
  names: HeaderNames,
  query: AuditQuery,
  timeoutMs = AUDIT_READ_TIMEOUT_MS,
): Promise<AuditOutcome> {
  if (!isToken(query.warehouse) || !isToken(query.product)) {
    return { ok: false, message: `"${query.warehouse}" / "${query.product}" is not a warehouse and product` };
  }
  const fromSeq = Math.max(1, Math.floor(query.fromSeq));
  const limit = Math.max(1, Math.min(query.limit ?? AUDIT_PAGE_LIMIT, AUDIT_PAGE_LIMIT));
  const records: AuditRecord[] = [];
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  let complete = false;
  try {
    for await (const batch of replayStream(nc, {
      stream: STREAMS.warehouse,
      filterSubject: stockSubject(query.warehouse, query.product),
      fromSeq,
      signal: abort.signal,
      batchSize: Math.min(limit, 500),
    })) {
      let takenAll = true;
      for (const message of batch.messages) {
        if (records.length === limit) {
          takenAll = false;
          break;
        }
        records.push({
          decoded: decodeStockMessage(message, names),
          headers: message.headerEntries(),
          claimedType: message.header(names.type) ?? null,
          claimedUser: message.header(names.user) ?? null,
          hasEventTime: (message.header(names.timestampMs) ?? '') !== '',
          streamTimestampMs: message.streamTimestampMs,
        });
      }
      if (batch.caughtUp && takenAll) {
        complete = true;
        break;
      }
      if (records.length === limit) break;
    }
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  if (timedOut) {
    return {
      ok: false,
      message: `reading the events of ${query.product} in warehouse ${query.warehouse} took longer than ${timeoutMs / 1000} s`,
    };
  }
  const last = records[records.length - 1];
  return { ok: true, records, complete, throughSeq: last ? seqOf(last.decoded) : fromSeq - 1 };
}
