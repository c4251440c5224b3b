/**
 * The object store client of a connection, on its JetStream API (jetstream-api.ts). A file of its own so that
 * what reads no checkpoint — the replay pump — does not bundle the object store library (npm run bench:
 * initial JS).
 */
import { jetstream, type JetStreamManagerOptions, type JetStreamOptions } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { Objm } from '@nats-io/obj';
import { apiPrefixOf } from './jetstream-api';

/** The object store opens a JetStream manager of its client's options: no account check there either. */
export function objectStoreManagerOf(
  nc: NatsConnection,
  options: Omit<JetStreamOptions, 'apiPrefix'> = {},
): Objm {
  const managerOptions: JetStreamManagerOptions = { ...options, apiPrefix: apiPrefixOf(nc), checkAPI: false };
  return new Objm(jetstream(nc, managerOptions));
}
