import { describe, expect, it } from 'vitest';
import { parseDisplayParams } from './display-params';

describe('parseDisplayParams', () => {
  it('reads panels, warehouse, rotation and servers, and no credential', () => {
    expect(
      parseDisplayParams(
        '?panels=sales,stock&warehouse=46&rotate=30&server=ws://a:9222&user=display&password=pw',
      ),
    ).toEqual({
      servers: 'ws://a:9222',
      panels: ['sales', 'stock'],
      warehouse: '46',
      rotateSeconds: 30,
      problems: [],
    });
  });

  it('shows every panel tiled by default and reports what it could not use', () => {
    const params = parseDisplayParams('?panels=sales,weather&rotate=soon');
    expect(params.panels).toEqual(['sales']);
    expect(params.rotateSeconds).toBe(0);
    expect(params.problems).toEqual([
      'unknown panel(s) weather; choose from sales, low-stock, stock',
      'rotate=soon is not a number of seconds',
    ]);
    expect(parseDisplayParams('').panels).toEqual(['sales', 'low-stock', 'stock']);
  });

  it('given a rotation faster than 5 s, then it rotates every 5 s and says why', () => {
    const params = parseDisplayParams('?rotate=2');
    expect(params.rotateSeconds).toBe(5);
    expect(params.problems).toEqual(['rotate=2 is too fast to read; rotating every 5 s']);
  });

  it('given rotate=0, then the panels are tiled and nothing is said', () => {
    const params = parseDisplayParams('?rotate=0');
    expect(params.rotateSeconds).toBe(0);
    expect(params.problems).toEqual([]);
  });
});
