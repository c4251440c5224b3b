/**
 * Low-stock thresholds (`stock_thresholds` bucket, docs/architecture.md#jetstream-resources) and the
 * notifier's decision. "Low" means strictly below the threshold; "out" means nothing (or less than nothing)
 * left, whatever the threshold.
 */
import type { StockLow } from './events';

export const DEFAULT_THRESHOLD = 10;
export const DEFAULT_THRESHOLD_KEY = 'default';
export const MAX_THRESHOLD = 1_000_000_000;

export type StockStatus = 'ok' | 'low' | 'out';

export function status(quantity: number, threshold: number): StockStatus {
  if (quantity <= 0) return 'out';
  return quantity < threshold ? 'low' : 'ok';
}

export function isBelow(quantity: number, threshold: number): boolean {
  return quantity < threshold;
}

/**
 * The threshold for a `<warehouse>.<product>` key: its own entry, else the bucket's `default` entry, else
 * DEFAULT_THRESHOLD.
 */
export function thresholdFor(thresholds: ReadonlyMap<string, number>, key: string): number {
  return thresholds.get(key) ?? thresholds.get(DEFAULT_THRESHOLD_KEY) ?? DEFAULT_THRESHOLD;
}

export interface LevelObservation {
  quantity: number;
  threshold: number;
}

/**
 * Whether a key has just become low: fires only when it was at or above its threshold and now is below.
 * While it stays low nothing fires; it must recover (reach the threshold again) before it can fire again.
 * A changed threshold alone can make it fire (8 units, threshold raised from 5 to 10). A key seen for the
 * first time (`previous` undefined) counts as not low before, so it fires if it is low now.
 */
export function lowStockCrossing(previous: LevelObservation | undefined, next: LevelObservation): boolean {
  const wasBelow = previous !== undefined && isBelow(previous.quantity, previous.threshold);
  return !wasBelow && isBelow(next.quantity, next.threshold);
}

/** The payload of the `stock.low` event for a crossing. */
export function stockLowPayload(warehouse: string, product: string, next: LevelObservation): StockLow {
  return { product_name: product, warehouse, quantity: next.quantity, threshold: next.threshold };
}

export type ThresholdInput = { ok: true; threshold: number } | { ok: false; message: string };

/** A threshold typed into a form: a whole number from 0 to MAX_THRESHOLD. */
export function validateThreshold(raw: string): ThresholdInput {
  const text = raw.trim();
  if (text === '') return { ok: false, message: 'Threshold is required' };
  if (!/^\d+$/.test(text)) {
    return { ok: false, message: `Threshold "${text.slice(0, 20)}" must be a whole number, 0 or more` };
  }
  const threshold = Number(text);
  if (threshold > MAX_THRESHOLD) {
    return { ok: false, message: `Threshold must be at most ${MAX_THRESHOLD}` };
  }
  return { ok: true, threshold };
}

/** The canonical `stock_thresholds` value. */
export function thresholdJson(threshold: number): string {
  return JSON.stringify({ threshold });
}
