/**
 * Messages between the event log page and the engine worker, which reads the stream for it over the page's
 * one connection. Requests are correlated by id; an export streams its output as progress updates before
 * its final reply; aborting a request tells the worker to stop reading.
 */
import type { EventLogFilter, EventRow } from '../core/event-log';
import type { ReadScope } from '../nats/stream-reader';

/** The part of the stream a query covers, fixed when it is first run so that pages do not shift. */
export type LogScope = ReadScope;

export type ExportFormat = 'csv' | 'jsonl';

export type EventLogRequest =
  | {
      kind: 'page';
      filter: EventLogFilter;
      /** Null opens a new scope: the stream as it is now, bounded by the filter's time range. */
      scope: LogScope | null;
      /** `older`: the newest matches before `anchor`; `newer`: the oldest matches after `anchor`. */
      direction: 'older' | 'newer';
      /** Exclusive; null = from the newest (older) or the oldest (newer) end of the scope. */
      anchor: number | null;
      limit: number;
    }
  | { kind: 'message'; seq: number }
  /** Every match of the scope, oldest first; `count` reads them all but writes nothing. */
  | { kind: 'export'; filter: EventLogFilter; scope: LogScope; format: ExportFormat | 'count' };

export interface CancelRequest {
  kind: 'cancel';
}

export interface EventPage {
  scope: LogScope;
  /** Newest first: every match in [fromSeq, toSeq]. */
  rows: EventRow[];
  fromSeq: number;
  toSeq: number;
  /** Messages of the scope's subject filter read for this page. */
  scanned: number;
  /** Type or text filters were applied while reading, so `scanned` may exceed the rows. */
  selective: boolean;
}

export interface EventDetail {
  row: EventRow;
  /** The whole payload as text. */
  payload: string;
}

export type EventLogReply =
  | { kind: 'page'; page: EventPage }
  | { kind: 'message'; detail: EventDetail | null }
  | { kind: 'export'; rows: number; scanned: number; complete: boolean }
  | { kind: 'error'; message: string };

export interface ExportProgress {
  /** The next piece of the file (empty for a count). */
  chunk: string;
  /** Totals so far. */
  rows: number;
  scanned: number;
}

export type EventLogUpdate =
  { final: true; reply: EventLogReply } | { final: false; progress: ExportProgress };

/** Page → worker. A cancel carries the id of the request it stops. */
export interface EventLogCall {
  type: 'event-log';
  requestId: number;
  request: EventLogRequest | CancelRequest;
}

/** Worker → page. */
export interface EventLogMessage {
  type: 'event-log';
  requestId: number;
  update: EventLogUpdate;
}

export interface EventLogCallOptions {
  onProgress?: (progress: ExportProgress) => void;
  /** Aborting rejects the promise with an AbortError and stops the worker's read. */
  signal?: AbortSignal;
}

function abortError(): Error {
  return new DOMException('The event log request was cancelled', 'AbortError');
}

/** The page-side half: turns requests into promises and routes the worker's updates back to them. */
export class EventLogRequests {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { onProgress?: (progress: ExportProgress) => void; settle: (reply: EventLogReply) => void }
  >();

  constructor(private readonly send: (call: EventLogCall) => void) {}

  request(request: EventLogRequest, options: EventLogCallOptions = {}): Promise<EventLogReply> {
    const { onProgress, signal } = options;
    if (signal?.aborted) return Promise.reject(abortError());
    const requestId = this.nextId++;
    return new Promise<EventLogReply>((resolve, reject) => {
      const onAbort = () => {
        this.pending.delete(requestId);
        this.send({ type: 'event-log', requestId, request: { kind: 'cancel' } });
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(requestId, {
        ...(onProgress ? { onProgress } : {}),
        settle: (reply) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(reply);
        },
      });
      this.send({ type: 'event-log', requestId, request });
    });
  }

  receive(message: EventLogMessage): void {
    const entry = this.pending.get(message.requestId);
    if (!entry) return;
    if (!message.update.final) {
      entry.onProgress?.(message.update.progress);
      return;
    }
    this.pending.delete(message.requestId);
    entry.settle(message.update.reply);
  }
}
