import { describe, expect, it } from 'vitest';
import type { LevelRow } from './level-rows';
import { levelTable, type LevelQuery } from './level-table';

const row = (
  warehouse: string,
  product: string,
  quantity: number,
  extra: Partial<LevelRow> = {},
): LevelRow => ({
  key: `${warehouse}.${product}`,
  warehouse,
  product,
  kvQuantity: quantity,
  kvSeq: 1,
  replayQuantity: quantity,
  replaySeq: 1,
  threshold: 10,
  status: quantity <= 0 ? 'out' : quantity < 10 ? 'low' : 'ok',
  agreement: 'agrees',
  ...extra,
});

const query = (over: Partial<LevelQuery> = {}): LevelQuery => ({
  warehouse: '',
  search: '',
  status: 'all',
  sort: { key: 'status', descending: false },
  ...over,
});

const rows = [
  row('46', 'Apples', 30),
  row('46', 'Gala-Apples', 4),
  row('47', 'Apples', 0),
  row('47', 'Pears', 12, { agreement: 'mismatch', replayQuantity: 11 }),
  row('47', 'Plums', 5, { agreement: 'projector-behind' }),
];
const keys = (t: { rows: readonly LevelRow[] }) => t.rows.map((r) => r.key);

describe('levelTable', () => {
  it('given the default query, then out comes first, then low, then ok, ties by key', () => {
    expect(keys(levelTable(rows, query()))).toEqual([
      '47.Apples',
      '46.Gala-Apples',
      '47.Plums',
      '46.Apples',
      '47.Pears',
    ]);
  });

  it('given a warehouse and a search, then only its keys whose name contains the search, in any case', () => {
    expect(keys(levelTable(rows, query({ warehouse: '46', search: 'APPLE' })))).toEqual([
      '46.Gala-Apples',
      '46.Apples',
    ]);
    expect(keys(levelTable(rows, query({ search: '47.pl' })))).toEqual(['47.Plums']);
  });

  it('counts each status among the rows that match warehouse and search, whatever the status filter', () => {
    const table = levelTable(rows, query({ warehouse: '47', status: 'low' }));
    expect(keys(table)).toEqual(['47.Plums']);
    expect(table.counts).toEqual({ all: 3, low: 1, out: 1, disagree: 1 });
  });

  it('given "disagree", then the mismatches and unreadable values, not the rows still catching up', () => {
    const unreadable = row('48', 'Figs', 0, { agreement: 'unreadable', kvQuantity: null });
    expect(keys(levelTable([...rows, unreadable], query({ status: 'disagree' })))).toEqual([
      '48.Figs',
      '47.Pears',
    ]);
  });

  it('sorts descending by a number, ties by key ascending', () => {
    expect(keys(levelTable(rows, query({ sort: { key: 'threshold', descending: true } })))).toEqual([
      '46.Apples',
      '46.Gala-Apples',
      '47.Apples',
      '47.Pears',
      '47.Plums',
    ]);
  });

  describe('given the previous table', () => {
    const before = levelTable(rows, query());

    it('when only a quantity changes within its status, then it keeps the order and shows the new rows', () => {
      const next = rows.map((r) =>
        r.key === '46.Apples' ? { ...r, kvQuantity: 31, replayQuantity: 31 } : r,
      );
      const after = levelTable(next, query(), before);
      expect(keys(after)).toEqual(keys(before));
      expect(after.rows.find((r) => r.key === '46.Apples')?.kvQuantity).toBe(31);
    });

    it('when a status changes, then it sorts again', () => {
      const next = rows.map((r) => (r.key === '46.Apples' ? row('46', 'Apples', 0) : r));
      expect(keys(levelTable(next, query(), before))[0]).toBe('46.Apples');
    });

    it('when a key is replaced by another, then it sorts again', () => {
      const next = [...rows.slice(0, 4), row('45', 'Kiwis', 5)];
      expect(keys(levelTable(next, query(), before))).toContain('45.Kiwis');
    });
  });

  it('given 100,000 keys, then filtering and sorting stays under a second', () => {
    const many: LevelRow[] = [];
    for (let w = 0; w < 50; w++)
      for (let p = 0; p < 2_000; p++) many.push(row(`W${w}`, `P${p}`, (w * 31 + p * 17) % 40));
    const started = process.hrtime.bigint();
    const table = levelTable(many, query({ sort: { key: 'quantity', descending: true } }));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(table.rows).toHaveLength(100_000);
    expect(ms).toBeLessThan(1_000);
  });
});
