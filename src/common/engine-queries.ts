/**
 * TanStack Query holds what the engine folds (docs/architecture.md#one-engine-per-page): snapshots are pushed
 * into the cache as they arrive; nothing is ever refetched, so queries are disabled and never stale.
 */
import { useDeferredValue } from 'react';
import { QueryClient, useQuery } from '@tanstack/react-query';
import type { EngineClient } from '../engine/client';
import { applyDelta } from '../lib/structural-delta';
import type { ConnectionInfo, EngineSnapshot, ReplayProgress } from '../engine/protocol';

export const engineKeys = {
  snapshot: ['engine', 'snapshot'] as const,
  connection: ['engine', 'connection'] as const,
  progress: ['engine', 'progress'] as const,
  applied: ['engine', 'applied'] as const,
  notice: ['engine', 'notice'] as const,
};

/** How far the fold has got while the pages still show the snapshot that had folded up to `since`. */
export interface Applied {
  seq: number;
  since: number;
}

export interface Notice {
  level: 'info' | 'warning';
  message: string;
  atMs: number;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: Infinity, gcTime: Infinity, refetchOnWindowFocus: false, retry: false },
    },
  });
}

export function bindEngineToQueries(engine: EngineClient, queryClient: QueryClient): () => void {
  return engine.subscribe((message) => {
    switch (message.type) {
      case 'snapshot': {
        // The engine sends what changed since the snapshot before (docs/architecture.md#snapshots-as-changes).
        const before = queryClient.getQueryData<EngineSnapshot>(engineKeys.snapshot);
        let after: EngineSnapshot;
        try {
          after = applyDelta(before, message.delta) as EngineSnapshot;
        } catch (error) {
          console.warn(`snapshot: ${String(error)}; asking for all of it`);
          engine.snapshotLost();
          break;
        }
        queryClient.setQueryData(engineKeys.snapshot, after);
        break;
      }
      case 'connection':
        queryClient.setQueryData(engineKeys.connection, message.info);
        break;
      case 'progress':
        queryClient.setQueryData(engineKeys.progress, message.progress);
        break;
      case 'applied':
        queryClient.setQueryData<Applied>(engineKeys.applied, { seq: message.seq, since: message.since });
        break;
      case 'notice':
        queryClient.setQueryData<Notice>(engineKeys.notice, {
          level: message.level,
          message: message.message,
          atMs: Date.now(),
        });
        break;
      default:
        break;
    }
  });
}

function usePushed<T>(key: readonly string[]): T | undefined {
  return useQuery<T>({
    queryKey: key,
    queryFn: () => Promise.reject(new Error('pushed by the engine')),
    enabled: false,
  }).data;
}

/**
 * Deferred: a new snapshot is rendered as a transition, which React splits into short slices, so a big page
 * re-rendering with new figures never holds the main thread for a long task (npm run bench: longest
 * main-thread task, cold replay).
 */
export const useSnapshot = () => useDeferredValue(usePushed<EngineSnapshot>(engineKeys.snapshot));
export const useConnection = () => usePushed<ConnectionInfo>(engineKeys.connection);
export const useProgress = () => usePushed<ReplayProgress>(engineKeys.progress);
export const useApplied = () => usePushed<Applied>(engineKeys.applied);
export const useNotice = () => usePushed<Notice>(engineKeys.notice);
