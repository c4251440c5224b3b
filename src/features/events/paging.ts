/**
 * Where a page of the event log sits and what it says about itself. Positions are exact whenever the
 * server counted the matches (warehouse, product and time filters): the page then knows how many matches
 * are newer than it by adding up the pages it moved across. With type or text filters the page can only
 * say how many it found among the events it read.
 */
import type { EventPage } from '../../engine/event-log-protocol';
import { formatCount } from '../../common/ui/format';

export type Move = 'newest' | 'older' | 'newer' | 'oldest';

export interface PageView {
  page: EventPage;
  /** Matches newer than this page; null when not known exactly. */
  newer: number | null;
}

/** The page is one slice of an exactly counted list (no type/text filter, count not disturbed). */
export function isExact(page: EventPage): boolean {
  return !page.selective && page.scope.matchingExact;
}

export function placePage(previous: PageView | null, page: EventPage, move: Move): PageView {
  if (!isExact(page)) return { page, newer: null };
  switch (move) {
    case 'newest':
      return { page, newer: 0 };
    case 'oldest':
      return { page, newer: Math.max(0, page.scope.matching - page.rows.length) };
    case 'older':
      return {
        page,
        newer: previous?.newer == null ? null : previous.newer + previous.page.rows.length,
      };
    case 'newer':
      return { page, newer: previous?.newer == null ? null : Math.max(0, previous.newer - page.rows.length) };
  }
}

/** Where the next page in a direction starts (exclusive), given the page on screen. */
export function anchorFor(view: PageView, move: 'older' | 'newer'): number {
  return move === 'older' ? view.page.fromSeq : view.page.toSeq;
}

/** How many matches the "Older" button would show; 0 when there are none. */
export function olderCount(view: PageView, limit: number): number {
  const { page } = view;
  if (view.newer !== null)
    return Math.max(0, Math.min(limit, page.scope.matching - view.newer - page.rows.length));
  return page.fromSeq > page.scope.lowSeq ? limit : 0;
}

/** How many matches the "Newer" button would show; 0 when there are none. */
export function newerCount(view: PageView, limit: number): number {
  const { page } = view;
  if (view.newer !== null) return Math.min(limit, view.newer);
  return page.toSeq < page.scope.highSeq ? limit : 0;
}

function seqSpan(newest: number, oldest: number): string {
  return newest === oldest ? `#${formatCount(newest)}` : `#${formatCount(newest)} – #${formatCount(oldest)}`;
}

/** "#1,000,000 – #999,951": the sequences the page read, newest first; empty when it read none. */
export function seqRange(page: EventPage): string {
  return page.fromSeq > page.toSeq ? '' : seqSpan(page.toSeq, page.fromSeq);
}

/** The sequences of the first and last row shown. */
export function rowRange(page: EventPage): string {
  const first = page.rows[0];
  const last = page.rows[page.rows.length - 1];
  return first && last ? seqSpan(first.seq, last.seq) : '';
}

const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;

/**
 * One sentence about the page: which matches it shows of how many, or, with type/text filters, how many it
 * found in how many it read.
 */
export function pageSummary(view: PageView, filtered: boolean): string {
  const { page, newer } = view;
  const { scope, rows } = page;
  const noun = filtered ? 'matching event' : 'event';
  if (page.selective) {
    const range = seqRange(page);
    const of = scope.matching > 0 ? ` of ${plural(scope.matching, 'event')} in range` : '';
    return `${formatCount(rows.length)} matched in the ${plural(page.scanned, 'event')} scanned${range ? ` (${range})` : ''}${of}`;
  }
  const total = `${scope.matchingExact ? '' : 'at least '}${plural(scope.matching, noun)}`;
  if (rows.length === 0) return scope.matching === 0 ? `No ${noun}s` : `No more of ${total}`;
  const range = rowRange(page);
  if (newer === null) return `Showing ${plural(rows.length, noun)} of ${total} · ${range}`;
  return `Showing ${formatCount(newer + 1)}–${formatCount(newer + rows.length)} of ${total} · ${range} · newest first`;
}
