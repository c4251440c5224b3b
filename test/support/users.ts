/**
 * The demo sign-ins (people.json and nats-server.conf), by role: tests name a role and sign in as the demo
 * person who has it. Passwords are the documented demo ones; the server stores only bcrypt hashes.
 */
export const LOGINS = {
  admin: { user: 'admin', password: 'stockwire-admin' },
  services: { user: 'services', password: 'stockwire-services' },
  manager: { user: 'alice', password: 'stockwire-alice' },
  marketing: { user: 'carol', password: 'stockwire-carol' },
  procurement: { user: 'dave', password: 'stockwire-dave' },
  display: { user: 'wall-46', password: 'stockwire-wall-46' },
} as const;

export type User = keyof typeof LOGINS;
export const BROWSER_USERS = ['manager', 'marketing', 'procurement', 'display'] as const;

/** A manager who may act on warehouse 46 only, and the second wall screen. */
export const SCOPED_MANAGER = { user: 'bob', password: 'stockwire-bob', warehouses: ['46'] } as const;
export const SECOND_SCREEN = { user: 'wall-52', password: 'stockwire-wall-52' } as const;

/** Password by role, for call sites that already know the role. */
export const PASSWORDS = Object.fromEntries(
  Object.entries(LOGINS).map(([role, login]) => [role, login.password]),
) as { [R in User]: (typeof LOGINS)[R]['password'] };

export function userName(role: User): string {
  return LOGINS[role].user;
}
