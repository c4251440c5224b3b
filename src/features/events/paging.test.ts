import { describe, expect, it } from 'vitest';
import type { EventRow } from '../../core/event-log';
import type { EventPage, LogScope } from '../../engine/event-log-protocol';
import { anchorFor, newerCount, olderCount, pageSummary, placePage, seqRange, type PageView } from './paging';

function scope(over: Partial<LogScope> = {}): LogScope {
  return {
    stream: 'WAREHOUSE_EVENTS',
    filterSubject: 'warehouse.*.product.>',
    headSeq: 1_000_000,
    firstSeq: 1,
    lowSeq: 1,
    highSeq: 1_000_000,
    matching: 1_000_000,
    matchingExact: true,
    streamMessages: 1_000_000,
    ...over,
  };
}

function rows(from: number, to: number): EventRow[] {
  const out: EventRow[] = [];
  for (let seq = to; seq >= from; seq--) out.push({ seq } as EventRow);
  return out;
}

function page(fromSeq: number, toSeq: number, over: Partial<EventPage> = {}): EventPage {
  return {
    scope: scope(),
    rows: rows(fromSeq, toSeq),
    fromSeq,
    toSeq,
    scanned: toSeq - fromSeq + 1,
    selective: false,
    ...over,
  };
}

describe('paging over an exactly counted list', () => {
  it('counts positions across older, newer, newest and oldest moves', () => {
    const first = placePage(null, page(999_951, 1_000_000), 'newest');
    expect(first.newer).toBe(0);
    expect(pageSummary(first, false)).toBe(
      'Showing 1–50 of 1,000,000 events · #1,000,000 – #999,951 · newest first',
    );
    expect(olderCount(first, 50)).toBe(50);
    expect(newerCount(first, 50)).toBe(0);
    expect(anchorFor(first, 'older')).toBe(999_951);

    const second = placePage(first, page(999_901, 999_950), 'older');
    expect(second.newer).toBe(50);
    expect(pageSummary(second, false)).toBe(
      'Showing 51–100 of 1,000,000 events · #999,950 – #999,901 · newest first',
    );
    expect(newerCount(second, 50)).toBe(50);
    expect(anchorFor(second, 'newer')).toBe(999_950);

    const back = placePage(second, page(999_951, 1_000_000), 'newer');
    expect(back.newer).toBe(0);

    const oldest = placePage(second, page(1, 50), 'oldest');
    expect(oldest.newer).toBe(999_950);
    expect(olderCount(oldest, 50)).toBe(0);
    expect(newerCount(oldest, 50)).toBe(50);
  });

  it('labels a short last page with the exact number left', () => {
    const s = scope({ matching: 120 });
    const view: PageView = { page: page(900, 949, { scope: s }), newer: 50 };
    expect(olderCount(view, 50)).toBe(20);
    expect(pageSummary(view, true)).toBe(
      'Showing 51–100 of 120 matching events · #949 – #900 · newest first',
    );
  });

  it('names the sequences of the rows shown, not of the stretch read to find them', () => {
    const s = scope({ matching: 2 });
    const sparse = placePage(
      null,
      page(1, 80, { scope: s, rows: [{ seq: 70 }, { seq: 12 }] as EventRow[] }),
      'newest',
    );
    expect(pageSummary(sparse, true)).toBe('Showing 1–2 of 2 matching events · #70 – #12 · newest first');
    expect(seqRange(sparse.page)).toBe('#80 – #1');
  });

  it('says when nothing matches', () => {
    const empty = placePage(null, page(1, 0, { scope: scope({ matching: 0 }), rows: [] }), 'newest');
    expect(pageSummary(empty, true)).toBe('No matching events');
    expect(olderCount(empty, 50)).toBe(0);
    expect(seqRange(empty.page)).toBe('');
  });

  it('does not claim exact positions when the count was disturbed', () => {
    const view = placePage(
      null,
      page(951, 1000, { scope: scope({ matching: 5000, matchingExact: false }) }),
      'newest',
    );
    expect(view.newer).toBeNull();
    expect(pageSummary(view, false)).toBe('Showing 50 events of at least 5,000 events · #1,000 – #951');
  });
});

describe('paging with type or text filters', () => {
  it('says how many matched among how many scanned, and continues the scan from where it stopped', () => {
    const p = page(980_001, 1_000_000, { selective: true, rows: rows(1, 7), scanned: 20_000 });
    const view = placePage(null, p, 'newest');
    expect(view.newer).toBeNull();
    expect(pageSummary(view, true)).toBe(
      '7 matched in the 20,000 events scanned (#1,000,000 – #980,001) of 1,000,000 events in range',
    );
    expect(olderCount(view, 50)).toBe(50);
    expect(newerCount(view, 50)).toBe(0);
    expect(anchorFor(view, 'older')).toBe(980_001);
  });

  it('has nothing older once the scan reached the start of the range', () => {
    const view = placePage(null, page(1, 300, { selective: true, rows: [], scanned: 300 }), 'newest');
    expect(olderCount(view, 50)).toBe(0);
  });
});
