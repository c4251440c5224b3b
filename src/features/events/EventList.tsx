import { memo, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { CHIP_LABELS, type EventRow } from '../../core/event-log';
import { formatCount, formatTime } from '../../common/ui/format';
import { RECORDED_BY_NOTE, recordedBy } from '../../common/ui/recorded-by';

const ROW_HEIGHT = 34;

interface Props {
  rows: readonly EventRow[];
  selected: number | null;
  onOpen: (seq: number) => void;
  empty: string;
}

function typeLabel(row: EventRow): string {
  if (row.type === null) return '—';
  return row.type in CHIP_LABELS ? CHIP_LABELS[row.type as keyof typeof CHIP_LABELS] : row.type;
}

/**
 * One page of events, virtualised: a thousand-row page keeps only the rows in view in the DOM. Every value
 * is rendered as text; a payload is cut to one line here and shown whole in the detail.
 */
export const EventList = memo(function EventList({ rows, selected, onOpen, empty }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });

  return (
    <div
      className="event-list"
      ref={scrollRef}
      role="table"
      aria-label="Events"
      aria-rowcount={rows.length + 1}
    >
      <div className="event-row head" role="row" aria-rowindex={1}>
        <div role="columnheader">Seq</div>
        <div role="columnheader">Time</div>
        <div role="columnheader">Type</div>
        <div role="columnheader">Warehouse</div>
        <div role="columnheader">Product</div>
        <div role="columnheader" title={RECORDED_BY_NOTE}>
          By
        </div>
        <div role="columnheader">Summary</div>
        <div role="columnheader">Payload</div>
      </div>
      {rows.length === 0 ? (
        <div className="empty-state">{empty}</div>
      ) : (
        <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            return (
              <div
                key={row.seq}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={row.seq === selected}
                tabIndex={0}
                className={`event-row body status-${row.status}`}
                data-seq={row.seq}
                data-testid={`event-row-${row.seq}`}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                onClick={() => onOpen(row.seq)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    onOpen(row.seq);
                  }
                }}
              >
                <div role="cell" className="num">
                  #{formatCount(row.seq)}
                </div>
                <div role="cell" title={`recorded ${formatTime(row.storedMs)}`}>
                  {formatTime(row.timeMs)}
                </div>
                <div role="cell" data-col="type">
                  {row.status === 'malformed' && <span className="status-pill status-out">malformed</span>}{' '}
                  {typeLabel(row)}
                </div>
                <div role="cell" data-col="warehouse" title={row.warehouse ?? undefined}>
                  {row.warehouse ?? '—'}
                </div>
                <div role="cell" data-col="product" title={row.product ?? undefined}>
                  {row.product ?? '—'}
                </div>
                <div role="cell" data-col="user" title={RECORDED_BY_NOTE}>
                  {recordedBy(row.user)}
                </div>
                <div role="cell" data-col="summary" title={row.summary}>
                  {row.summary}
                </div>
                <div
                  role="cell"
                  className="mono"
                  data-col="payload"
                  title={`${formatCount(row.payloadBytes)} bytes`}
                >
                  {row.payloadPreview}
                </div>
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
});
