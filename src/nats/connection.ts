/**
 * Options shared by the Node and browser connect functions, and the connection type other layers pass
 * around without importing @nats-io/* themselves.
 */
import type { ConnectionOptions, NatsConnection } from '@nats-io/nats-core';
import { splitServerList } from '../core/server-list';
import { inboxPrefixFor } from './names';

export type { NatsConnection };

export interface ConnectOptions {
  /** One URL, a comma-separated list, or an array: a cluster is reached through any node that is up. */
  servers: string | string[];
  user?: string;
  password?: string;
  /** Where replies and deliveries to this connection go; `_INBOX_<user>` unless given. */
  inboxPrefix?: string;
  /** Shown in the server's /connz, e.g. "projector" or "display-hall-2". */
  name?: string;
  /**
   * Keep trying when the server is down at start-up (wall displays, workers). When false, the first
   * attempt fails with an error the caller can show.
   */
  waitOnFirstConnect?: boolean;
  /** -1 (default) = never give up after a disconnect. */
  maxReconnectAttempts?: number;
  /** Time allowed for each connection attempt (the first and every reconnect), ms. */
  timeoutMs?: number;
  /**
   * TCP (Node) only: trust the CA in this PEM file for the server's certificate, and refuse a server that
   * does not offer TLS. The browser's WebSocket uses the system's trust store; wsconnect refuses this option.
   */
  tls?: { caFile?: string };
}

/** Long enough for a WebSocket and TLS handshake over a slow link. */
const DIAL_TIMEOUT_MS = 5000;

/** Options common to both transports: reconnect forever, notice a dead link within about a minute. */
export function connectionOptions(options: ConnectOptions): ConnectionOptions {
  const { servers, user, password, name, waitOnFirstConnect = false, maxReconnectAttempts = -1 } = options;
  return {
    // nats.js takes a string as one URL; a comma-separated list (sign-in form, config.json) names a cluster.
    servers: typeof servers === 'string' ? splitServerList(servers) : servers,
    ...(user !== undefined ? { user, inboxPrefix: options.inboxPrefix ?? inboxPrefixFor(user) } : {}),
    ...(password !== undefined ? { pass: password } : {}),
    ...(name !== undefined ? { name } : {}),
    waitOnFirstConnect,
    maxReconnectAttempts,
    // The defaults (2 s, 10 attempts, 2-minute pings) leave a wall display dead after ~30 s and notice
    // a silent link only after minutes (docs/platform-notes.md#the-natsjs-client).
    reconnectTimeWait: 1000,
    reconnectJitter: 500,
    reconnectJitterTLS: 500,
    pingInterval: 20_000,
    maxPingOut: 3,
    // A wrong password must fail fast instead of retrying forever.
    ignoreAuthErrorAbort: false,
    // Each connection attempt, first or reconnect, waits at most this long for the server's first answer. An
    // attempt that lands on a server in the middle of shutting down is never answered, and with nats.js's 20 s
    // default a wall display stayed offline for 20 s after the server was back (e2e/display.spec.ts).
    timeout: options.timeoutMs ?? DIAL_TIMEOUT_MS,
    ...(options.tls !== undefined
      ? { tls: options.tls.caFile !== undefined ? { caFile: options.tls.caFile } : {} }
      : {}),
  };
}
