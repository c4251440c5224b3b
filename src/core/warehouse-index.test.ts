import { describe, expect, it } from 'vitest';
import { decodeWarehouseIndex, encodeWarehouseIndex, warehouseIndexName } from './warehouse-index';

describe('warehouse index', () => {
  it('lists the chain’s warehouses in code-point order, found by a name of its views version', () => {
    expect(warehouseIndexName(4)).toBe('warehouses/v4/index');
    expect(decodeWarehouseIndex(encodeWarehouseIndex(['52', '46', 'Kühlhaus']))).toEqual([
      '46',
      '52',
      'Kühlhaus',
    ]);
    expect(decodeWarehouseIndex(encodeWarehouseIndex([]))).toEqual([]);
  });

  it('given bytes that are not an index, then none, without throwing', () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    for (const bad of ['', 'null', '[]', '{"warehouses":[1]}', '{"warehouses":"46"}', '{']) {
      expect(decodeWarehouseIndex(bytes(bad))).toBeNull();
    }
    expect(decodeWarehouseIndex(new Uint8Array([0xff, 0xfe]))).toBeNull();
  });
});
