import { describe, expect, it } from 'vitest';
import { countFitting, pageOf } from './fitting-pages';

describe('a list on a wall screen', () => {
  it('given items whose bottoms are at 80, 160, 240 in a box 200 high, then two fit', () => {
    expect(countFitting([80, 160, 240], 200)).toBe(2);
  });

  it('given a box smaller than one item, then one still shows, so the list moves on', () => {
    expect(countFitting([80, 160], 50)).toBe(1);
  });

  it('given 25 items and 10 a page, then three pages, the last with 5, and turning wraps around', () => {
    const items = Array.from({ length: 25 }, (_, i) => i);
    expect(pageOf(items, 10, 0)).toEqual({ shown: items.slice(0, 10), page: 0, pages: 3 });
    expect(pageOf(items, 10, 2)).toEqual({ shown: items.slice(20), page: 2, pages: 3 });
    expect(pageOf(items, 10, 3).page).toBe(0);
  });

  it('given no items, then one empty page', () => {
    expect(pageOf([], 10, 4)).toEqual({ shown: [], page: 0, pages: 1 });
  });
});
