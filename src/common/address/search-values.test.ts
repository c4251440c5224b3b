import { describe, expect, it } from 'vitest';
import { countValue, locationValue, textValue, tokenValue, MAX_TEXT_CHARS } from './search-values';
import { parseQueryString, stringifyQueryString } from './query-string';
import { asOfMs, parseAsOf } from './as-of';

describe('reading an address', () => {
  it('given names that are no subject token, when read as names, then they are dropped', () => {
    expect(tokenValue({ warehouse: '46' }, 'warehouse')).toBe('46');
    expect(tokenValue({ warehouse: 'a.b' }, 'warehouse')).toBeUndefined();
    expect(tokenValue({ warehouse: '' }, 'warehouse')).toBeUndefined();
    expect(tokenValue({ warehouse: 'x'.repeat(65) }, 'warehouse')).toBeUndefined();
    expect(tokenValue({ warehouse: 46 }, 'warehouse')).toBeUndefined();
    expect(tokenValue({}, 'warehouse')).toBeUndefined();
  });

  it('keeps a location that is payload text and drops one with control characters', () => {
    expect(locationValue({ location: 'Kühlraum ❄' }, 'location')).toBe('Kühlraum ❄');
    expect(locationValue({ location: 'A\u0000' }, 'location')).toBeUndefined();
    expect(locationValue({ location: '   ' }, 'location')).toBeUndefined();
  });

  it('keeps free text up to its limit and counts that are positive whole numbers', () => {
    expect(textValue({ text: 'crushed' }, 'text')).toBe('crushed');
    expect(textValue({ text: 'x'.repeat(MAX_TEXT_CHARS + 1) }, 'text')).toBeUndefined();
    expect(countValue({ event: '12' }, 'event')).toBe(12);
    expect(countValue({ event: 12 }, 'event')).toBe(12);
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 60])
      expect(countValue({ event: bad }, 'event')).toBeUndefined();
    for (const bad of ['0', '-1', '1.5', '1e3', ' 1', '99999999999999999', 'abc'])
      expect(countValue({ event: bad }, 'event'), bad).toBeUndefined();
  });

  it('reads every value of a query string as text, and writes back only what is set', () => {
    expect(parseQueryString('?warehouse=46&product=0001&warehouse=52')).toEqual({
      warehouse: '46',
      product: '0001',
    });
    expect(parseQueryString('location=Aisle%203%20%2F%20Bay%202')).toEqual({ location: 'Aisle 3 / Bay 2' });
    expect(stringifyQueryString({ warehouse: '46', product: undefined, text: '', event: 12 })).toBe(
      '?warehouse=46&event=12',
    );
    expect(stringifyQueryString({})).toBe('');
    const location = 'Aisle 3 / Bay 2 & more';
    expect(parseQueryString(stringifyQueryString({ location }))).toEqual({ location });
  });
});

describe('the "as of" moment in an address', () => {
  const now = Date.parse('2026-12-07T20:00:00Z');

  it('given a past UTC moment, then it is kept and read back as the same instant', () => {
    const search = parseAsOf({ asOf: '2026-12-06T14:30:00Z' }, now);
    expect(search).toEqual({ asOf: '2026-12-06T14:30:00.000Z' });
    expect(asOfMs(search)).toBe(Date.parse('2026-12-06T14:30:00Z'));
  });

  it('given a moment not yet happened, a local time, or nonsense, then the page is live', () => {
    for (const bad of ['2026-12-08T00:00:00Z', '2026-12-06T14:30', '2026-13-40T99:99:00Z', 'yesterday', ''])
      expect(parseAsOf({ asOf: bad }, now), bad).toEqual({ asOf: undefined });
    expect(parseAsOf({ asOf: 5 }, now)).toEqual({ asOf: undefined });
    expect(asOfMs({})).toBeNull();
  });
});
