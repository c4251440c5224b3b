/**
 * The Node workers at a chain's size. The projector is measured from scratch on a store that an earlier run may
 * have projected already: its durable and the `stock_levels` bucket's content are removed first, so it
 * rebuilds every key as after a new deployment; then live, at a busy rate.
 */
import { BUCKETS, STREAMS } from '../../src/core/resources';
import type { NatsConnection } from '../../src/nats/connection';
import { jetStreamManagerOf } from '../../src/nats/jetstream-api';
import { kvStreamName, PROJECTOR_DURABLE } from '../../src/nats/names';
import { durablePosition } from '../../src/nats/durable';
import type { Cleanup } from './cleanup';
import { lastSeqOf } from './live-seen';
import { startWorker, type ProjectorProcess } from './projector-run';
import type { BenchSimulator } from './simulator';
import { withTimeout } from './timeout';

export async function resetProjector(admin: NatsConnection): Promise<void> {
  const jsm = await jetStreamManagerOf(admin);
  const durables = await jsm.consumers.list(STREAMS.warehouse).next();
  if (durables.some((c) => c.name === PROJECTOR_DURABLE))
    await jsm.consumers.delete(STREAMS.warehouse, PROJECTOR_DURABLE);
  await jsm.streams.purge(kvStreamName(BUCKETS.stockLevels));
}

export interface ProjectorLive {
  sent: number;
  /** Events a second the publisher reached. */
  publishedEps: number;
  /** From the last publish until the projector's durable had acknowledged everything. */
  drainMs: number;
}

/**
 * The projector, caught up (the process that rebuilt the bucket: a new one would fold the stream again first),
 * while `rate` events a second arrive for `seconds`: it keeps up when its durable
 * has acknowledged the last event shortly after the last publish.
 */
export async function projectorLive(
  admin: NatsConnection,
  projector: ProjectorProcess,
  live: BenchSimulator,
  options: { rate: number; seconds: number; timeoutMs: number },
): Promise<ProjectorLive> {
  await withTimeout('the projector to be ready', options.timeoutMs, projector.ready);
  const started = Date.now();
  const sentAt = await live.publishAtRate(admin, options.rate, options.seconds);
  const publishedMs = Date.now();
  const last = lastSeqOf(sentAt);
  const deadline = publishedMs + options.timeoutMs;
  for (;;) {
    const position = await durablePosition(admin, STREAMS.warehouse, PROJECTOR_DURABLE);
    if (position && position.ackFloorSeq >= last) break;
    if (Date.now() > deadline) throw new Error(`the projector had not acknowledged #${last} in time`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    sent: sentAt.size,
    publishedEps: Math.round((sentAt.size * 1000) / (publishedMs - started)),
    drainMs: Date.now() - publishedMs,
  };
}

/** The notifier from its start until it follows every stock level and threshold (and raised what is low). */
export async function notifierStart(cleanup: Cleanup, clientUrl: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  const notifier = startWorker(
    cleanup,
    clientUrl,
    'notifier',
    (msg) => msg === 'following stock levels and thresholds',
  );
  try {
    const { atMs } = await withTimeout('the notifier to follow the bucket', timeoutMs, notifier.ready);
    return atMs - started;
  } finally {
    await notifier.stop();
  }
}
