/**
 * WebSocket connection, for the browser (and Node processes that installed a global WebSocket).
 * The transport is process-global: a process uses either this or connect-node, never both.
 */
import { wsconnect } from '@nats-io/nats-core';
import { connectionOptions, type ConnectOptions, type NatsConnection } from './connection';

export type { ConnectOptions, NatsConnection };

export async function connectBrowser(options: ConnectOptions): Promise<NatsConnection> {
  return wsconnect(connectionOptions(options));
}
