import type { Grants } from '../../core/grants';
import { canPublishStock } from '../../core/roles';
import { useEffect, useMemo, useState } from 'react';
import { CHIP_LABELS, EMPTY_FILTER, TYPE_CHIPS, type TypeChip } from '../../core/event-log';
import { productsIn } from '../../core/warehouse-stock';
import { useProgress, useSnapshot } from '../../common/engine-queries';
import { formatCount } from '../../common/ui/format';
import { EventDetailPanel } from './EventDetailPanel';
import { EventList } from './EventList';
import { FORMAT_LABELS, exportFraction } from './export-file';
import { EMPTY_DRAFT, filterFromDraft, isFiltered, toggleChip, type FilterDraft } from './filter-input';
import { draftOf, searchOf, type EventLogSearch } from './event-log-search';
import { anchorFor, newerCount, olderCount, pageSummary, type Move } from './paging';
import { useEventPage, type PageRequest } from './useEventPage';
import { scanKey, useScan, type ScanState } from './useScan';
import { NO_INTEREST } from '../../core/view-interest';
import { useViewInterest } from '../../common/use-view-interest';

const PAGE_SIZES = [50, 200, 1000] as const;
/** Typing settles before the stream is read again. */
const TYPING_DELAY_MS = 300;

const firstPage = (filter = EMPTY_FILTER, limit = 50): PageRequest => ({
  filter,
  limit,
  move: 'newest',
  scope: null,
  anchor: null,
  previous: null,
});

interface Props {
  /** What the person signed in may do: an "Undo" is offered where they may record events. */
  grants: Grants;
  /** The filters and the open event, from the page's address (docs/architecture.md#addresses). */
  address: EventLogSearch;
  /** A new address for the page: the browser's Back returns to the one before. Must keep its identity. */
  onAddress: (next: EventLogSearch) => void;
}

/** A draft as its address would give it back, so that a draft and an address can be compared. */
const addressKey = (draft: FilterDraft) => JSON.stringify(draftOf(searchOf(draft, null)));

/**
 * Every stored event, newest first, paged over the stream by sequence: filters by warehouse, product and
 * time are applied by the server (so counts are exact); type and text while reading.
 */
export function EventLogPage({ grants, address, onAddress }: Props) {
  const fromAddress = draftOf(address);
  const shownKey = JSON.stringify(fromAddress);
  // The form as typed, and how soon an edit should be read (typing settles first; a click applies at once).
  const [edit, setEdit] = useState<{ draft: FilterDraft; delayMs: number }>({
    draft: fromAddress,
    delayMs: 0,
  });
  const draft = edit.draft;
  const [request, setRequest] = useState<PageRequest>(() => {
    const { filter, problems } = filterFromDraft(fromAddress);
    return problems.length === 0 ? firstPage(filter) : firstPage();
  });
  // Back and Forward change the address under the form: the form follows, unless the address is the one this
  // form wrote last (it arrives a moment after the edit that wrote it, and typing may have gone on since).
  const [seenKey, setSeenKey] = useState(shownKey);
  const [writtenKey, setWrittenKey] = useState(shownKey);
  if (shownKey !== seenKey) {
    setSeenKey(shownKey);
    if (shownKey !== writtenKey) {
      setWrittenKey(shownKey);
      setEdit({ draft: fromAddress, delayMs: 0 });
    }
  }
  const selected = address.event ?? null;
  const { view, error, loading } = useEventPage(request);
  const scan = useScan();
  const problems = useMemo(() => filterFromDraft(draft).problems, [draft]);
  useEffect(() => {
    const { filter, problems: found } = filterFromDraft(edit.draft);
    if (found.length > 0) return;
    const timer = setTimeout(() => {
      setRequest((current) =>
        JSON.stringify(current.filter) === JSON.stringify(filter)
          ? current
          : firstPage(filter, current.limit),
      );
      // A filter that is read gets an address of its own, so Back returns to the one before.
      const key = addressKey(edit.draft);
      if (key !== shownKey) {
        setWrittenKey(key);
        onAddress(searchOf(edit.draft, selected));
      }
    }, edit.delayMs);
    return () => clearTimeout(timer);
  }, [edit, shownKey, selected, onAddress]);
  const open = (seq: number | null) => onAddress({ ...address, event: seq ?? undefined });

  const applyDraft = (next: FilterDraft, delayMs: number) => setEdit({ draft: next, delayMs });
  const field = (key: 'warehouse' | 'product' | 'text' | 'from' | 'until') => ({
    value: draft[key],
    onChange: (e: { target: { value: string } }) =>
      applyDraft(
        { ...draft, [key]: e.target.value },
        key === 'from' || key === 'until' ? 0 : TYPING_DELAY_MS,
      ),
  });

  const go = (move: Move) => {
    if (!view) return;
    setRequest({
      filter: request.filter,
      limit: request.limit,
      move,
      scope: move === 'newest' ? null : view.page.scope,
      anchor: move === 'older' || move === 'newer' ? anchorFor(view, move) : null,
      previous: view,
    });
  };

  const page = view?.page ?? null;
  const filtered = isFiltered(request.filter);
  const older = view ? olderCount(view, request.limit) : 0;
  const newer = view ? newerCount(view, request.limit) : 0;
  const running = scan.state.phase === 'running';

  return (
    <section className="page" aria-label="Event log">
      <div className="toolbar">
        <h2>Event log</h2>
        <label>
          Warehouse
          <input list="event-log-warehouses" placeholder="any" {...field('warehouse')} />
        </label>
        <label>
          Product
          <input list="event-log-products" placeholder="any" {...field('product')} />
        </label>
        <label title="Any part of the payload, the event id or any header value (who recorded it, for one)">
          Payload, id or header contains
          <input type="search" placeholder="e.g. crushed, an event id" {...field('text')} />
        </label>
        <label>
          Recorded from
          <input type="datetime-local" step={1} {...field('from')} />
        </label>
        <label>
          until
          <input type="datetime-local" step={1} {...field('until')} />
        </label>
        <NameSuggestions warehouse={draft.warehouse.trim()} />
        <button
          onClick={() => applyDraft(EMPTY_DRAFT, 0)}
          disabled={JSON.stringify(draft) === JSON.stringify(EMPTY_DRAFT)}
        >
          Clear filters
        </button>
      </div>

      <div className="event-chips" role="group" aria-label="Type">
        <span className="muted">Type:</span>
        {TYPE_CHIPS.map((chip: TypeChip) => (
          <button
            key={chip}
            className={`chip chip-${chip.replace('.', '-')}`}
            aria-pressed={draft.chips.includes(chip)}
            onClick={() => applyDraft({ ...draft, chips: toggleChip(draft.chips, chip) }, 0)}
          >
            {CHIP_LABELS[chip]}
          </button>
        ))}
        <span className="muted hint">
          Time range: when the server recorded the event; the Time column shows when it happened.
        </span>
      </div>

      {problems.length > 0 && (
        <ul className="form-errors" role="alert" aria-label="Filter problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}

      <div className="event-status">
        <div className="event-summary" data-testid="event-summary" aria-live="polite">
          {view ? pageSummary(view, filtered) : loading ? 'Reading the stream…' : ''}
          {loading && view && <span className="muted"> · reading…</span>}
        </div>
        {page?.selective && (
          <CountAll
            state={scan.state}
            scanKey={scanKey(request.filter, page.scope)}
            onCount={() => scan.start('count', request.filter, page.scope)}
          />
        )}
        <div className="spacer" />
        <nav className="event-paging" aria-label="Paging">
          <button onClick={() => go('newest')} disabled={loading || !view}>
            Newest
          </button>
          <button onClick={() => go('newer')} disabled={loading || newer === 0}>
            {newer > 0 ? `Newer ${newer}` : 'Newer'}
          </button>
          <button onClick={() => go('older')} disabled={loading || older === 0}>
            {older > 0 ? `Older ${older}` : 'Older'}
          </button>
          <button onClick={() => go('oldest')} disabled={loading || !view}>
            Oldest
          </button>
          <label className="inline">
            Page size
            <select
              value={request.limit}
              onChange={(e) => setRequest(firstPage(request.filter, Number(e.target.value)))}
            >
              {PAGE_SIZES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        </nav>
      </div>

      {page && (
        <GrownNotice
          headSeq={page.scope.headSeq}
          filtered={filtered}
          disabled={loading}
          onNewest={() => go('newest')}
        />
      )}

      {error && (
        <div className="alert" role="alert">
          {error}
        </div>
      )}

      <div className={`event-layout ${selected !== null ? 'with-detail' : ''}`}>
        <EventList
          rows={page?.rows ?? []}
          selected={selected}
          onOpen={open}
          empty={
            loading ? 'Reading the stream…' : filtered ? 'No event matches these filters.' : 'No events yet.'
          }
        />
        {selected !== null && (
          <EventDetailPanel
            key={selected}
            seq={selected}
            mayUndo={(warehouse) => canPublishStock(grants, warehouse)}
            onClose={() => open(null)}
          />
        )}
      </div>

      <div className="event-export">
        <span className="muted">
          Export {filtered ? 'the filtered events' : 'every event'}
          {page ? ` (${formatCount(page.scope.matching)} in range, oldest first)` : ''}:
        </span>
        {(['csv', 'jsonl'] as const).map((format) => (
          <button
            key={format}
            disabled={!page || running}
            onClick={() => page && scan.start(format, request.filter, page.scope)}
          >
            Export {FORMAT_LABELS[format]}
          </button>
        ))}
        <ScanProgress state={scan.state} onCancel={scan.cancel} />
      </div>
    </section>
  );
}

/**
 * Names the views already know, offered while typing. Its own component: the engine's snapshots arrive
 * many times a second during a replay and should not re-render the list.
 */
const NO_WAREHOUSES: string[] = [];

function NameSuggestions({ warehouse }: { warehouse: string }) {
  const snapshot = useSnapshot();
  const stock = snapshot?.views.stock;
  const warehouses = snapshot?.warehouses ?? NO_WAREHOUSES;
  useViewInterest({ ...NO_INTEREST, stock: warehouse === '' ? [] : [warehouse] });
  const products = useMemo(
    () => (stock && warehouse !== '' ? productsIn(stock, warehouse).map((p) => p.product) : []),
    [stock, warehouse],
  );
  return (
    <>
      <datalist id="event-log-warehouses">
        {warehouses.map((w) => (
          <option key={w} value={w} />
        ))}
      </datalist>
      <datalist id="event-log-products">
        {products.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
    </>
  );
}

/** The list is read as of its scope; this says when the stream has grown since (from the engine's tail). */
function GrownNotice(props: { headSeq: number; filtered: boolean; disabled: boolean; onNewest: () => void }) {
  const reachedSeq = useProgress()?.replayed ?? 0;
  const grown = Math.max(0, reachedSeq - props.headSeq);
  if (grown === 0) return null;
  return (
    <div className="event-grown" role="status">
      {formatCount(grown)} new {grown === 1 ? 'event was' : 'events were'} recorded since this list was read
      {props.filtered ? ' (some may not match)' : ''}.{' '}
      <button onClick={props.onNewest} disabled={props.disabled}>
        Show newest
      </button>
    </div>
  );
}

function CountAll({ state, scanKey, onCount }: { state: ScanState; scanKey: string; onCount: () => void }) {
  if (state.phase === 'done' && state.kind === 'count' && state.key === scanKey) {
    return (
      <span data-testid="count-all">
        All read: exactly {formatCount(state.rows)} of {formatCount(state.scanned)} match.
      </span>
    );
  }
  return (
    <button onClick={onCount} disabled={state.phase === 'running'}>
      Count all matches
    </button>
  );
}

function ScanProgress({ state, onCancel }: { state: ScanState; onCancel: () => void }) {
  if (state.phase === 'idle') return null;
  const what = state.kind === 'count' ? 'Counting' : `Exporting ${FORMAT_LABELS[state.kind]}`;
  if (state.phase === 'running') {
    const fraction = exportFraction(state.scanned, state.matching);
    return (
      <div className="progress event-scan" data-testid="scan-progress">
        <div className="text">
          {what}: {formatCount(state.rows)} {state.rows === 1 ? 'row' : 'rows'} · read{' '}
          {formatCount(state.scanned)} of {formatCount(state.matching)} ({Math.floor(fraction * 100)}%){' '}
          <button onClick={onCancel}>Cancel</button>
        </div>
        <div
          className="bar"
          role="progressbar"
          aria-label={what}
          aria-valuemin={0}
          aria-valuemax={state.matching}
          aria-valuenow={state.scanned}
        >
          <div style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
        </div>
      </div>
    );
  }
  if (state.phase === 'failed') {
    return (
      <span className="alert" role="alert">
        {what} failed: {state.message}
      </span>
    );
  }
  if (state.phase === 'cancelled') {
    return (
      <span role="status" data-testid="scan-result">
        {what} cancelled after {formatCount(state.scanned)} events read.
      </span>
    );
  }
  if (state.kind === 'count') return null;
  return (
    <span role="status" data-testid="scan-result">
      Exported {formatCount(state.rows)} {state.rows === 1 ? 'event' : 'events'}
      {state.file && (
        <>
          {' '}
          to{' '}
          <a href={state.file.url} download={state.file.name}>
            {state.file.name}
          </a>
        </>
      )}
      .
    </span>
  );
}
