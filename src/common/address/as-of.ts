/**
 * The "as of" moment of time travel in the address (docs/architecture.md#addresses): `asOf=` an ISO 8601 UTC
 * time, so that a link means the same moment in every time zone and a person can read it.
 */
import type { RawSearch } from './search-values';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/;

export interface AsOfSearch {
  asOf?: string;
}

/**
 * Only a moment that has happened: a later one would show the present under a purple bar, and the time-travel
 * bar refuses it too. `nowMs` is the page's clock when the address is read.
 */
export function parseAsOf(raw: RawSearch, nowMs: number): AsOfSearch {
  const value = raw.asOf;
  if (typeof value !== 'string' || !ISO_UTC.test(value)) return { asOf: undefined };
  const ms = Date.parse(value);
  return { asOf: Number.isFinite(ms) && ms < nowMs ? formatAsOf(ms) : undefined };
}

export function formatAsOf(ms: number): string {
  return new Date(ms).toISOString();
}

/** The moment as ms since the epoch, or null for the present. */
export function asOfMs(search: AsOfSearch): number | null {
  return search.asOf === undefined ? null : Date.parse(search.asOf);
}
