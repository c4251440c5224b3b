export type Role = 'manager' | 'marketing' | 'procurement' | 'display';
export interface Person {
  user: string;
  role: Role;
  /** The warehouses this person may act on; every warehouse when absent. */
  warehouses?: string[];
  password_hash: string;
}
export declare const REPO_ROOT: string;
export declare const PEOPLE_PATH: string;
export declare const PEOPLE_CONF_PATH: string;
export declare const ROLE_ACCOUNTS: Record<Role, string>;
export declare const ROLES: Role[];
export declare const STOCK_ACCOUNT: string;
export declare const API_PREFIX: string;
export declare const READABLE_STREAMS: Record<string, string>;
export declare const WORKER_DURABLES: string[];
export declare const PEOPLE_ACCOUNT_LIMITS: {
  max_connections: number;
  max_subscriptions: number;
  max_payload: number;
};
export declare function personProblem(person: unknown): string | undefined;
export declare function readPeople(path?: string): { note?: string; people: Person[] };
export declare function checkPeople(people: Person[]): void;
export declare function writePeople(
  people: Person[],
  options?: { note?: string; path?: string; confPath?: string },
): void;
export declare function renderPeopleConf(people: Person[]): string;
export declare function stockExports(): Map<string, string[]>;
export declare function renderStockExports(indent?: string): string;
