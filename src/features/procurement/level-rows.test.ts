import { describe, expect, it } from 'vitest';
import type { StockLevel } from '../../core/procurement-stock';
import { status } from '../../core/thresholds';
import type { KvLevel } from '../../engine/protocol';
import { levelRows } from './level-rows';

const level = (key: string, quantity: number, last_seq: number): StockLevel => {
  const [warehouse = '', product_name = ''] = key.split('.');
  return { warehouse, product_name, quantity, last_seq, updated_ms: 1 };
};
const kv = (key: string, quantity: number, last_seq: number, revision = last_seq): KvLevel => ({
  key,
  revision,
  value: { ok: true, ...level(key, quantity, last_seq) },
});
const judge = (_key: string, quantity: number) => ({ threshold: 10, status: status(quantity, 10) });

describe('levelRows: the bucket checked against the replay', () => {
  it.each([
    ['same sequence, same quantity', kv('46.Apples', 5, 7), level('46.Apples', 5, 7), 'agrees'],
    ['same sequence, different quantity', kv('46.Apples', 6, 7), level('46.Apples', 5, 7), 'mismatch'],
    ['bucket at an older sequence', kv('46.Apples', 6, 3), level('46.Apples', 5, 7), 'projector-behind'],
    ['replay at an older sequence', kv('46.Apples', 6, 9), level('46.Apples', 5, 7), 'replay-behind'],
    ['only in the replay', undefined, level('46.Apples', 5, 7), 'missing-in-kv'],
    ['only in the bucket', kv('46.Apples', 5, 7), undefined, 'missing-in-replay'],
  ] as const)('%s → %s', (_name, entry, mine, expected) => {
    const rows = levelRows(entry ? { [entry.key]: entry } : {}, mine ? [mine] : [], judge);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.agreement).toBe(expected);
  });

  it('flags an unreadable bucket value and still shows the replay quantity', () => {
    const rows = levelRows(
      { '46.Apples': { key: '46.Apples', revision: 3, value: { ok: false, reason: 'not JSON' } } },
      [level('46.Apples', 4, 2)],
      judge,
    );
    expect(rows[0]).toMatchObject({
      agreement: 'unreadable',
      kvQuantity: null,
      replayQuantity: 4,
      status: 'low',
    });
  });

  it('given an unreadable value the replay does not know, then the row is named after its key', () => {
    const rows = levelRows(
      { '46.Apples': { key: '46.Apples', revision: 3, value: { ok: false, reason: 'x' } } },
      [],
      judge,
    );
    expect(rows[0]).toMatchObject({ warehouse: '46', product: 'Apples', agreement: 'unreadable' });
  });

  it('judges status on the bucket quantity when there is one', () => {
    const rows = levelRows({ '46.Apples': kv('46.Apples', 0, 7) }, [level('46.Apples', 50, 9)], judge);
    expect(rows[0]).toMatchObject({ status: 'out', warehouse: '46', product: 'Apples' });
  });
});
