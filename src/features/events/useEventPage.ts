import { useEffect, useState } from 'react';
import { useEngine } from '../../common/engine-context';
import type { EventLogFilter } from '../../core/event-log';
import type { LogScope } from '../../engine/event-log-protocol';
import { placePage, type Move, type PageView } from './paging';

/** What the list should show: a filter, and where in its scope. */
export interface PageRequest {
  filter: EventLogFilter;
  limit: number;
  move: Move;
  /** Null opens a new scope (the stream as it is now). */
  scope: LogScope | null;
  anchor: number | null;
  /** The page this move starts from, for exact positions. */
  previous: PageView | null;
}

type Result = { request: PageRequest; view: PageView } | { request: PageRequest; error: string };

/**
 * Reads the requested page through the engine. A newer request aborts the one in flight (the engine stops
 * reading); the last page stays on screen while the next one loads, so the list does not flash empty.
 */
export function useEventPage(request: PageRequest): {
  view: PageView | null;
  error: string | null;
  loading: boolean;
} {
  const engine = useEngine();
  const [result, setResult] = useState<Result | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    engine
      .eventLog(
        {
          kind: 'page',
          filter: request.filter,
          scope: request.scope,
          direction: request.move === 'older' || request.move === 'newest' ? 'older' : 'newer',
          anchor: request.anchor,
          limit: request.limit,
        },
        { signal: abort.signal },
      )
      .then((reply) => {
        if (reply.kind === 'page') {
          setResult({ request, view: placePage(request.previous, reply.page, request.move) });
        } else {
          setResult({
            request,
            error: reply.kind === 'error' ? reply.message : `unexpected ${reply.kind} reply`,
          });
        }
      })
      .catch((error: unknown) => {
        if (!abort.signal.aborted) setResult({ request, error: String(error) });
      });
    return () => abort.abort();
  }, [engine, request]);
  const current = result?.request === request ? result : null;
  return {
    view: result && 'view' in result ? result.view : null,
    error: current && 'error' in current ? current.error : null,
    loading: current === null,
  };
}
