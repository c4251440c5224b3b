/**
 * Which JetStream API a connection talks to. Workers and the command line sign in to the account that holds
 * the streams and use `$JS.API` directly; people sign in to the dashboard account, which reaches the same
 * API only through the subjects it imports under DASHBOARD_API_PREFIX (docs/security.md: replies then come
 * back through the server's reply mapping, so no requester chooses where JetStream writes them).
 */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamOptions } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { DASHBOARD_API_PREFIX } from '../core/grants';

export const DIRECT_API_PREFIX = '$JS.API';
export { DASHBOARD_API_PREFIX };

const prefixes = new WeakMap<NatsConnection, string>();

/** Called by the connect function that opened `nc`, which knows which account its users live in. */
export function setApiPrefix(nc: NatsConnection, prefix: string): void {
  prefixes.set(nc, prefix);
}

export function apiPrefixOf(nc: NatsConnection): string {
  return prefixes.get(nc) ?? DIRECT_API_PREFIX;
}

export function jetStreamOf(
  nc: NatsConnection,
  options: Omit<JetStreamOptions, 'apiPrefix'> = {},
): JetStreamClient {
  return jetstream(nc, { ...options, apiPrefix: apiPrefixOf(nc) });
}

/**
 * `checkAPI: false` unless asked: only `admin` may read the account information (`$JS.API.INFO`) that the
 * check requests.
 */
export function jetStreamManagerOf(
  nc: NatsConnection,
  options: Omit<JetStreamOptions, 'apiPrefix'> & { checkAPI?: boolean } = {},
) {
  return jetstreamManager(nc, { checkAPI: false, ...options, apiPrefix: apiPrefixOf(nc) });
}
