import { describe, expect, it } from 'vitest';
import { parseWarehouseSearch, trailOf } from './warehouse-search';

describe("the warehouse page's address", () => {
  it('given a warehouse, a product and a location, then the trail of that cell is open', () => {
    const search = parseWarehouseSearch({ warehouse: '46', product: 'Apples', location: 'A01' });
    expect(search).toEqual({ warehouse: '46', product: 'Apples', location: 'A01' });
    expect(trailOf(search, '46')).toEqual({ warehouse: '46', product: 'Apples', location: 'A01' });
  });

  it("given a product without a location, then the trail is of the product's total", () => {
    expect(trailOf(parseWarehouseSearch({ product: 'Apples' }), '52')).toEqual({
      warehouse: '52',
      product: 'Apples',
      location: null,
    });
  });

  it('given bad values, then each is dropped and the rest kept', () => {
    expect(parseWarehouseSearch({ warehouse: '4 6', product: 'Apples', location: 'A01' })).toEqual({
      product: 'Apples',
      location: 'A01',
    });
    // A location names nothing without its product.
    expect(parseWarehouseSearch({ warehouse: '46', product: '>', location: 'A01' })).toEqual({
      warehouse: '46',
    });
    expect(trailOf(parseWarehouseSearch({ product: '*' }), '46')).toBeNull();
    expect(trailOf(parseWarehouseSearch({ product: 'Apples' }), null)).toBeNull();
  });
});
