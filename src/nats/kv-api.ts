/**
 * The KV client of a connection, on its JetStream API (jetstream-api.ts). A file of its own so that what needs
 * no bucket — the replay pump — does not bundle the KV library (npm run bench: initial JS).
 */
import type { JetStreamOptions } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetStreamOf } from './jetstream-api';

export function kvManagerOf(nc: NatsConnection, options: Omit<JetStreamOptions, 'apiPrefix'> = {}): Kvm {
  return new Kvm(jetStreamOf(nc, options));
}
