import { describe, expect, it } from 'vitest';
import { parseProcurementSearch, trailOf } from './procurement-search';

describe("the procurement page's address", () => {
  it('given a warehouse and a product, then the trail of its total is open', () => {
    const search = parseProcurementSearch({ warehouse: '46', product: 'Apples' });
    expect(trailOf(search)).toEqual({ warehouse: '46', product: 'Apples', location: null });
  });

  it('given one name without the other, or a bad one, then no trail is open', () => {
    for (const raw of [{ warehouse: '46' }, { product: 'Apples' }, { warehouse: '46', product: 'a b' }]) {
      expect(parseProcurementSearch(raw)).toEqual({});
      expect(trailOf(parseProcurementSearch(raw))).toBeNull();
    }
  });
});
