import { describe, expect, it } from 'vitest';
import { newBatch } from './batch';
import { applyBatch, initialLedger } from './ledger';
import {
  addRecentId,
  emptyRecentIds,
  exportRecentIds,
  hasRecentId,
  ID_HORIZON_MS,
  importRecentIds,
  recentIdCount,
  type RecentIds,
} from './recent-ids';
import { TestStream, testId } from './testing';

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
const T0 = 1_700_000_000_000;

const add = (ids: RecentIds, n: number, atMs: number) => addRecentId(ids, testId(n), atMs);

describe('recent ids (the id horizon)', () => {
  it('given ids applied within the horizon, then every one is still recognised', () => {
    let ids = emptyRecentIds();
    // One id an hour for just under a week: all within one horizon of the newest.
    const hours = ID_HORIZON_MS / HOUR - 1;
    for (let h = 0; h <= hours; h++) ids = add(ids, h, T0 + h * HOUR);
    for (let h = 0; h <= hours; h++) expect(hasRecentId(ids, testId(h))).toBe(true);
    expect(hasRecentId(ids, testId(hours + 1))).toBe(false);
  });

  it('given the newest event time moved two horizons past an id, then it is forgotten', () => {
    let ids = add(emptyRecentIds(DAY), 1, T0);
    ids = add(ids, 2, T0 + DAY); // opens a new generation; id 1 is in the previous one
    expect(hasRecentId(ids, testId(1))).toBe(true);
    ids = add(ids, 3, T0 + 2 * DAY); // and now id 1's generation is dropped
    expect(hasRecentId(ids, testId(1))).toBe(false);
    expect(hasRecentId(ids, testId(2))).toBe(true);
    expect(hasRecentId(ids, testId(3))).toBe(true);
  });

  it('given a quiet spell longer than two horizons, then nothing older is kept', () => {
    let ids = add(add(emptyRecentIds(DAY), 1, T0), 2, T0 + HOUR);
    ids = add(ids, 3, T0 + 3 * DAY);
    expect(recentIdCount(ids)).toBe(1);
  });

  it('keys on the newest time seen, so a back-dated event is remembered as long as a current one', () => {
    let ids = add(emptyRecentIds(DAY), 1, T0 + 10 * DAY);
    ids = add(ids, 2, T0); // recorded today, dated ten days ago
    ids = add(ids, 3, T0 + 10 * DAY + 23 * HOUR);
    expect(hasRecentId(ids, testId(2))).toBe(true);
  });

  it('given a long steady history, then the ids held stay bounded by two horizons of events', () => {
    const perHour = 50;
    let ids = emptyRecentIds();
    const batch = newBatch();
    let most = 0;
    // Eight weeks at 50 events an hour.
    for (let i = 0; i < 8 * 7 * 24 * perHour; i++) {
      ids = addRecentId(ids, testId(i), T0 + (i * HOUR) / perHour, batch);
      most = Math.max(most, recentIdCount(ids));
    }
    const perHorizon = (ID_HORIZON_MS / HOUR) * perHour;
    expect(most).toBeLessThanOrEqual(2 * perHorizon);
    expect(recentIdCount(ids)).toBeGreaterThanOrEqual(perHorizon);
  });

  it('in the ledger: a copy within the horizon is a duplicate, one past it counts again', () => {
    const s = new TestStream(T0);
    const sale = s.sold('46', 'Apples', 1, '-', { at: T0 });
    const history = [sale, s.sold('46', 'Apples', 1, '-', { at: T0 + 3 * DAY }), s.again(sale)];
    const within = applyBatch(initialLedger(DAY * 7), history);
    expect(within).toMatchObject({ applied: 2, skipped: 1 });
    const past = applyBatch(initialLedger(DAY), [
      ...history.slice(0, 2),
      s.sold('46', 'Pears', 1, '-', { at: T0 + 4 * DAY }),
      s.again(sale),
    ]);
    expect(past).toMatchObject({ applied: 4, skipped: 0 });
  });

  it('survives export and import, and refuses an inconsistent export', () => {
    let ids = emptyRecentIds(DAY);
    for (let i = 0; i < 100; i++) ids = add(ids, i, T0 + i * HOUR);
    const back = importRecentIds(structuredClone(exportRecentIds(ids)));
    expect(back).not.toBeNull();
    for (let i = 0; i < 100; i++) expect(hasRecentId(back!, testId(i))).toBe(hasRecentId(ids, testId(i)));
    expect(back!.sinceMs).toBe(ids.sinceMs);
    expect(importRecentIds(exportRecentIds(emptyRecentIds()))).toEqual(emptyRecentIds());
    const good = exportRecentIds(ids);
    expect(importRecentIds({ ...good, sinceMs: '1' })).toBeNull();
    expect(importRecentIds({ ...good, horizonMs: -1 })).toBeNull();
    expect(importRecentIds({ ...good, current: [] })).toBeNull();
    expect(importRecentIds({ ...good, sinceMs: Number.NEGATIVE_INFINITY })).toBeNull();
  });

  it('never changes a version it was given', () => {
    const v1 = add(emptyRecentIds(DAY), 1, T0);
    const v2 = add(v1, 2, T0 + 2 * DAY);
    expect(hasRecentId(v1, testId(1))).toBe(true);
    expect(hasRecentId(v1, testId(2))).toBe(false);
    expect(hasRecentId(v2, testId(1))).toBe(false);
  });
});
