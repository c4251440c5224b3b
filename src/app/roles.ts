/**
 * What the UI offers to each role. The server enforces the real permissions (ARCHITECTURE §4); this only
 * keeps users from seeing forms that would be refused anyway.
 */
export type Role = 'manager' | 'marketing' | 'procurement' | 'display' | 'viewer';
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

export function roleOf(user: string): Role {
  return user === 'manager' || user === 'marketing' || user === 'procurement' || user === 'display'
    ? user
    : 'viewer';
}

export function pagesFor(role: Role): Page[] {
  return PAGES[role];
}

export function canPublishStock(role: Role): boolean {
  return role === 'manager';
}

export function canEditThresholds(role: Role): boolean {
  return role === 'procurement';
}
