/**
 * The notifier's memory and decisions, apart from any I/O: it is told every stock level and threshold (as the KV
 * watches deliver them) and answers with the `stock.low` alerts to publish. One alert per crossing from at/above
 * the threshold to below it (thresholds.ts, `lowStockCrossing`); the key must recover before it can fire again.
 *
 * What a restarted notifier remembers is given to the constructor: for each key, the observation of its last
 * alert (from PROCUREMENT_EVENTS). A key with an alert on record counts as below until it is seen at or above its
 * threshold, so a restart never repeats an alert.
 */
import type { StockLow } from './events';
import {
  DEFAULT_THRESHOLD_KEY,
  isBelow,
  lowStockCrossing,
  stockLowPayload,
  thresholdFor,
  type LevelObservation,
} from './thresholds';

export interface LevelInput {
  warehouse: string;
  product: string;
  quantity: number;
  /** The `stock_levels` revision of this value. */
  revision: number;
}

export interface ThresholdInput {
  /** Null when the entry was deleted or its value is unusable: the key falls back to `default`. */
  threshold: number | null;
  /** The `stock_thresholds` revision of this entry (of the delete marker for a deleted one). */
  revision: number;
}

export interface LowAlert {
  key: string;
  /**
   * Message id: the key and the revisions of everything the decision read. The same crossing always gets the same
   * id, so the server drops a re-sent one; a new crossing always has a revision that changed.
   */
  id: string;
  low: StockLow;
  /** When the change that caused it happened (the caller's clock or the entry's time), ms since epoch. */
  atMs: number;
}

/** `stock.low:<key>:<level revision>:<own threshold revision>:<default threshold revision>` */
export function alertId(
  key: string,
  levelRevision: number,
  ownRevision: number,
  defaultRevision: number,
): string {
  return `stock.low:${key}:${levelRevision}:${ownRevision}:${defaultRevision}`;
}

export class CrossingTracker {
  private readonly levels = new Map<string, LevelInput>();
  private readonly thresholdEntries = new Map<string, ThresholdInput>();
  /** Usable thresholds only, as thresholdFor() reads them. */
  private readonly thresholds = new Map<string, number>();
  /** Per key, the observation the last decision was made on (or the last alert on record). */
  private readonly observed = new Map<string, LevelObservation>();
  private live = false;

  constructor(remembered: Iterable<readonly [string, LevelObservation]> = []) {
    for (const [key, observation] of remembered) this.observed.set(key, observation);
  }

  /** A level changed (null: the key was deleted). Before goLive() it is only recorded. */
  setLevel(key: string, level: LevelInput | null, atMs: number): LowAlert[] {
    if (level === null) {
      // The last observation stays: a key deleted and written again while still low is not a new crossing.
      this.levels.delete(key);
      return [];
    }
    this.levels.set(key, level);
    return this.live ? this.evaluate([key], atMs) : [];
  }

  /** A threshold entry changed (`default` concerns every key without a usable threshold of its own). */
  setThreshold(key: string, entry: ThresholdInput, atMs: number): LowAlert[] {
    this.thresholdEntries.set(key, entry);
    if (entry.threshold === null) this.thresholds.delete(key);
    else this.thresholds.set(key, entry.threshold);
    if (!this.live) return [];
    if (key !== DEFAULT_THRESHOLD_KEY) return this.levels.has(key) ? this.evaluate([key], atMs) : [];
    return this.evaluate(
      [...this.levels.keys()].filter((k) => !this.thresholds.has(k)),
      atMs,
    );
  }

  /** The initial values of both buckets are in: decide every key once, from then on decide on every change. */
  goLive(atMs: number): LowAlert[] {
    this.live = true;
    return this.evaluate([...this.levels.keys()], atMs);
  }

  get isLive(): boolean {
    return this.live;
  }

  get keyCount(): number {
    return this.levels.size;
  }

  /** Keys with a level that are below their threshold now. */
  belowCount(): number {
    let n = 0;
    for (const [key, level] of this.levels)
      if (isBelow(level.quantity, thresholdFor(this.thresholds, key))) n++;
    return n;
  }

  private evaluate(keys: Iterable<string>, atMs: number): LowAlert[] {
    const alerts: LowAlert[] = [];
    for (const key of keys) {
      const level = this.levels.get(key);
      if (!level) continue;
      const next: LevelObservation = {
        quantity: level.quantity,
        threshold: thresholdFor(this.thresholds, key),
      };
      const fires = lowStockCrossing(this.observed.get(key), next);
      this.observed.set(key, next);
      if (!fires) continue;
      alerts.push({
        key,
        id: alertId(
          key,
          level.revision,
          this.thresholdEntries.get(key)?.revision ?? 0,
          this.thresholdEntries.get(DEFAULT_THRESHOLD_KEY)?.revision ?? 0,
        ),
        low: stockLowPayload(level.warehouse, level.product, next),
        atMs,
      });
    }
    return alerts;
  }
}
