/**
 * The replay path Stockwire's Node-side measurement uses: the engine's, a push consumer on a plain
 * subscription (src/nats/push-replay.ts), on the connection's own inbox prefix.
 */
import type { NatsConnection } from '../../src/nats/connection';
import { inboxPrefixFor } from '../../src/nats/names';
import { pushReplay } from '../../src/nats/push-replay';
import type { ReplayOptions } from '../../src/nats/replay';

export const stockwireReplay = (nc: NatsConnection, options: ReplayOptions & { heartbeatMs?: number }) =>
  pushReplay(nc, { ...options, inboxPrefix: inboxPrefixFor('admin') });
