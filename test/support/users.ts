/** The demo users of nats-server.conf and their documented demo passwords. */
export const PASSWORDS = {
  admin: 'stockwire-admin',
  manager: 'stockwire-manager',
  marketing: 'stockwire-marketing',
  procurement: 'stockwire-procurement',
  display: 'stockwire-display',
  services: 'stockwire-services',
} as const;

export type User = keyof typeof PASSWORDS;
export const BROWSER_USERS = ['manager', 'marketing', 'procurement', 'display'] as const;
