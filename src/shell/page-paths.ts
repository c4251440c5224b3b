/** Where each page lives (docs/architecture.md#addresses). */
import type { Page } from '../core/roles';

export const PAGE_PATHS = {
  warehouse: '/warehouse',
  marketing: '/marketing',
  procurement: '/procurement',
  quality: '/quality',
  events: '/events',
} as const satisfies Record<Page, string>;

export type PagePath = (typeof PAGE_PATHS)[Page];

const PAGES = Object.keys(PAGE_PATHS) as Page[];

/** The page an address shows (the router's pathname, without the app's base), null for any other. */
export function pageAt(pathname: string): Page | null {
  const path = pathname.replace(/\/+$/, '');
  return PAGES.find((page) => PAGE_PATHS[page] === path) ?? null;
}
