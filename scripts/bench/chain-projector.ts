/**
 * The projector measured from scratch on a store that an earlier run may have projected already: its durable
 * and the `stock_levels` bucket's content are removed first, so it rebuilds every key as after a new deployment.
 */
import { BUCKETS, STREAMS } from '../../src/core/resources';
import type { NatsConnection } from '../../src/nats/connection';
import { jetStreamManagerOf } from '../../src/nats/jetstream-api';
import { kvStreamName, PROJECTOR_DURABLE } from '../../src/nats/names';

export async function resetProjector(admin: NatsConnection): Promise<void> {
  const jsm = await jetStreamManagerOf(admin);
  const durables = await jsm.consumers.list(STREAMS.warehouse).next();
  if (durables.some((c) => c.name === PROJECTOR_DURABLE))
    await jsm.consumers.delete(STREAMS.warehouse, PROJECTOR_DURABLE);
  await jsm.streams.purge(kvStreamName(BUCKETS.stockLevels));
}
