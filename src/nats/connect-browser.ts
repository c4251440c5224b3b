/**
 * WebSocket connection, for the browser (and Node processes that installed a global WebSocket).
 * The transport is process-global: a process uses either this or connect-node, never both.
 */
import { wsconnect } from '@nats-io/nats-core';
import { connectionOptions, type ConnectOptions, type NatsConnection } from './connection';
import { DASHBOARD_API_PREFIX, setApiPrefix } from './jetstream-api';
import { personInboxPrefix } from './names';

export type { ConnectOptions, NatsConnection };

/** Only people sign in over WebSocket, and people live in the dashboard account (docs/security.md). */
export async function connectBrowser(options: ConnectOptions): Promise<NatsConnection> {
  const inboxPrefix = options.user !== undefined ? personInboxPrefix(options.user) : undefined;
  const nc = await wsconnect(connectionOptions({ inboxPrefix, ...options }));
  setApiPrefix(nc, DASHBOARD_API_PREFIX);
  return nc;
}
