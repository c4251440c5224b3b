/**
 * Reading one value of a page's address (docs/architecture.md#addresses). Anyone can type or paste an
 * address, so every reader keeps what it can use and drops the rest: a bad value is never an error, the page
 * falls back to what it shows without it.
 */
import { isToken, locationProblem } from '../../core/events';

/** The query string as the router hands it over: names to whatever was there. */
export type RawSearch = Readonly<Record<string, unknown>>;

/** Longer free text in an address is someone's mistake or mischief, not a filter anybody typed. */
export const MAX_TEXT_CHARS = 200;

export function textValue(raw: RawSearch, name: string): string | undefined {
  const value = raw[name];
  return typeof value === 'string' && value !== '' && value.length <= MAX_TEXT_CHARS ? value : undefined;
}

/** A warehouse or product name: a subject token (docs/architecture.md#subjects-and-headers). */
export function tokenValue(raw: RawSearch, name: string): string | undefined {
  const value = raw[name];
  return typeof value === 'string' && isToken(value) ? value : undefined;
}

/** A location is payload text (docs/architecture.md#the-stock-events). */
export function locationValue(raw: RawSearch, name: string): string | undefined {
  const value = raw[name];
  return typeof value === 'string' && locationProblem('location', value) === undefined ? value : undefined;
}

/**
 * A positive whole number written in decimal digits, such as a stream sequence. A page navigating hands the
 * router the number itself, which it validates before writing the address.
 */
export function countValue(raw: RawSearch, name: string): number | undefined {
  const value = raw[name];
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string' || !/^[1-9]\d{0,15}$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}
