/**
 * What the server grants a signed-in person, read from its own answer (`$SYS.REQ.USER.INFO`: the account the
 * person is in and the subjects it may publish) rather than guessed from the user name. The UI offers only
 * what this says; the server still decides every request (docs/security.md).
 */
import { STOCK_SUBJECT_ROOT } from './events';
import { BUCKETS } from './resources';

export type Role = 'manager' | 'marketing' | 'procurement' | 'display' | 'viewer';

/** `all`, or the warehouses named one by one in the grant. */
export type WarehouseScope = 'all' | readonly string[];

export interface Grants {
  role: Role;
  /** Where stock events may be published; empty when none. */
  stockEvents: WarehouseScope;
  /** Where thresholds may be set (`all` includes the default threshold); empty when none. */
  thresholds: WarehouseScope;
}

/** The accounts people live in (nats-people.conf), by role. */
const ROLE_OF_ACCOUNT: Record<string, Role> = {
  MANAGERS: 'manager',
  MARKETING: 'marketing',
  PROCUREMENT: 'procurement',
  DISPLAYS: 'display',
};

/** What people's accounts import the stream account's JetStream API as (docs/security.md). */
export const DASHBOARD_API_PREFIX = 'JS.STOCK.API';

export interface UserInfo {
  account: string;
  publishAllow: readonly string[];
}

/** Parses the `data` of a `$SYS.REQ.USER.INFO` reply; undefined when it is not one. */
export function parseUserInfo(reply: unknown): UserInfo | undefined {
  if (typeof reply !== 'object' || reply === null) return undefined;
  const data = (reply as { data?: unknown }).data;
  if (typeof data !== 'object' || data === null) return undefined;
  const { account, permissions } = data as { account?: unknown; permissions?: unknown };
  if (typeof account !== 'string') return undefined;
  const allow = (permissions as { publish?: { allow?: unknown } } | undefined)?.publish?.allow;
  const publishAllow = Array.isArray(allow) ? allow.filter((s): s is string => typeof s === 'string') : [];
  return { account, publishAllow };
}

/**
 * The warehouses a list of granted subjects reaches: `prefix<w>suffix` names one, a wildcard in place of
 * `<w>` (or `prefix>`) every one.
 */
function scopeOf(allow: readonly string[], prefix: string, suffix: string): WarehouseScope {
  const warehouses: string[] = [];
  for (const subject of allow) {
    if (subject === `${prefix}>`) return 'all';
    if (!subject.startsWith(prefix) || !subject.endsWith(suffix)) continue;
    const warehouse = subject.slice(prefix.length, subject.length - suffix.length);
    if (warehouse === '*') return 'all';
    if (warehouse !== '' && !warehouse.includes('.')) warehouses.push(warehouse);
  }
  return warehouses;
}

export function grantsOf(info: UserInfo): Grants {
  const role = ROLE_OF_ACCOUNT[info.account] ?? 'viewer';
  const allow = info.publishAllow;
  return {
    role,
    stockEvents: scopeOf(allow, `${STOCK_SUBJECT_ROOT}.`, '.product.*'),
    thresholds: scopeOf(allow, `${DASHBOARD_API_PREFIX}.$KV.${BUCKETS.stockThresholds}.`, '.*'),
  };
}

export function inScope(scope: WarehouseScope, warehouse: string): boolean {
  return scope === 'all' || scope.includes(warehouse);
}

export function hasAny(scope: WarehouseScope): boolean {
  return scope === 'all' || scope.length > 0;
}

/** "every warehouse" or "warehouses 46, 52", for the header. */
export function describeScope(scope: WarehouseScope): string {
  if (scope === 'all') return 'every warehouse';
  if (scope.length === 1) return `warehouse ${scope[0]}`;
  return `warehouses ${scope.join(', ')}`;
}
