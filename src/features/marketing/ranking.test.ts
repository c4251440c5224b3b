import { describe, expect, it } from 'vitest';
import { fold } from '../../core/view';
import { salesView } from '../../core/sales';
import { rankSales, rankingSummary, salesRows, topMovers, type SalesRow } from './ranking';
import { TestStream } from '../../core/testing';

const row = (
  product: string,
  hour: number,
  day: number,
  week: number,
  thisWeek = 0,
  lastWeek = 0,
): SalesRow => ({
  product,
  hour,
  day,
  week,
  thisWeek,
  lastWeek,
});
const rows = [
  row('Gala', 1, 5, 9),
  row('Braeburn', 0, 7, 7),
  row('Pears', 2, 5, 20),
  row('gala-Royal', 0, 0, 3),
];
const names = (r: { rows: SalesRow[] }) => r.rows.map((x) => x.product);
const fmt = (n: number) => n.toLocaleString('en-US');

describe('rankSales', () => {
  it('given a limit, then the top rows by the sort, ties by name, and how many there were', () => {
    const ranking = rankSales(rows, { search: '', sort: { key: 'day', descending: true }, limit: 2 });
    expect(names(ranking)).toEqual(['Braeburn', 'Gala']);
    expect(ranking).toMatchObject({ matched: 4, total: 4 });
  });

  it('given a search, then it matches names in any case, across all products, before the limit', () => {
    const ranking = rankSales(rows, { search: 'GALA', sort: { key: 'week', descending: true }, limit: 1 });
    expect(names(ranking)).toEqual(['Gala']);
    expect(ranking).toMatchObject({ matched: 2, total: 4 });
    expect(rankingSummary(ranking, 'GALA', fmt)).toBe("showing 1 of 2 that match 'GALA'");
  });

  it('says how much of the list is on screen', () => {
    const all = Array.from({ length: 2_000 }, (_, i) => row(`P${i}`, 0, i, i));
    const top = rankSales(all, { search: '', sort: { key: 'day', descending: true }, limit: 25 });
    expect(rankingSummary(top, '', fmt)).toBe('showing 25 of 2,000 products');
    expect(names(top)[0]).toBe('P1999');
    const found = rankSales(all, { search: 'p199', sort: { key: 'day', descending: true }, limit: 25 });
    expect(rankingSummary(found, 'p199', fmt)).toBe("11 match 'p199'");
    const one = rankSales(all, { search: 'P1999', sort: { key: 'day', descending: true }, limit: 25 });
    expect(rankingSummary(one, 'P1999', fmt)).toBe("1 matches 'P1999'");
  });
});

describe('topMovers', () => {
  it('given a window, then the best sellers in it, leaving out those that sold none', () => {
    expect(topMovers(rows, 'hour', 10)).toEqual([
      { product: 'Pears', sold: 2 },
      { product: 'Gala', sold: 1 },
    ]);
  });
});

describe('salesRows', () => {
  it('given sales in one warehouse and another, then the filter keeps one warehouse', () => {
    const now = 10 * 24 * 3_600_000;
    const s = new TestStream();
    const state = fold(salesView, [
      s.sold('47', 'Gala', 3, 'A1', { at: now - 3 * 3_600_000 }),
      s.sold('46', 'Gala', 2, 'A1', { at: now - 30 * 60_000 }),
    ]);
    const weeks = {
      thisFromMs: now - 2 * 3_600_000,
      lastFromMs: now - 170 * 3_600_000,
      lastToMs: now - 168 * 3_600_000,
    };
    expect(salesRows(state, now, weeks, {})).toEqual([row('Gala', 2, 5, 5, 2, 0)]);
    expect(salesRows(state, now, weeks, { warehouse: '47' })).toEqual([row('Gala', 0, 3, 3, 0, 0)]);
  });

  it('sets this week so far against the same span of the week before, reaching past the minute detail', () => {
    const DAY = 24 * 3_600_000;
    const now = 40 * DAY + 15 * 3_600_000;
    const s = new TestStream();
    const state = fold(salesView, [
      // The week before: one sale inside its first 2.5 days, one after that span.
      s.sold('46', 'Gala', 4, 'A1', { at: now - 9 * DAY }),
      s.sold('46', 'Gala', 8, 'A1', { at: now - 6 * DAY + 3_600_000 }),
      s.sold('46', 'Gala', 3, 'A1', { at: now - DAY }),
      s.sold('46', 'Gala', 1, 'A1', { at: now }),
    ]);
    const thisFromMs = now - 2.5 * DAY;
    const weeks = { thisFromMs, lastFromMs: thisFromMs - 7 * DAY, lastToMs: now - 7 * DAY };
    expect(salesRows(state, now, weeks, {})).toEqual([row('Gala', 1, 1, 12, 4, 4)]);
  });
});
