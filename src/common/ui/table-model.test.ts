import { describe, expect, it } from 'vitest';
import { matchesSearch, pageWindow, sortRows } from './table-model';

interface Row {
  name: string;
  n: number;
}
const rows: Row[] = [
  { name: 'b', n: 2 },
  { name: 'a', n: 2 },
  { name: 'c', n: 1 },
];
const key = (r: Row) => r.name;

describe('sortRows', () => {
  it('given equal values, then ties go by key ascending in either direction', () => {
    expect(sortRows(rows, (r) => r.n, true, key).map(key)).toEqual(['a', 'b', 'c']);
    expect(sortRows(rows, (r) => r.n, false, key).map(key)).toEqual(['c', 'a', 'b']);
  });

  it('sorts strings by code point and leaves its input alone', () => {
    const input = [...rows];
    expect(sortRows(input, (r) => r.name, true, key).map(key)).toEqual(['c', 'b', 'a']);
    expect(input).toEqual(rows);
  });

  it('reads each value once per row, not once per comparison', () => {
    let reads = 0;
    const many = Array.from({ length: 1_000 }, (_, i) => ({ name: `p${i}`, n: (i * 7919) % 1_000 }));
    sortRows(many, (r) => (reads++, r.n), false, key);
    expect(reads).toBe(1_000);
  });
});

describe('pageWindow', () => {
  it('given 100,000 rows and pages of 50, then page 2 holds rows 51–100 and there are 2,000 pages', () => {
    expect(pageWindow(100_000, 1, 50)).toEqual({
      page: 1,
      pageCount: 2_000,
      from: 50,
      to: 100,
      total: 100_000,
    });
  });

  it('given a page past the end, then it is the last page, which may be short', () => {
    expect(pageWindow(120, 9, 50)).toEqual({ page: 2, pageCount: 3, from: 100, to: 120, total: 120 });
  });

  it('given no rows, then there is one empty page', () => {
    expect(pageWindow(0, 3, 50)).toEqual({ page: 0, pageCount: 1, from: 0, to: 0, total: 0 });
  });
});

describe('matchesSearch', () => {
  it('is a case-insensitive substring, and blank matches all', () => {
    expect(matchesSearch('Gala-Apples', 'gala')).toBe(true);
    expect(matchesSearch('Gala-Apples', ' APPLE ')).toBe(true);
    expect(matchesSearch('Pears', 'gala')).toBe(false);
    expect(matchesSearch('Pears', '  ')).toBe(true);
  });
});
