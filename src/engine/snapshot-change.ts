/**
 * Whether a new snapshot shows a page anything the last one it was sent did not
 * (docs/architecture.md#nothing-new-to-show). Most events of a chain change nothing a given page shows: a wall
 * display of one warehouse is unaffected by the other 49. Such a page is told only how far the fold has got.
 */
import type { EngineSnapshot } from './protocol';

/**
 * However little changed, a page is sent a snapshot at least this often while events arrive, so that counts and
 * "last event" on screen are never more than this late.
 */
export const TICKING_REFRESH_MS = 1000;

/**
 * Fields that move with every event anywhere, whatever the page shows: sequences, counts, the newest event
 * time. They are not worth a render of their own; the next snapshot sent brings them up to date.
 */
function withoutTicking(snapshot: EngineSnapshot): unknown {
  const { views } = snapshot;
  return {
    ...snapshot,
    lastEventMs: null,
    start: { ...snapshot.start, folded: 0 },
    views: {
      ...views,
      lastSeq: 0,
      applied: 0,
      skipped: 0,
      quality: { ...views.quality, lastSeq: 0 },
      sales: { ...views.sales, lastSeq: 0, newestMs: null },
    },
  };
}

/** True when the two snapshots differ in nothing but the ticking fields. */
export function sameShown(a: EngineSnapshot, b: EngineSnapshot): boolean {
  return sameValue(withoutTicking(a), withoutTicking(b));
}

/**
 * Structural equality of what a snapshot holds (plain objects, arrays, Maps, Sets, primitives). The views are
 * immutable and share what did not change, so identical references end most comparisons early.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [key, value] of a) {
      if (!b.has(key) || !sameValue(value, b.get(key))) return false;
    }
    return true;
  }
  if (a instanceof Set) {
    if (!(b instanceof Set) || a.size !== b.size) return false;
    for (const value of a) if (!b.has(value)) return false;
    return true;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((value, i) => sameValue(value, b[i]));
  }
  if (b instanceof Map || b instanceof Set || Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  const bRecord = b as Record<string, unknown>;
  const aRecord = a as Record<string, unknown>;
  return aKeys.every((key) => Object.hasOwn(bRecord, key) && sameValue(aRecord[key], bRecord[key]));
}
