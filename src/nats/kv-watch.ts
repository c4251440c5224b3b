/**
 * Watching a KV bucket (initial values, then updates) and writing thresholds.
 */
import { DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { parseStockKey } from '../core/events';
import { DEFAULT_THRESHOLD_KEY, thresholdJson } from '../core/thresholds';
import { Handoff } from './handoff';
import { BUCKETS } from '../core/resources';
import { kvStreamName, kvSubjectPrefix } from './names';
import { jetStreamOf } from './jetstream-api';
import { kvManagerOf } from './kv-api';

export type KvOperation = 'PUT' | 'DEL' | 'PURGE';

export interface KvChange {
  key: string;
  /** The entry's stream sequence: increases with every write to the bucket. */
  revision: number;
  operation: KvOperation;
  /** Empty for DEL and PURGE. */
  value: Uint8Array;
  createdMs: number;
}

export interface KvWatchBatch {
  entries: KvChange[];
  /** True from the batch that completes the initial values on; also for an empty bucket. */
  initialDone: boolean;
}

export interface WatchBucketOptions {
  bucket: string;
  /** A key or a wildcard key (`46.*`, `>`); several keys need 2.10. */
  key?: string;
  signal: AbortSignal;
  /**
   * Deliver every change from this revision on (the last revision you hold + 1) instead of the
   * latest value per key. Only for callers that kept the full state: keys not changed since are not
   * delivered again.
   */
  resumeFromRevision?: number;
}

const OPERATION_HEADER = 'KV-Operation';

function toChange(m: JsMsg, prefixLength: number): KvChange {
  const op = m.headers?.get(OPERATION_HEADER);
  const operation: KvOperation = op === 'DEL' || op === 'PURGE' ? op : 'PUT';
  return {
    key: m.subject.substring(prefixLength),
    revision: m.seq,
    operation,
    value: operation === 'PUT' ? m.data : new Uint8Array(0),
    // Typed bigint but a plain number at runtime in nats.js 3.4; Number() is right for both.
    createdMs: Math.floor(Number(m.info.timestampNanos) / 1e6),
  };
}

/**
 * Watches a bucket with an ordered push consumer, the same one `kv.watch()` creates (and the server
 * permissions allow), but taken directly so that its initial pending count is known: `kv.watch()` gives no
 * signal at all for an empty bucket since `initializedFn` was removed
 * (docs/platform-notes.md#the-natsjs-client).
 */
export async function* watchBucket(
  nc: NatsConnection,
  options: WatchBucketOptions,
): AsyncGenerator<KvWatchBatch> {
  const { bucket, signal } = options;
  const key = options.key ?? '>';
  if (signal.aborted) return;
  const prefix = kvSubjectPrefix(bucket);
  const resume = options.resumeFromRevision;
  const consumer = await jetStreamOf(nc).consumers.getPushConsumer(kvStreamName(bucket), {
    filter_subjects: `${prefix}${key}`,
    ...(resume !== undefined && resume > 0
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: resume }
      : { deliver_policy: DeliverPolicy.LastPerSubject }),
  });
  const initialCount = (await consumer.info(true)).num_pending;

  const handoff = new Handoff<KvChange>();
  const { buffer } = handoff;
  let delivered = 0;
  let initialDone = initialCount === 0;
  let doneAt = initialDone ? 0 : -1; // index in the delivered sequence where the initial values end
  const messages = await consumer.consume({
    callback: (m) => {
      buffer.push(toChange(m, prefix.length));
      delivered++;
      if (doneAt < 0 && (delivered >= initialCount || m.info.pending === 0)) doneAt = delivered;
      handoff.notify();
    },
  });
  handoff.follow(messages.closed());
  const removeAbortListener = handoff.stopOn(signal, () => messages.close());

  let handedOut = 0;
  try {
    if (initialDone) yield { entries: [], initialDone: true };
    while (!signal.aborted) {
      if (buffer.length === 0) {
        if (handoff.finished) break;
        await handoff.next();
        continue;
      }
      const entries = buffer.splice(0, buffer.length);
      handedOut += entries.length;
      if (!initialDone && doneAt >= 0 && handedOut >= doneAt) initialDone = true;
      yield { entries, initialDone };
    }
    if (!signal.aborted) throw handoff.failure ?? new Error(`the watch of bucket ${bucket} stopped`);
  } finally {
    removeAbortListener();
    await messages.close().catch(() => undefined);
  }
}

/** Sets a threshold: key `<warehouse>.<product>` or `default`; value `{"threshold": n}`. Returns the revision. */
export async function putThreshold(nc: NatsConnection, key: string, threshold: number): Promise<number> {
  if (!Number.isSafeInteger(threshold) || threshold < 0) {
    throw new RangeError(`threshold ${threshold} must be a whole number, zero or more`);
  }
  if (key !== DEFAULT_THRESHOLD_KEY) {
    const parsed = parseStockKey(key);
    if (!parsed.ok) throw new RangeError(parsed.reason);
  }
  const kv = await kvManagerOf(nc).open(BUCKETS.stockThresholds);
  return kv.put(key, thresholdJson(threshold));
}
