import { useMemo, useState } from 'react';
import { jsonLine, prettyPayload } from '../../core/event-log';
import { formatCount, formatTime } from '../../common/ui/format';
import { useEventDetail } from './useEventDetail';
import { UndoForm } from '../../common/ui/UndoForm';
import { STOCK_EVENT_TYPES, isReversibleType } from '../../core/events';

const REVERSIBLE_TYPES: ReadonlySet<string> = new Set(STOCK_EVENT_TYPES.filter(isReversibleType));
import { RECORDED_BY_NOTE, recordedBy } from '../../common/ui/recorded-by';

interface Props {
  seq: number;
  /** Whether the person signed in may record events in the warehouse, and so undo one there. */
  mayUndo: (warehouse: string) => boolean;
  onClose: () => void;
}

type Copied = { what: string; ok: boolean } | null;

/** Every header and the whole payload of one event, pretty-printed, with copy buttons. All text. */
export function EventDetailPanel({ seq, mayUndo, onClose }: Props) {
  const { detail, error, loading } = useEventDetail(seq);
  const [copied, setCopied] = useState<Copied>(null);
  const [undoing, setUndoing] = useState(false);
  const row = detail?.row;
  const undoable =
    row !== undefined &&
    row.status === 'stock' &&
    row.warehouse !== null &&
    row.product !== null &&
    REVERSIBLE_TYPES.has(row.type ?? '') &&
    mayUndo(row.warehouse);
  const pretty = useMemo(() => (detail ? prettyPayload(detail.payload) : null), [detail]);

  const copy = (what: string, text: string) => {
    const write = navigator.clipboard?.writeText(text) ?? Promise.reject(new Error('no clipboard'));
    write.then(
      () => setCopied({ what, ok: true }),
      () => setCopied({ what, ok: false }),
    );
  };

  return (
    <aside className="panel event-detail" aria-label="Event detail">
      <header>
        <h3>Event #{formatCount(seq)}</h3>
        <div className="spacer" />
        <button onClick={onClose}>Close</button>
      </header>
      {loading && <div className="muted">Reading event #{formatCount(seq)}…</div>}
      {error && (
        <div className="alert" role="alert">
          {error}
        </div>
      )}
      {!loading && !error && detail === null && (
        <div className="alert" role="alert">
          The stream holds no event #{formatCount(seq)}.
        </div>
      )}
      {detail && pretty && (
        <>
          {detail.row.problem && (
            <div className="alert" role="alert" data-testid="detail-problem">
              Malformed ({detail.row.problem.code}): {detail.row.problem.message}. Every reader skips this
              event.
            </div>
          )}
          <dl className="event-facts">
            <dt>Summary</dt>
            <dd>{detail.row.summary}</dd>
            <dt>Subject</dt>
            <dd className="mono">{detail.row.subject}</dd>
            <dt>Happened</dt>
            <dd>{formatTime(detail.row.timeMs)}</dd>
            <dt>Recorded</dt>
            <dd>{formatTime(detail.row.storedMs)}</dd>
            <dt>Event id</dt>
            <dd className="mono">{detail.row.id ?? '— (none sent)'}</dd>
            <dt>Recorded by</dt>
            <dd title={RECORDED_BY_NOTE} data-testid="event-user">
              {recordedBy(detail.row.user)}
            </dd>
          </dl>
          {undoable && !undoing && (
            <button type="button" onClick={() => setUndoing(true)}>
              Undo this event
            </button>
          )}
          {undoable && undoing && (
            <UndoForm
              warehouse={detail.row.warehouse!}
              product={detail.row.product!}
              // The id readers de-duplicate and undo by: the sequence when the publisher sent none.
              eventId={detail.row.id || `seq:${detail.row.seq}`}
              summary={`#${formatCount(detail.row.seq)}: ${detail.row.summary}`}
              onClose={() => setUndoing(false)}
            />
          )}
          <h4>Headers ({detail.row.headers.length})</h4>
          <table className="data" aria-label="Headers">
            <tbody>
              {detail.row.headers.map(([name, value], i) => (
                <tr key={`${i}-${name}`}>
                  <th scope="row" className="mono">
                    {name}
                  </th>
                  <td className="mono">{value === '' ? <span className="muted">(empty)</span> : value}</td>
                </tr>
              ))}
              {detail.row.headers.length === 0 && (
                <tr>
                  <td className="muted">No headers.</td>
                </tr>
              )}
            </tbody>
          </table>
          <div className="event-payload-head">
            <h4>
              Payload ({formatCount(detail.row.payloadBytes)} bytes{pretty.json ? ', JSON' : ', not JSON'})
            </h4>
            <div className="spacer" />
            <button onClick={() => copy('payload', pretty.text)}>Copy payload</button>
            <button onClick={() => copy('event', jsonLine(detail.row, detail.payload).trimEnd())}>
              Copy event as JSON
            </button>
          </div>
          <div role="status" className="muted copy-status">
            {copied &&
              (copied.ok ? `Copied the ${copied.what}.` : `The browser refused to copy the ${copied.what}.`)}
          </div>
          <pre className="event-payload" data-testid="detail-payload">
            {pretty.text}
          </pre>
        </>
      )}
    </aside>
  );
}
