import { useEffect, useState } from 'react';
import { useEngine } from '../../common/engine-context';
import type { EventDetail } from '../../engine/event-log-protocol';

type Result = { seq: number; detail: EventDetail | null } | { seq: number; error: string };

/** One event read whole by sequence (rows carry only a preview of large payloads). */
export function useEventDetail(seq: number): {
  detail: EventDetail | null;
  error: string | null;
  loading: boolean;
} {
  const engine = useEngine();
  const [result, setResult] = useState<Result | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    engine
      .eventLog({ kind: 'message', seq }, { signal: abort.signal })
      .then((reply) => {
        if (reply.kind === 'message') setResult({ seq, detail: reply.detail });
        else
          setResult({
            seq,
            error: reply.kind === 'error' ? reply.message : `unexpected ${reply.kind} reply`,
          });
      })
      .catch((error: unknown) => {
        if (!abort.signal.aborted) setResult({ seq, error: String(error) });
      });
    return () => abort.abort();
  }, [engine, seq]);
  const current = result?.seq === seq ? result : null;
  return {
    detail: current && 'detail' in current ? current.detail : null,
    error: current && 'error' in current ? current.error : null,
    loading: current === null,
  };
}
