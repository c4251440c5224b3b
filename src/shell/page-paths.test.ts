import { describe, expect, it } from 'vitest';
import { pageAt, PAGE_PATHS } from './page-paths';

describe('page addresses', () => {
  it('finds the page of each address, with or without a trailing slash, and none for any other', () => {
    for (const [page, path] of Object.entries(PAGE_PATHS)) {
      expect(pageAt(path)).toBe(page);
      expect(pageAt(`${path}/`)).toBe(page);
    }
    expect(pageAt('/')).toBeNull();
    expect(pageAt('/display')).toBeNull();
    expect(pageAt('/warehouse/46')).toBeNull();
  });
});
