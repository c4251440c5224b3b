import { describe, expect, it } from 'vitest';
import { parseStockKey, stockKey } from './events';

describe('parseStockKey: the reverse of stockKey', () => {
  it('given a key made by stockKey, then the same warehouse and product', () => {
    expect(parseStockKey(stockKey('46', 'Apples'))).toEqual({ ok: true, warehouse: '46', product: 'Apples' });
  });

  it.each([
    ['default', 'must be <warehouse>.<product>'],
    ['46.Apples.x', 'must be <warehouse>.<product>'],
    ['.Apples', 'warehouse is required'],
    ['46.Äpfel', 'product "Äpfel" contains "Ä"'],
  ])('given %s, then refused: %s', (key, reason) => {
    const parsed = parseStockKey(key);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });
});
