import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { useEngine } from '../../common/engine-context';
import { AuditSource, type AuditSourceState } from './audit-source';

/**
 * The stored messages of one product subject while a trail is open. `seenSeq` is the subject's last sequence
 * as the engine's live tail knows it: when it moves, the new messages are read from the stream.
 */
export function useAuditRecords(
  warehouse: string,
  product: string,
  seenSeq: number,
): { state: AuditSourceState; retry: () => void } {
  const engine = useEngine();
  const source = useMemo(
    () => new AuditSource((query) => engine.auditTrail(query), warehouse, product),
    [engine, warehouse, product],
  );
  useEffect(() => {
    source.resume();
    return () => source.close();
  }, [source]);
  useEffect(() => {
    source.want(seenSeq);
  }, [source, seenSeq]);
  const state = useSyncExternalStore(source.subscribe, source.getState);
  return { state, retry: () => source.retry() };
}
