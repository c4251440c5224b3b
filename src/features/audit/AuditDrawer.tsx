import { Fragment, useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { AuditLine, AuditScope, AuditTrail } from '../../core/audit';
import { isReversible, stockSubject } from '../../core/events';
import { UndoForm } from '../../common/ui/UndoForm';
import { BUCKETS } from '../../core/resources';
import { lastSubjectSeq, productStock } from '../../core/warehouse-stock';
import type { LedgerViews } from '../../core/ledger';
import { seqOf } from '../../core/view';
import { useSnapshot } from '../../common/engine-queries';
import { useViews } from '../../common/use-views';
import type { TrailPanelProps } from '../../common/trail-panel';
import { RECORDED_BY_NOTE, recordedBy } from '../../common/ui/recorded-by';
import { formatCount, formatTime } from '../../common/ui/format';
import type { AuditRecord } from '../../engine/audit-port';
import type { AuditSourceState } from './audit-source';
import { effectText, eventText, scopeTitle, shortId } from './audit-text';
import { CorrectionForm } from './CorrectionForm';
import { trailAsShown } from './trail-as-shown';
import { useAuditRecords } from './useAuditRecords';
import { NO_INTEREST } from '../../core/view-interest';
import { useViewInterest } from '../../common/use-view-interest';

/** Lines drawn at first; older ones on request, so a product with years of events opens at once. */
const PAGE_LINES = 300;

/**
 * "Why is this number what it is?": the product's events read from the stream, each with its effect and the
 * balance after it, ending at the number on the page. A side panel that leaves the page usable beside it.
 */
export function AuditDrawer({ scope, canCorrect, bucket, onClose }: TrailPanelProps) {
  const { warehouse, product, location } = scope;
  useViewInterest({ ...NO_INTEREST, stock: [warehouse] });
  const live = useSnapshot()?.views;
  const shown = useViews();
  const liveSeq = live ? lastSubjectSeq(live.stock, warehouse, product) : 0;
  const { state, retry } = useAuditRecords(warehouse, product, liveSeq);
  const views = shown?.views;
  const past = shown?.past ?? null;
  const trail = useTrail(state.records, scope, views, past !== null);
  const [correcting, setCorrecting] = useState(false);
  const [undoing, setUndoing] = useState<number | null>(null);
  const mayUndo = canCorrect && !past && live !== undefined;
  const [onlyChanges, setOnlyChanges] = useState(false);
  const [limit, setLimit] = useState(PAGE_LINES);
  const titleId = useId();
  const drawerRef = useBelowPageTop();

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const headersBySeq = useMemo(
    () => new Map(state.records.map((r) => [seqOf(r.decoded), r] as const)),
    [state.records],
  );
  const lines = onlyChanges ? trail.lines.filter((l) => l.effect.delta !== 0) : trail.lines;
  const visible = lines.slice(-limit);
  // The newest line stays in view as lines arrive, unless the user has scrolled up to read older ones.
  const scrollRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [trail.lastSeq]);
  const onScroll = () => {
    const el = scrollRef.current;
    if (el) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
  };

  return (
    <aside
      className="audit-drawer"
      ref={drawerRef}
      role="dialog"
      aria-modal="false"
      aria-labelledby={titleId}
    >
      <header className="audit-head">
        <div>
          <div className="audit-eyebrow">Why is this number what it is? · warehouse {warehouse}</div>
          <h3 id={titleId}>{scopeTitle(scope)}</h3>
        </div>
        <div className="audit-figure" data-testid="audit-balance" title="The balance after the last line">
          {state.loading ? '…' : formatCount(trail.balance)}
        </div>
        <button type="button" className="audit-close" onClick={onClose} aria-label="Close the audit trail">
          ×
        </button>
      </header>

      {past && (
        <p className="audit-past" data-testid="audit-past">
          As of {formatTime(past.atMs)}: events up to #{views?.lastSeq ?? 0} only.
        </p>
      )}
      <Verdict state={state} trail={trail} views={views} retry={retry} />
      {bucket && (
        <p className="audit-note muted">
          The <code>{BUCKETS.stockLevels}</code> bucket says{' '}
          {bucket.quantity === null ? '—' : formatCount(bucket.quantity)}
          {bucket.seq === null ? '' : ` as of event #${bucket.seq}`}.
        </p>
      )}

      <div className="audit-tools">
        <span className="muted" data-testid="audit-counts">
          {describeCounts(trail)}
        </span>
        <label className="inline">
          <input type="checkbox" checked={onlyChanges} onChange={(e) => setOnlyChanges(e.target.checked)} />{' '}
          Only lines that change it
        </label>
        {canCorrect && !past && live && !correcting && (
          <button type="button" className="primary" onClick={() => setCorrecting(true)}>
            Correct this
          </button>
        )}
      </div>
      {correcting && live && !past && (
        <CorrectionForm
          scope={scope}
          stock={live.stock}
          trailSeq={trail.lastSeq}
          onCancel={() => setCorrecting(false)}
        />
      )}

      <div className="audit-scroll" ref={scrollRef} onScroll={onScroll}>
        {lines.length > visible.length && (
          <button type="button" className="audit-earlier" onClick={() => setLimit((n) => n + PAGE_LINES)}>
            Show {formatCount(Math.min(PAGE_LINES, lines.length - visible.length))} earlier lines (
            {formatCount(lines.length - visible.length)} not shown)
          </button>
        )}
        {!state.loading && trail.lines.length === 0 && (
          <div className="empty-state">
            No event on <code>{stockSubject(warehouse, product)}</code> yet.
          </div>
        )}
        {visible.length > 0 && (
          <table className="data audit-table" aria-label="Audit trail">
            <colgroup>
              <col className="audit-col-when" />
              <col />
              <col />
              <col className="audit-col-balance" />
              <col className="audit-col-who" />
            </colgroup>
            <thead>
              <tr>
                <th>Event #, time</th>
                <th>What happened</th>
                <th>{location === null ? 'Effect on the total' : 'Effect here'}</th>
                <th className="num">Balance</th>
                <th>Published with</th>
              </tr>
            </thead>
            <tbody>
              {visible.map((line) => (
                <Fragment key={line.seq}>
                  <Line
                    line={line}
                    scope={scope}
                    record={headersBySeq.get(line.seq)}
                    newest={line.seq === trail.lastSeq}
                    onUndo={mayUndo && undoable(line) ? () => setUndoing(line.seq) : null}
                    onGoTo={(seq) => goToLine(scrollRef.current, seq)}
                  />
                  {undoing === line.seq && live && line.id !== null && (
                    <tr className="audit-undo-row">
                      <td colSpan={5}>
                        <UndoForm
                          warehouse={warehouse}
                          product={product}
                          eventId={line.id}
                          summary={`#${line.seq}: ${eventText(line)}`}
                          onClose={() => setUndoing(null)}
                        />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </aside>
  );
}

/** The trail of what the page shows: up to the past moment's last sequence when looking at the past. */
function useTrail(
  records: readonly AuditRecord[],
  scope: AuditScope,
  views: LedgerViews | undefined,
  inPast: boolean,
): AuditTrail {
  const { warehouse, product, location } = scope;
  const quality = views?.quality;
  const untilSeq = inPast ? (views?.lastSeq ?? 0) : Number.POSITIVE_INFINITY;
  return useMemo(
    () => trailAsShown(records, { warehouse, product, location }, quality, untilSeq),
    [records, warehouse, product, location, quality, untilSeq],
  );
}

/** Whether the trail ends at the number the page shows, said plainly; a disagreement is never hidden. */
function Verdict({
  state,
  trail,
  views,
  retry,
}: {
  state: AuditSourceState;
  trail: AuditTrail;
  views: LedgerViews | undefined;
  retry: () => void;
}) {
  const { warehouse, product, location } = trail.scope;
  if (state.error !== null) {
    return (
      <div className="audit-verdict bad" role="alert">
        Could not read the events: {state.error}{' '}
        <button type="button" onClick={retry}>
          Try again
        </button>
      </div>
    );
  }
  if (state.loading || !views) {
    return <div className="audit-verdict muted">Reading the events of {product} from the stream…</div>;
  }
  const pageSeq = lastSubjectSeq(views.stock, warehouse, product);
  const stock = productStock(views.stock, warehouse, product);
  const onPage = location === null ? stock?.total : stock?.locations.get(location)?.quantity;
  if (trail.lastSeq < pageSeq) {
    return <div className="audit-verdict muted">Reading event #{pageSeq} from the stream…</div>;
  }
  if (trail.lastSeq > pageSeq) {
    return (
      <div className="audit-verdict muted">
        The stream has event #{trail.lastSeq}; the page has folded up to #{pageSeq} and will follow.
      </div>
    );
  }
  const shownText = onPage === undefined ? '· (never stocked here)' : formatCount(onPage);
  if (trail.balance === (onPage ?? 0)) {
    return (
      <div className="audit-verdict ok" data-testid="audit-verdict">
        ✓ Ends at {formatCount(trail.balance)}, the number the page shows{onPage === undefined ? ' as ·' : ''}
        .
      </div>
    );
  }
  return (
    <div className="audit-verdict bad" role="alert" data-testid="audit-verdict">
      ✗ The trail ends at {formatCount(trail.balance)} but the page shows {shownText}, both through event #
      {pageSeq}. The page and this trail disagree on which copies count; reload the page and report it.
    </div>
  );
}

/** A counted event a reversal may take back, and none has yet (docs/architecture.md#undo). */
function undoable(line: AuditLine): boolean {
  return (
    line.status === 'counted' &&
    line.event !== null &&
    isReversible(line.event) &&
    line.undoneBy === undefined
  );
}

/** Brings a line into view and to the keyboard, so an undo and the event it took back read as a pair. */
function goToLine(scroller: HTMLElement | null, seq: number): void {
  const row = scroller?.querySelector<HTMLTableRowElement>(`tr[data-seq="${seq}"]`);
  if (!row) return;
  row.scrollIntoView({ block: 'center' });
  row.focus();
}

function describeCounts(trail: AuditTrail): string {
  const { counted, duplicate, malformed, unknown_type, refused } = trail.counts;
  const parts = [`${formatCount(counted)} counted`];
  if (duplicate > 0) parts.push(`${formatCount(duplicate)} duplicate${duplicate === 1 ? '' : 's'}`);
  if (refused > 0) parts.push(`${formatCount(refused)} refused undo${refused === 1 ? '' : 's'}`);
  if (malformed > 0) parts.push(`${formatCount(malformed)} malformed`);
  if (unknown_type > 0) parts.push(`${formatCount(unknown_type)} of unknown type`);
  return `${formatCount(trail.lines.length)} events: ${parts.join(' · ')}`;
}

function Line({
  line,
  scope,
  record,
  newest,
  onUndo,
  onGoTo,
}: {
  line: AuditLine;
  scope: AuditScope;
  record: AuditRecord | undefined;
  newest: boolean;
  /** Null when this person may not undo it, or it cannot be undone. */
  onUndo: (() => void) | null;
  onGoTo: (seq: number) => void;
}) {
  const headers = record?.headers ?? [];
  const stored = record !== undefined && !record.hasEventTime;
  const effectClass =
    line.status !== 'counted'
      ? 'audit-not-counted'
      : line.effect.delta > 0
        ? 'audit-up'
        : line.effect.delta < 0
          ? 'audit-down'
          : 'muted';
  return (
    <tr
      data-seq={line.seq}
      data-status={line.status}
      className={`audit-line${newest ? ' audit-newest' : ''}${line.undoneBy !== undefined ? ' audit-undone' : ''}`}
      tabIndex={-1}
    >
      <td>
        <div className="mono audit-seq">#{line.seq}</div>
        <time
          dateTime={new Date(line.timestampMs).toISOString()}
          title={new Date(line.timestampMs).toISOString()}
        >
          {formatTime(line.timestampMs)}
        </time>
        {stored && <div className="muted audit-small">server time: no event time given</div>}
      </td>
      <td>
        <div>{eventText(line, record?.claimedType ?? null)}</div>
        {line.type !== null && <div className="muted audit-small mono">{line.type}</div>}
        {record && (
          <div className="muted audit-small" title={RECORDED_BY_NOTE} data-testid="audit-user">
            by {recordedBy(record.claimedUser)}
          </div>
        )}
        {line.undoneBy !== undefined && (
          <button type="button" className="link audit-small" onClick={() => onGoTo(line.undoneBy!)}>
            undone by #{line.undoneBy}
          </button>
        )}
        {line.undoes !== undefined && (
          <button type="button" className="link audit-small" onClick={() => onGoTo(line.undoes!)}>
            takes back #{line.undoes}
          </button>
        )}
        {onUndo && (
          <button type="button" className="audit-undo" onClick={onUndo}>
            Undo
          </button>
        )}
      </td>
      <td className={effectClass} data-testid="audit-effect">
        {effectText(line, scope)}
      </td>
      <td className="num audit-balance-cell" data-testid="audit-line-balance">
        {formatCount(line.balance)}
      </td>
      <td>
        <details className="audit-headers">
          <summary className="mono">{line.id === null ? 'no id' : shortId(line.id)}</summary>
          <dl>
            <dt>stream sequence</dt>
            <dd className="mono">{line.seq}</dd>
            {record && (
              <>
                <dt>stored at</dt>
                <dd className="mono">{new Date(record.streamTimestampMs).toISOString()}</dd>
              </>
            )}
            {headers.map(([name, value], i) => (
              <HeaderEntry key={`${name}:${i}`} name={name} value={value} />
            ))}
          </dl>
        </details>
      </td>
    </tr>
  );
}

function HeaderEntry({ name, value }: { name: string; value: string }) {
  return (
    <>
      <dt className="mono">{name}</dt>
      <dd className="mono">{value === '' ? '(empty)' : value}</dd>
    </>
  );
}

/**
 * Keeps the panel's top at the top of the page content, so the header (connection state, sign out) and the
 * time-travel bar stay visible above it; once they have scrolled away, the panel uses the full height.
 */
function useBelowPageTop() {
  const ref = useRef<HTMLElement>(null);
  useLayoutEffect(() => {
    const place = () => {
      const drawer = ref.current;
      const main = drawer?.closest('main');
      if (drawer) drawer.style.top = `${Math.max(0, main?.getBoundingClientRect().top ?? 0)}px`;
    };
    place();
    const resized = new ResizeObserver(place);
    resized.observe(document.body);
    window.addEventListener('scroll', place, { passive: true });
    return () => {
      resized.disconnect();
      window.removeEventListener('scroll', place);
    };
  }, []);
  return ref;
}
