import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HEADER_PREFIX,
  MAX_HEADER_PREFIX_LENGTH,
  headerNames,
  parseHeaderPrefix,
  parseStockKey,
  stockKey,
  subjectWarehouse,
} from './events';

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

describe("subjectWarehouse: whose filter 'warehouse.<w>.product.>' takes a subject", () => {
  it.each<[string, string | null]>([
    ['warehouse.46.product.Apples', '46'],
    ['warehouse.46.product.Apples.extra', '46'],
    ['warehouse.Kühl raum.product.x', 'Kühl raum'],
    ['warehouse.46.product.', null],
    ['warehouse.46.product', null],
    ['warehouse..product.Apples', null],
    ['warehouse.46.x.product.Apples', null],
    ['procurement.46.product.Apples', null],
    ['warehouse.46', null],
  ])('%s → %s', (subject, warehouse) => {
    expect(subjectWarehouse(subject)).toBe(warehouse);
  });
});

describe('parseHeaderPrefix: the one setting of every publisher and reader', () => {
  it('given nothing, then the default prefix', () => {
    expect(parseHeaderPrefix(undefined, 'X')).toEqual({ ok: true, prefix: DEFAULT_HEADER_PREFIX });
    expect(DEFAULT_HEADER_PREFIX).toBe('myorg');
  });

  it.each(['acme', 'ACME_2', 'a-b', 'x', 'p'.repeat(MAX_HEADER_PREFIX_LENGTH)])(
    'given %s, then it is the prefix and makes valid header names',
    (prefix) => {
      expect(parseHeaderPrefix(prefix, 'X')).toEqual({ ok: true, prefix });
      for (const name of Object.values(headerNames(prefix))) expect(name).toMatch(/^[\x21-\x39\x3b-\x7e]+$/);
    },
  );

  it.each<[unknown, string]>([
    ['', 'headerPrefix is empty'],
    ['my org', 'headerPrefix "my org" contains space'],
    ['acme:', 'headerPrefix "acme:" contains ":"'],
    ['äcme', 'headerPrefix "äcme" contains "ä"'],
    ['line\n', 'headerPrefix "line\n" contains "\n"'],
    [
      'p'.repeat(MAX_HEADER_PREFIX_LENGTH + 1),
      `headerPrefix is ${MAX_HEADER_PREFIX_LENGTH + 1} characters long`,
    ],
    [42, 'headerPrefix must be text, not 42'],
    [null, 'headerPrefix must be text, not null'],
  ])('given %j, then refused: %s', (value, reason) => {
    const parsed = parseHeaderPrefix(value, 'headerPrefix');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.message).toContain(reason);
      expect(parsed.message).toContain(
        'allowed are letters A–Z a–z, digits 0–9, "_" and "-", 1 to 32 characters',
      );
    }
  });
});
