import { useEffect } from 'react';
import { useApplied, useProgress, useSnapshot } from '../common/engine-queries';

/**
 * The replay position as attributes of #root (`data-applied-seq`, `data-caught-up`), for `npm run bench` and
 * other tools that watch the page. A leaf of its own, so the per-batch progress updates re-render nothing else.
 * The applied sequence goes past the snapshot on screen when the engine says the events since changed nothing
 * it shows (docs/architecture.md#nothing-new-to-show).
 */
export function ReplayMarks() {
  const snapshot = useSnapshot();
  const applied = useApplied();
  const shownSeq = snapshot?.views.lastSeq ?? 0;
  const appliedSeq = snapshot && applied?.since === shownSeq ? Math.max(shownSeq, applied.seq) : shownSeq;
  const caughtUp = useProgress()?.caughtUp ?? false;
  const start = snapshot?.start;
  useEffect(() => {
    const root = document.getElementById('root');
    root?.setAttribute('data-applied-seq', String(appliedSeq));
    root?.setAttribute('data-caught-up', String(caughtUp));
    // Where the fold started and how many events this page replayed after it (docs/architecture.md#checkpoints).
    root?.setAttribute('data-start-from', start?.from ?? '');
    root?.setAttribute('data-start-seq', String(start?.seq ?? 0));
    root?.setAttribute('data-replayed', String(start?.folded ?? 0));
    // What the fold reads: one warehouse's subjects, or the chain's (docs/architecture.md#one-warehouse-or-the-chain).
    root?.setAttribute('data-fold-scope', start === undefined ? '' : (start.scope ?? 'chain'));
  }, [appliedSeq, caughtUp, start?.from, start?.seq, start?.folded, start?.scope]);
  return null;
}
