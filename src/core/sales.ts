/**
 * Units sold per warehouse × product, bucketed by event time (time is data:
 * docs/architecture.md#time-is-data). Selectors take `now`; the view never reads a clock.
 *
 * Time resolution is one minute, with buckets closed at their end: minute m holds the events with
 * (m − 1)·60 000 < t ≤ m·60 000, hour h holds (h − 1)·3 600 000 < t ≤ h·3 600 000 (t = `myorg_timestamp_ms`).
 * Closing buckets at the end is what makes a window (now − W, now] a union of whole buckets when now is a
 * whole minute. For any other now, the window is (now′ − W, now′] with now′ = now rounded up to the next
 * whole minute, and W is rounded up to whole minutes.
 *
 * Memory: events are not kept, only buckets, and only those of the last HORIZON_HOURS before the newest event
 * time seen (never a clock). An event older than that when it arrives changes no bucket. Only the last
 * DETAIL_HOURS keep their minutes; older hours keep their totals, which is all a comparison with last week
 * needs (docs/architecture.md#sales-windows).
 */
import { draft, draftArray, draftMap, fresh, newBatch, type Batch, type Mutable } from './batch';
import type { Decoded, EventMeta } from './codec';
import { stockKey } from './events';
import { seqOf, type View } from './view';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;
/**
 * Hours with minute detail: a week plus a day of slack, so any window of up to a week stays exact to the minute
 * for any now up to a day before the newest event.
 */
export const DETAIL_HOURS = 8 * 24;
/**
 * Hours kept at all: two weeks and a day, so this calendar week so far can be set against the same span of the
 * week before, whatever day the week starts on (docs/architecture.md#sales-windows).
 */
export const HORIZON_HOURS = 15 * 24;
export const SERIES_HOURS = 7 * 24;

/** Sales of one (warehouse, product) within one hour. */
export interface SeriesHour {
  readonly warehouse: string;
  readonly product: string;
  readonly total: number;
  /** Flat pairs [minute of the hour 1..60, units, …], only for minutes with sales. */
  readonly minutes: readonly number[];
}

export interface SalesState {
  /** Checkpoint: messages at or below it were already applied. */
  readonly lastSeq: number;
  /** Newest sale time seen; the horizon is measured from it. */
  readonly newestMs: number | null;
  /** Hour index h (see above) → stockKey(warehouse, product) → sales in that hour. */
  readonly hours: ReadonlyMap<number, ReadonlyMap<string, SeriesHour>>;
}

export const initialSales: SalesState = { lastSeq: 0, newestMs: null, hours: new Map() };

const NO_SERIES: ReadonlyMap<string, SeriesHour> = new Map();

const hourOf = (t: number): number => Math.ceil(t / HOUR_MS);
const minuteOf = (t: number): number => Math.ceil(t / MINUTE_MS);
/** Hours at or below this are outside the horizon. */
const cutoffHour = (newestMs: number): number => hourOf(newestMs) - HORIZON_HOURS;
/** Hours at or below this keep their totals only. */
const detailCutoffHour = (newestMs: number): number => hourOf(newestMs) - DETAIL_HOURS;
const NO_MINUTES: readonly number[] = Object.freeze([]);

function evolve(state: SalesState, decoded: Decoded, batch: Batch = newBatch()): SalesState {
  const seq = seqOf(decoded);
  if (seq <= state.lastSeq) return state;
  const next = draft(batch, state);
  next.lastSeq = seq;
  if (decoded.kind !== 'stock') return next;
  const event = decoded.event;
  switch (event.type) {
    case 'stock.sold':
      addSale(next, decoded.meta, event.quantity, batch);
      return next;
    // Sales are net of returns: a unit brought back was not sold after all.
    case 'stock.returned':
      addSale(next, decoded.meta, -event.quantity, batch);
      return next;
    // Undoing a sale (or a return) takes it back in the hour it was made, so the windows read as if it had
    // never been recorded (docs/architecture.md#undo).
    case 'stock.reversed': {
      const undone = decoded.undone;
      if (undone?.event.type === 'stock.sold') {
        addSale(next, { ...decoded.meta, timestampMs: undone.atMs }, -undone.event.quantity, batch);
      } else if (undone?.event.type === 'stock.returned') {
        addSale(next, { ...decoded.meta, timestampMs: undone.atMs }, undone.event.quantity, batch);
      }
      return next;
    }
    case 'stock.corrected':
    case 'stock.replenished':
    case 'stock.moved':
    case 'stock.destroyed':
      return next;
    default: {
      const _unhandled: never = event;
      return next;
    }
  }
}

function addSale(next: Mutable<SalesState>, meta: EventMeta, quantity: number, batch: Batch): void {
  const t = meta.timestampMs;
  if (next.newestMs === null || t > next.newestMs) {
    const before = next.newestMs;
    next.newestMs = t;
    if (before !== null && cutoffHour(t) > cutoffHour(before)) prune(next, cutoffHour(t), batch);
    if (before !== null && detailCutoffHour(t) > detailCutoffHour(before)) {
      forgetMinutes(next, detailCutoffHour(before), detailCutoffHour(t), batch);
    }
  }
  const hour = hourOf(t);
  if (hour <= cutoffHour(next.newestMs)) return;
  const hours = draftMap(batch, next.hours);
  next.hours = hours;
  const bucket = draftMap(batch, hours.get(hour) ?? NO_SERIES);
  hours.set(hour, bucket);
  const key = stockKey(meta.warehouse, meta.product);
  const previous = bucket.get(key);
  const series = previous
    ? draft(batch, previous)
    : fresh<SeriesHour>(batch, { warehouse: meta.warehouse, product: meta.product, total: 0, minutes: [] });
  bucket.set(key, series);
  series.total += quantity;
  // A late sale in an hour past the detail keeps that hour's minutes empty: a partial sum of them would lie.
  if (hour <= detailCutoffHour(next.newestMs)) return;
  const minute = minuteOf(t) - (hour - 1) * 60;
  const minutes = draftArray(batch, series.minutes);
  series.minutes = minutes;
  for (let i = 0; i < minutes.length; i += 2) {
    if (minutes[i] === minute) {
      minutes[i + 1] = (minutes[i + 1] ?? 0) + quantity;
      return;
    }
  }
  minutes.push(minute, quantity);
}

/** Drops the minutes of the hours in (after, through]: they have left the detail and keep their totals. */
function forgetMinutes(next: Mutable<SalesState>, after: number, through: number, batch: Batch): void {
  for (let hour = after + 1; hour <= through; hour++) {
    const bucket = next.hours.get(hour);
    if (!bucket) continue;
    const hours = draftMap(batch, next.hours);
    next.hours = hours;
    const compact = draftMap(batch, bucket);
    for (const [key, series] of compact) {
      if (series.minutes.length > 0) compact.set(key, { ...series, minutes: NO_MINUTES });
    }
    hours.set(hour, compact);
  }
}

function prune(next: Mutable<SalesState>, cutoff: number, batch: Batch): void {
  let stale = false;
  for (const hour of next.hours.keys()) {
    if (hour <= cutoff) {
      stale = true;
      break;
    }
  }
  if (!stale) return;
  const hours = draftMap(batch, next.hours);
  for (const hour of [...hours.keys()]) if (hour <= cutoff) hours.delete(hour);
  next.hours = hours;
}

// ---------------------------------------------------------------------------------------------------------
// Selectors

export interface SalesFilter {
  warehouse?: string;
}

export interface SalesPoint {
  /** The hour covers startMs < t ≤ endMs. */
  startMs: number;
  endMs: number;
  /** Units sold per product, in the order of the `products` argument. */
  quantities: number[];
}

/**
 * Units sold per product in the window (now − windowMs, now] at minute resolution (see the top of this file),
 * in one warehouse or all. Products without sales in the window are absent.
 */
export function soldInWindow(
  state: SalesState,
  now: number,
  windowMs: number,
  filter: SalesFilter = {},
): Map<string, number> {
  const totals = new Map<string, number>();
  const last = minuteOf(now);
  const first = last - Math.ceil(windowMs / MINUTE_MS) + 1;
  if (first > last) return totals;
  const add = (bucket: ReadonlyMap<string, SeriesHour>, hour: number): void => {
    const base = (hour - 1) * 60;
    const whole = base + 1 >= first && base + 60 <= last;
    for (const series of bucket.values()) {
      if (filter.warehouse !== undefined && series.warehouse !== filter.warehouse) continue;
      let units = 0;
      if (whole) units = series.total;
      else {
        const m = series.minutes;
        for (let i = 0; i < m.length; i += 2) {
          const minute = base + (m[i] ?? 0);
          if (minute >= first && minute <= last) units += m[i + 1] ?? 0;
        }
      }
      if (units !== 0) totals.set(series.product, (totals.get(series.product) ?? 0) + units);
    }
  };
  const firstHour = Math.ceil(first / 60);
  const lastHour = Math.ceil(last / 60);
  if (lastHour - firstHour + 1 > state.hours.size) {
    for (const [hour, bucket] of state.hours) if (hour >= firstHour && hour <= lastHour) add(bucket, hour);
  } else {
    for (let hour = firstHour; hour <= lastHour; hour++) {
      const bucket = state.hours.get(hour);
      if (bucket) add(bucket, hour);
    }
  }
  return totals;
}

/**
 * SERIES_HOURS (168) whole-hour points, oldest first; the last one is the hour that contains now (so it may
 * still be filling up).
 */
export function hourlySeries(
  state: SalesState,
  now: number,
  products: readonly string[],
  filter: SalesFilter = {},
): SalesPoint[] {
  const index = new Map(products.map((product, i) => [product, i]));
  const lastHour = hourOf(now);
  const points: SalesPoint[] = [];
  for (let hour = lastHour - SERIES_HOURS + 1; hour <= lastHour; hour++) {
    const quantities = new Array<number>(products.length).fill(0);
    const bucket = state.hours.get(hour);
    if (bucket) {
      for (const series of bucket.values()) {
        if (filter.warehouse !== undefined && series.warehouse !== filter.warehouse) continue;
        const i = index.get(series.product);
        if (i !== undefined) quantities[i] = (quantities[i] ?? 0) + series.total;
      }
    }
    points.push({ startMs: (hour - 1) * HOUR_MS, endMs: hour * HOUR_MS, quantities });
  }
  return points;
}

/** Products with sales inside the horizon, by name: the choices for a chart. */
export function soldProducts(state: SalesState, filter: SalesFilter = {}): string[] {
  const names = new Set<string>();
  for (const bucket of state.hours.values()) {
    for (const series of bucket.values()) {
      if (filter.warehouse === undefined || series.warehouse === filter.warehouse) names.add(series.product);
    }
  }
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export const salesSelectors = { soldInWindow, hourlySeries, soldProducts };

export const salesView: View<SalesState, typeof salesSelectors> = {
  initialState: initialSales,
  evolve,
  selectors: salesSelectors,
};
