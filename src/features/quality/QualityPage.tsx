import { newestIssues, reasonCounts } from '../../core/data-quality';
import type { FoldStart } from '../../engine/protocol';
import { useEngine } from '../../common/engine-context';
import { useSnapshot } from '../../common/engine-queries';
import { formatCount } from '../../common/ui/format';
import { useViewInterest } from '../../common/use-view-interest';
import { NO_INTEREST } from '../../core/view-interest';

const KIND_TEXT = {
  malformed: 'Malformed',
  unknown: 'Unknown type',
  duplicate: 'Duplicate id',
  refused: 'Refused undo',
} as const;

/** What the readers could not use, counted exactly and listed with the reason: nothing disappears silently. */
export function QualityPage() {
  const snapshot = useSnapshot();
  // The whole stream's: a page about one warehouse folds that warehouse's subjects alone.
  useViewInterest({ ...NO_INTEREST, quality: true });
  if (!snapshot) return <div className="empty-state">Waiting for the first events…</div>;
  const quality = snapshot.views.quality;
  const issues = newestIssues(quality, 200);
  return (
    <section className="page" aria-label="Data quality">
      <div className="toolbar">
        <h2>Data quality</h2>
        <div className="spacer" />
        <div className="kpis">
          <div className="kpi">
            <div className="label">Events applied</div>
            <div className="value" data-testid="applied-count">
              {formatCount(snapshot.views.applied)}
            </div>
          </div>
          {(Object.keys(KIND_TEXT) as (keyof typeof KIND_TEXT)[]).map((kind) => (
            <div className="kpi" key={kind}>
              <div className="label">{KIND_TEXT[kind]} (skipped)</div>
              <div
                className={`value ${quality.byKind[kind] > 0 ? 'mismatch' : ''}`}
                data-testid={`quality-${kind}`}
              >
                {formatCount(quality.byKind[kind])}
              </div>
            </div>
          ))}
        </div>
      </div>
      <div className="grid-2" style={{ gridTemplateColumns: 'minmax(0, 1fr) minmax(0, 3fr)' }}>
        <section className="panel" aria-label="By reason">
          <header>
            <h3>By reason</h3>
          </header>
          <table className="data">
            <tbody>
              {reasonCounts(quality).map(({ reason, count }) => (
                <tr key={reason}>
                  <td className="mono">{reason}</td>
                  <td className="num">{formatCount(count)}</td>
                </tr>
              ))}
              {quality.total === 0 && (
                <tr>
                  <td className="empty-state">Every event so far was well-formed.</td>
                </tr>
              )}
            </tbody>
          </table>
          <FoldOrigin start={snapshot.start} />
        </section>
        <section className="panel" aria-label="Skipped events">
          <header>
            <h3>Skipped events</h3>
            <span className="hint">
              newest first; shown {issues.length} of {formatCount(quality.total)}
            </span>
          </header>
          <div style={{ maxHeight: 520, overflow: 'auto' }}>
            <table className="data" aria-label="Skipped events">
              <thead>
                <tr>
                  <th className="num">Sequence</th>
                  <th>Kind</th>
                  <th>Subject</th>
                  <th>Reason</th>
                </tr>
              </thead>
              <tbody>
                {issues.map((issue) => (
                  <tr key={`${issue.seq}`} data-seq={issue.seq}>
                    <td className="num">#{issue.seq}</td>
                    <td>{KIND_TEXT[issue.kind]}</td>
                    <td className="mono">{issue.subject}</td>
                    <td style={{ whiteSpace: 'normal' }}>{issue.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </div>
    </section>
  );
}

const START_TEXT: Record<FoldStart['from'], string> = {
  stream: 'Read from the stream, from sequence 1',
  saved: 'Started from the views saved in this browser',
  checkpoint: 'Started from the shared checkpoint',
};

/**
 * Where this page's figures were folded from, and the way back to a fold of the whole stream when a saved
 * copy or a shared checkpoint is in doubt (docs/architecture.md#checkpoints).
 */
function FoldOrigin({ start }: { start: FoldStart }) {
  const engine = useEngine();
  return (
    <div className="fold-origin" aria-label="Where the figures come from">
      <p data-testid="fold-start" data-from={start.from} data-seq={start.seq} data-replayed={start.folded}>
        {START_TEXT[start.from]}
        {start.from === 'stream' ? '' : ` at #${formatCount(start.seq)}`}; {formatCount(start.folded)} events
        replayed since.
      </p>
      <button type="button" onClick={() => engine.rebuild()}>
        Rebuild from the stream
      </button>
    </div>
  );
}
