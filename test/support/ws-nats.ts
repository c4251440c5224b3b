/** WebSocket connections from Node, as the browser makes them (for test files that use no TCP). */
import { WebSocket } from 'ws';
import { connectBrowser } from '../../src/nats/connect-browser';
import type { NatsConnection } from '../../src/nats/connection';
import { claimTransport } from './transport';
import { LOGINS, type User } from './users';

export function installWebSocket(): void {
  claimTransport('websocket');
  // Node 20 has no WebSocket global; wsconnect would never settle without one.
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
}

export async function connectWs(servers: string, user: User): Promise<NatsConnection> {
  installWebSocket();
  return connectBrowser({ servers, ...LOGINS[user], timeoutMs: 5000 });
}

export async function connectWsError(
  servers: string,
  credentials: { user?: string; password?: string },
): Promise<unknown> {
  installWebSocket();
  try {
    const nc = await connectBrowser({ servers, ...credentials, maxReconnectAttempts: 0, timeoutMs: 5000 });
    await nc.close();
    return undefined;
  } catch (err) {
    return err;
  }
}
