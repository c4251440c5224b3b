/**
 * What "each crossing alerted at most once" means when the notifier only sees the values the projector wrote
 * (a batch can hide intermediate levels) and forgets nothing but may miss a crossing while it is down: every
 * alert must belong to its own low run of the key's fold sequence — a maximal stretch below the threshold that
 * began with a crossing (lowStockCrossing) — and alerts of one key take their runs in order. Two alerts in one
 * run are a duplicate; an alert whose quantity is in no later run fired without a crossing.
 */
import { lowStockCrossing, type LevelObservation } from '../../../src/core/thresholds';

export interface AlertSeen {
  key: string;
  id: string;
  quantity: number;
  threshold: number;
}

/** Per key, the quantities of each low run, in order. */
export function lowRuns(
  quantitiesByKey: ReadonlyMap<string, readonly number[]>,
  threshold: number,
): Map<string, Set<number>[]> {
  const runs = new Map<string, Set<number>[]>();
  for (const [key, quantities] of quantitiesByKey) {
    const mine: Set<number>[] = [];
    let previous: LevelObservation | undefined;
    for (const quantity of quantities) {
      const next = { quantity, threshold };
      if (lowStockCrossing(previous, next)) mine.push(new Set());
      if (quantity < threshold) mine[mine.length - 1]!.add(quantity);
      previous = next;
    }
    runs.set(key, mine);
  }
  return runs;
}

/** Problems, one line each; empty when every alert has a low run of its own. */
export function unmatchedAlerts(
  alerts: readonly AlertSeen[],
  runs: ReadonlyMap<string, readonly Set<number>[]>,
  threshold: number,
): string[] {
  const problems: string[] = [];
  const nextRun = new Map<string, number>();
  const ids = new Set<string>();
  for (const alert of alerts) {
    if (ids.has(alert.id)) problems.push(`${alert.key}: alert id ${alert.id} stored twice`);
    ids.add(alert.id);
    if (alert.threshold !== threshold) {
      problems.push(`${alert.key}: alert with threshold ${alert.threshold}, expected ${threshold}`);
    }
    const mine = runs.get(alert.key) ?? [];
    let r = nextRun.get(alert.key) ?? 0;
    while (r < mine.length && !mine[r]!.has(alert.quantity)) r++;
    if (r >= mine.length) {
      problems.push(
        `${alert.key}: alert ${alert.id} (quantity ${alert.quantity}) has no crossing of its own ` +
          `(${mine.length} low runs, ${nextRun.get(alert.key) ?? 0} already alerted)`,
      );
    } else nextRun.set(alert.key, r + 1);
  }
  return problems;
}
