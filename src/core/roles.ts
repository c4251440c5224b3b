/**
 * What the UI offers to each person, from what the server grants (core/grants.ts). The server enforces the
 * real permissions (docs/security.md); this only keeps people from seeing forms that would be refused anyway.
 */
import { hasAny, inScope, type Grants, type Role } from './grants';

export type { Role };
export type Page = 'warehouse' | 'marketing' | 'procurement' | 'quality' | 'events';

export const PAGE_TITLES: Record<Page, string> = {
  warehouse: 'Warehouse',
  marketing: 'Marketing',
  procurement: 'Procurement',
  quality: 'Data quality',
  events: 'Event log',
};

const PAGES: Record<Role, Page[]> = {
  manager: ['warehouse', 'marketing', 'procurement', 'quality', 'events'],
  marketing: ['marketing', 'warehouse', 'quality', 'events'],
  procurement: ['procurement', 'warehouse', 'marketing', 'quality', 'events'],
  display: ['warehouse', 'marketing', 'procurement', 'quality', 'events'],
  viewer: ['warehouse', 'marketing', 'procurement', 'quality', 'events'],
};

export function pagesFor(role: Role): Page[] {
  return PAGES[role];
}

/** In `warehouse`, or in any warehouse when none is chosen yet. */
export function canPublishStock(grants: Grants, warehouse: string | null): boolean {
  return warehouse === null ? hasAny(grants.stockEvents) : inScope(grants.stockEvents, warehouse);
}

export function canEditThresholds(grants: Grants, warehouse: string | null): boolean {
  return warehouse === null ? hasAny(grants.thresholds) : inScope(grants.thresholds, warehouse);
}
