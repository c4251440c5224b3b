/**
 * The notifier's engine: watches `stock_levels` and `stock_thresholds`, lets the core's CrossingTracker decide,
 * and publishes each `stock.low` with a message id derived from the key and the revisions behind the decision.
 *
 * What it remembers across restarts lives in PROCUREMENT_EVENTS itself: on start it reads the last `stock.low` of
 * every key, and a key with an alert on record counts as below until it is seen at or above its threshold again.
 * So a restart never repeats an alert, inside the server's 2-minute dedupe window or long after it. Within a run,
 * the id makes a retried publish safe.
 */
import { decodeProcurementMessage } from '../../core/codec';
import { stockKey, type HeaderNames } from '../../core/events';
import { CrossingTracker, type LowAlert } from '../../core/notifier-state';
import { parseStockLevel, parseThreshold } from '../../core/stock-level';
import type { LevelObservation } from '../../core/thresholds';
import type { NatsConnection } from '../../nats/connection';
import { watchBucket, type KvChange, type KvWatchBatch } from '../../nats/kv-watch';
import { BUCKETS, STREAMS } from '../../core/resources';
import { checkResources } from '../../nats/provision';
import { publishStockLow } from '../../nats/publish';
import { replayStream, streamState } from '../../nats/replay';
import type { NotifierStatus } from '../../core/worker-status';
import { backoffDelay, sleep, throwIfAborted } from '../../lib/backoff';
import type { Logger } from './log';

type Source = 'levels' | 'thresholds';

export class Notification {
  private tracker: CrossingTracker | undefined;
  private readonly initialDone = { levels: false, thresholds: false };
  private alerts = 0;
  private errors = 0;
  private malformed = 0;
  private lastLevelRevision = 0;
  private lastThresholdRevision = 0;
  readonly startedMs: number;

  constructor(
    private readonly log: Logger,
    /** The deployment's event header names (docs/architecture.md#subjects-and-headers). */
    private readonly names: HeaderNames,
    /** Who the alerts say published them: the user this worker signs in as (docs/architecture.md#who-did-it). */
    private readonly user: string,
    private readonly now: () => number = Date.now,
  ) {
    this.startedMs = now();
  }

  countError(): void {
    this.errors += 1;
  }

  status(): NotifierStatus {
    return {
      worker: 'notifier',
      keys: this.tracker?.keyCount ?? 0,
      below: this.tracker?.belowCount() ?? 0,
      alerts: this.alerts,
      errors: this.errors,
      malformed: this.malformed,
      lastLevelRevision: this.lastLevelRevision,
      lastThresholdRevision: this.lastThresholdRevision,
      phase: this.tracker?.isLive ? 'live' : 'starting',
      startedMs: this.startedMs,
      updatedMs: this.now(),
    };
  }

  /** One connection's worth of work: remember (once per process), then follow both buckets. */
  async run(nc: NatsConnection, signal: AbortSignal): Promise<void> {
    await checkResources(nc, ['procurement', 'stockLevels', 'stockThresholds']);
    if (!this.tracker) {
      const remembered = await this.rememberAlerts(nc, signal);
      this.tracker = new CrossingTracker(remembered);
      this.log.info('remembered the last alert of each key', { keys: remembered.size });
    }
    const tracker = this.tracker;
    this.initialDone.levels = false;
    this.initialDone.thresholds = false;

    // Both watches feed one queue, so decisions are made one change at a time.
    const queue: { source: Source; batch: KvWatchBatch }[] = [];
    let wake: (() => void) | null = null;
    let failure: unknown;
    const notify = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    const stopped = new AbortController();
    stopped.signal.addEventListener('abort', notify, { once: true });
    const stop = () => stopped.abort();
    signal.addEventListener('abort', stop, { once: true });
    const pump = async (source: Source, bucket: string) => {
      try {
        for await (const batch of watchBucket(nc, { bucket, signal: stopped.signal })) {
          queue.push({ source, batch });
          notify();
        }
      } catch (err) {
        failure ??= err;
      } finally {
        if (!stopped.signal.aborted) failure ??= new Error(`the watch of bucket ${bucket} ended`);
        stopped.abort();
      }
    };
    const pumps = [pump('levels', BUCKETS.stockLevels), pump('thresholds', BUCKETS.stockThresholds)];

    try {
      while (!stopped.signal.aborted) {
        const item = queue.shift();
        if (!item) {
          if (stopped.signal.aborted) break;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          continue;
        }
        const alerts: LowAlert[] = [];
        for (const entry of item.batch.entries) alerts.push(...this.apply(tracker, item.source, entry));
        if (item.batch.initialDone) this.initialDone[item.source] = true;
        if (!tracker.isLive && this.initialDone.levels && this.initialDone.thresholds) {
          alerts.push(...tracker.goLive(this.now()));
          this.log.info('following stock levels and thresholds', {
            keys: tracker.keyCount,
            below: tracker.belowCount(),
            alertsNow: alerts.length,
          });
        }
        for (const alert of alerts) await this.publish(nc, alert, signal);
      }
    } finally {
      signal.removeEventListener('abort', stop);
      stopped.abort();
      await Promise.all(pumps);
    }
    throwIfAborted(signal);
    throw failure instanceof Error ? failure : new Error('the watches stopped');
  }

  private apply(tracker: CrossingTracker, source: Source, entry: KvChange): LowAlert[] {
    if (source === 'thresholds') {
      this.lastThresholdRevision = Math.max(this.lastThresholdRevision, entry.revision);
      let threshold: number | null = null;
      if (entry.operation === 'PUT') {
        threshold = parseThreshold(entry.value);
        if (threshold === null) {
          this.malformed += 1;
          this.log.warn('unusable threshold ignored; the default applies', {
            key: entry.key,
            revision: entry.revision,
          });
        }
      }
      return tracker.setThreshold(entry.key, { threshold, revision: entry.revision }, entry.createdMs);
    }
    this.lastLevelRevision = Math.max(this.lastLevelRevision, entry.revision);
    if (entry.operation !== 'PUT') return tracker.setLevel(entry.key, null, entry.createdMs);
    const level = parseStockLevel(entry.value);
    if (!level.ok || stockKey(level.warehouse, level.product_name) !== entry.key) {
      this.malformed += 1;
      this.log.warn('unreadable stock level ignored', {
        key: entry.key,
        revision: entry.revision,
        reason: level.ok ? 'warehouse and product do not match the key' : level.reason,
      });
      return [];
    }
    return tracker.setLevel(
      entry.key,
      {
        warehouse: level.warehouse,
        product: level.product_name,
        quantity: level.quantity,
        revision: entry.revision,
      },
      entry.createdMs,
    );
  }

  private async publish(nc: NatsConnection, alert: LowAlert, signal: AbortSignal): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      // Shutdown lets a first attempt go out, not retries.
      if (attempt > 0) throwIfAborted(signal);
      const result = await publishStockLow(nc, alert.low, {
        id: alert.id,
        timestampMs: alert.atMs,
        names: this.names,
        user: this.user,
      });
      if (result.ok) {
        if (!result.duplicate) this.alerts += 1;
        this.log.info('stock.low published', {
          key: alert.key,
          id: alert.id,
          quantity: alert.low.quantity,
          threshold: alert.low.threshold,
          seq: result.seq,
          duplicate: result.duplicate,
        });
        return;
      }
      this.errors += 1;
      if (result.kind === 'invalid' || result.kind === 'permission') {
        // Retrying cannot help; the key's next crossing gets its own attempt.
        this.log.error('stock.low refused', { key: alert.key, id: alert.id, reason: result.message });
        return;
      }
      const delay = backoffDelay(attempt);
      this.log.warn('stock.low not published; retrying with the same id', {
        key: alert.key,
        id: alert.id,
        reason: result.message,
        retryInMs: delay,
      });
      await sleep(delay, signal);
    }
  }

  /** The last `stock.low` of every key in PROCUREMENT_EVENTS, as the observation it was made on. */
  private async rememberAlerts(
    nc: NatsConnection,
    signal: AbortSignal,
  ): Promise<Map<string, LevelObservation>> {
    const remembered = new Map<string, LevelObservation>();
    const { lastSeq } = await streamState(nc, STREAMS.procurement);
    if (lastSeq === 0) return remembered;
    const done = new AbortController();
    const stop = () => done.abort();
    signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const batch of replayStream(nc, {
        stream: STREAMS.procurement,
        fromSeq: 1,
        signal: done.signal,
      })) {
        for (const m of batch.messages) {
          const decoded = decodeProcurementMessage(m, this.names);
          if (decoded.kind !== 'low') continue;
          const { meta, low } = decoded;
          remembered.set(stockKey(meta.warehouse, meta.product), {
            quantity: low.quantity,
            threshold: low.threshold,
          });
        }
        if (batch.caughtUp || batch.messages.some((m) => m.seq >= lastSeq)) break;
      }
    } finally {
      signal.removeEventListener('abort', stop);
      done.abort();
    }
    throwIfAborted(signal);
    return remembered;
  }
}
