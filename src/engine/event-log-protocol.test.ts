import { describe, expect, it } from 'vitest';
import { EMPTY_FILTER } from '../core/event-log';
import {
  EventLogRequests,
  type EventLogCall,
  type EventLogReply,
  type EventLogRequest,
  type ExportProgress,
} from './event-log-protocol';

const pageRequest: EventLogRequest = {
  kind: 'page',
  filter: EMPTY_FILTER,
  scope: null,
  direction: 'older',
  anchor: null,
  limit: 50,
};
const error = (message: string): EventLogReply => ({ kind: 'error', message });

function setup() {
  const sent: EventLogCall[] = [];
  const requests = new EventLogRequests((call) => sent.push(call));
  return { sent, requests };
}

describe('EventLogRequests', () => {
  it('settles each request with the final reply carrying its id, whatever the order', async () => {
    const { sent, requests } = setup();
    const a = requests.request(pageRequest);
    const b = requests.request({ kind: 'message', seq: 7 });
    expect(sent.map((c) => [c.requestId, c.request.kind])).toEqual([
      [1, 'page'],
      [2, 'message'],
    ]);
    requests.receive({ type: 'event-log', requestId: 2, update: { final: true, reply: error('b') } });
    requests.receive({ type: 'event-log', requestId: 1, update: { final: true, reply: error('a') } });
    expect(await a).toEqual(error('a'));
    expect(await b).toEqual(error('b'));
  });

  it('hands progress to the caller before the final reply, and ignores updates for settled requests', async () => {
    const { requests } = setup();
    const seen: ExportProgress[] = [];
    const done = requests.request(pageRequest, { onProgress: (p) => seen.push(p) });
    const progress = { chunk: 'x', rows: 1, scanned: 2 };
    requests.receive({ type: 'event-log', requestId: 1, update: { final: false, progress } });
    requests.receive({ type: 'event-log', requestId: 1, update: { final: true, reply: error('end') } });
    requests.receive({ type: 'event-log', requestId: 1, update: { final: false, progress } });
    expect(await done).toEqual(error('end'));
    expect(seen).toEqual([progress]);
  });

  it('rejects on abort and tells the worker to stop that request', async () => {
    const { sent, requests } = setup();
    const abort = new AbortController();
    const result = requests.request(pageRequest, { signal: abort.signal });
    abort.abort();
    await expect(result).rejects.toMatchObject({ name: 'AbortError' });
    expect(sent.at(-1)).toEqual({ type: 'event-log', requestId: 1, request: { kind: 'cancel' } });
    // A reply that was already on its way is dropped.
    requests.receive({ type: 'event-log', requestId: 1, update: { final: true, reply: error('late') } });
  });

  it('does not send a request whose signal is already aborted', async () => {
    const { sent, requests } = setup();
    await expect(requests.request(pageRequest, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(sent).toEqual([]);
  });
});
