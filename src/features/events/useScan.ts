import { saveFile } from '../../common/ui/save-file';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useEngine } from '../../common/engine-context';
import type { EventLogFilter } from '../../core/event-log';
import type { ExportFormat, LogScope } from '../../engine/event-log-protocol';
import { ExportParts, exportFileName } from './export-file';

export type ScanKind = ExportFormat | 'count';

/** Which query a scan read: its filter and scope, so a result is never shown beside another query. */
export function scanKey(filter: EventLogFilter, scope: LogScope): string {
  return JSON.stringify([filter, scope]);
}

type Of = { kind: ScanKind; key: string };
export type ScanState =
  | { phase: 'idle' }
  | (Of & { phase: 'running'; rows: number; scanned: number; matching: number })
  | (Of & { phase: 'done'; rows: number; scanned: number; file: { name: string; url: string } | null })
  | (Of & { phase: 'cancelled'; rows: number; scanned: number })
  | (Of & { phase: 'failed'; message: string });

/** The previous file's object URL is let go when a new scan starts or the page closes. */
function revoke(ref: { current: string | null }): void {
  if (ref.current !== null) URL.revokeObjectURL(ref.current);
  ref.current = null;
}

/**
 * Reads every match of a scope through the engine: into a file (CSV / JSON lines) assembled from Blob parts
 * as they arrive, or only to count them. One at a time; cancellable.
 */
export function useScan(): {
  state: ScanState;
  start: (kind: ScanKind, filter: EventLogFilter, scope: LogScope) => void;
  cancel: () => void;
} {
  const engine = useEngine();
  const [state, setState] = useState<ScanState>({ phase: 'idle' });
  const abortRef = useRef<AbortController | null>(null);
  const urlRef = useRef<string | null>(null);

  useEffect(
    () => () => {
      abortRef.current?.abort();
      revoke(urlRef);
    },
    [],
  );

  const start = useCallback(
    (kind: ScanKind, filter: EventLogFilter, scope: LogScope) => {
      abortRef.current?.abort();
      revoke(urlRef);
      const abort = new AbortController();
      abortRef.current = abort;
      const parts = new ExportParts();
      const of = { kind, key: scanKey(filter, scope) };
      let last = { rows: 0, scanned: 0 };
      setState({ phase: 'running', ...of, rows: 0, scanned: 0, matching: scope.matching });
      engine
        .eventLog(
          { kind: 'export', filter, scope, format: kind },
          {
            signal: abort.signal,
            onProgress: (p) => {
              parts.add(p.chunk);
              last = { rows: p.rows, scanned: p.scanned };
              setState({
                phase: 'running',
                ...of,
                rows: p.rows,
                scanned: p.scanned,
                matching: scope.matching,
              });
            },
          },
        )
        .then((reply) => {
          if (reply.kind === 'error') {
            setState({ phase: 'failed', ...of, message: reply.message });
            return;
          }
          if (reply.kind !== 'export' || !reply.complete) {
            setState({ phase: 'cancelled', ...of, ...last });
            return;
          }
          let file: { name: string; url: string } | null = null;
          if (kind !== 'count') {
            const url = URL.createObjectURL(parts.toBlob(kind));
            urlRef.current = url;
            file = { name: exportFileName(filter, kind, Date.now()), url };
            saveFile(file.name, file.url);
          }
          setState({ phase: 'done', ...of, rows: reply.rows, scanned: reply.scanned, file });
        })
        .catch((error: unknown) => {
          if (abort.signal.aborted) setState({ phase: 'cancelled', ...of, ...last });
          else setState({ phase: 'failed', ...of, message: String(error) });
        });
    },
    [engine],
  );

  const cancel = useCallback(() => abortRef.current?.abort(), []);
  return { state, start, cancel };
}
