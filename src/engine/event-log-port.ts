/**
 * The engine worker's side of the event log: answers page, message and export requests by reading the
 * stream over the worker's connection with short-lived reads of its own (never the replay the views are
 * folded from). Every message is decoded with the same codec as the views, so a row says exactly why a
 * reader skipped it.
 */
import type { StreamReaderSession } from './stream-reader-session';
import { decodeStockMessage } from '../core/codec';
import {
  CSV_HEADER,
  csvLine,
  eventRow,
  filterProblems,
  jsonLine,
  needsScan,
  payloadText,
  selectorFor,
  subjectFilterFor,
  type EventLogFilter,
  type EventRow,
  type LoggedMessage,
} from '../core/event-log';
import type { HeaderNames } from '../core/events';
import type { NatsConnection } from '../nats/connection';
import { describeNatsError } from '../nats/errors';
import { STREAMS } from '../core/resources';
import type { StreamMessage } from '../nats/raw-message';
import { getMessage, openScope, readForward, readNewer, readOlder } from '../nats/stream-reader';
import type {
  EventLogCall,
  EventLogMessage,
  EventLogReply,
  EventLogRequest,
  ExportFormat,
  LogScope,
} from './event-log-protocol';

export type {
  EventLogCall,
  EventLogMessage,
  EventLogReply,
  EventLogRequest,
  EventLogUpdate,
  EventPage,
  EventDetail,
  ExportProgress,
  LogScope,
} from './event-log-protocol';

/**
 * Messages one page request reads at most when type or text filters drop most of them: about half a second in
 * a browser at the measured ~40k events/s (docs/platform-notes.md#replay-speed-in-chromium), then the page
 * says how far it got.
 */
export const SCAN_BUDGET = 20_000;
/** Rows a page may ask for: the list is virtualised, but a page still crosses to the page in one message. */
export const MAX_PAGE_ROWS = 1000;

const running = new Map<number, AbortController>();

function logged(m: StreamMessage): LoggedMessage {
  return {
    seq: m.seq,
    subject: m.subject,
    storedMs: m.streamTimestampMs,
    headers: m.headerEntries(),
    data: m.data,
  };
}

/** Decodes a message, applies the type and text filters, and makes a row of what passes. */
function selectRows(
  filter: EventLogFilter,
  names: HeaderNames,
): (m: StreamMessage) => { row: EventRow; text: () => string } | undefined {
  const selects = selectorFor(filter);
  return (m) => {
    const decoded = decodeStockMessage(m, names);
    let text: string | undefined;
    const readText = () => (text ??= payloadText(m.data));
    if (!selects(decoded, m.header(names.type), readText, () => m.headerEntries())) return undefined;
    return { row: eventRow(logged(m), decoded, names), text: readText };
  };
}

export async function handleEventLogRequest(
  reader: StreamReaderSession | null,
  call: EventLogCall,
  post: (message: EventLogMessage) => void,
): Promise<void> {
  const { requestId, request } = call;
  if (request.kind === 'cancel') {
    running.get(requestId)?.abort();
    return;
  }
  const reply = (r: EventLogReply) =>
    post({ type: 'event-log', requestId, update: { final: true, reply: r } });
  if (!reader || reader.nc.isClosed()) {
    reply({ kind: 'error', message: 'Not signed in: the event log reads through the signed-in connection.' });
    return;
  }
  const { nc, names } = reader;
  const abort = new AbortController();
  running.set(requestId, abort);
  try {
    reply(await answer(nc, names, request, abort.signal, requestId, post));
  } catch (error) {
    reply({ kind: 'error', message: describeNatsError(error) });
  } finally {
    running.delete(requestId);
  }
}

async function answer(
  nc: NatsConnection,
  names: HeaderNames,
  request: EventLogRequest,
  signal: AbortSignal,
  requestId: number,
  post: (message: EventLogMessage) => void,
): Promise<EventLogReply> {
  switch (request.kind) {
    case 'page': {
      const { filter, direction, anchor } = request;
      const problems = filterProblems(filter);
      if (problems.length > 0) return { kind: 'error', message: problems.join('; ') };
      const limit = Math.max(1, Math.min(MAX_PAGE_ROWS, Math.floor(request.limit)));
      const scope = request.scope ?? (await openScope(nc, scopeOptions(filter)));
      const select = selectRows(filter, names);
      const selective = needsScan(filter);
      const common = {
        stream: scope.stream,
        filterSubject: scope.filterSubject,
        limit,
        budget: selective ? SCAN_BUDGET : limit,
        selective,
        select: (m: StreamMessage) => select(m)?.row,
        densityHint: scope.matching / Math.max(1, scope.highSeq - scope.lowSeq + 1),
        signal,
      };
      const read =
        direction === 'older'
          ? await readOlder(nc, { ...common, before: anchor ?? scope.highSeq + 1, lowSeq: scope.lowSeq })
          : await readNewer(nc, { ...common, after: anchor ?? scope.lowSeq - 1, highSeq: scope.highSeq });
      return {
        kind: 'page',
        page: {
          scope,
          rows: read.items,
          fromSeq: read.fromSeq,
          toSeq: read.toSeq,
          scanned: read.scanned,
          selective,
        },
      };
    }
    case 'message': {
      const m = await getMessage(nc, STREAMS.warehouse, request.seq);
      if (m === null) return { kind: 'message', detail: null };
      const decoded = decodeStockMessage(m, names);
      return {
        kind: 'message',
        detail: { row: eventRow(logged(m), decoded, names), payload: payloadText(m.data) },
      };
    }
    case 'export':
      return exportScope(nc, names, request.filter, request.scope, request.format, signal, (progress) =>
        post({ type: 'event-log', requestId, update: { final: false, progress } }),
      );
  }
}

function scopeOptions(filter: EventLogFilter) {
  return {
    stream: STREAMS.warehouse,
    filterSubject: subjectFilterFor(filter),
    fromMs: filter.fromMs,
    untilMs: filter.untilMs,
  };
}

/**
 * Reads the whole scope oldest first and hands the file over in pieces, one per batch read, so that the
 * page can assemble it as Blob parts and show progress while a million events go by.
 */
async function exportScope(
  nc: NatsConnection,
  names: HeaderNames,
  filter: EventLogFilter,
  scope: LogScope,
  format: ExportFormat | 'count',
  signal: AbortSignal,
  progress: (p: { chunk: string; rows: number; scanned: number }) => void,
): Promise<EventLogReply> {
  const problems = filterProblems(filter);
  if (problems.length > 0) return { kind: 'error', message: problems.join('; ') };
  const select = selectRows(filter, names);
  let rows = 0;
  let scanned = 0;
  if (format === 'csv') progress({ chunk: CSV_HEADER, rows, scanned });
  for await (const batch of readForward(nc, {
    stream: scope.stream,
    filterSubject: scope.filterSubject,
    fromSeq: scope.lowSeq,
    toSeq: scope.highSeq,
    signal,
  })) {
    let chunk = '';
    for (const m of batch) {
      scanned += 1;
      const hit = select(m);
      if (!hit) continue;
      rows += 1;
      if (format === 'csv') chunk += csvLine(hit.row, hit.text());
      else if (format === 'jsonl') chunk += jsonLine(hit.row, hit.text());
    }
    if (signal.aborted) break;
    progress({ chunk, rows, scanned });
  }
  return { kind: 'export', rows, scanned, complete: !signal.aborted };
}
