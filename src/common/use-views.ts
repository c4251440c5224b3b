import type { LedgerViews } from '../core/ledger';
import type { PastView } from '../engine/protocol';
import { useNow } from './ui/useNow';
import { useSnapshot } from './engine-queries';

export interface ShownViews {
  views: LedgerViews;
  /** The moment the views describe: the wall clock when live, the chosen moment in the past otherwise. */
  nowMs: number;
  past: PastView | null;
}

/** The views the pages show: live, or as of the moment chosen with the time-travel bar. */
export function useViews(): ShownViews | undefined {
  const snapshot = useSnapshot();
  const wallClock = useNow(5000);
  if (!snapshot) return undefined;
  return snapshot.past
    ? { views: snapshot.past.views, nowMs: snapshot.past.atMs, past: snapshot.past }
    : { views: snapshot.views, nowMs: wallClock, past: null };
}
