import { describe, expect, it } from 'vitest';
import type { Decoded } from './codec';
import {
  DAY_MS,
  DETAIL_HOURS,
  HORIZON_HOURS,
  HOUR_MS,
  MINUTE_MS,
  SERIES_HOURS,
  WEEK_MS,
  hourlySeries,
  salesView as view,
  soldInWindow,
  soldProducts,
} from './sales';
import { TestStream } from './testing';
import { fold } from './view';

/** A whole hour (and so a whole minute), in November 2023. */
const NOW = 472_224 * HOUR_MS;

function salesAt(...times: number[]): Decoded[] {
  const s = new TestStream();
  return times.map((at) => s.sold('46', 'Apples', 1, 'A1', { at }));
}

describe('sales windows (now − W, now]', () => {
  it.each([
    ['hour', HOUR_MS],
    ['day', DAY_MS],
    ['week', WEEK_MS],
  ])(
    'last %s: excludes exactly now − W, includes 1 ms later and now itself, excludes 1 ms after now',
    (_, W) => {
      const state = fold(view, salesAt(NOW - W, NOW - W + 1, NOW - W + MINUTE_MS, NOW - 1, NOW, NOW + 1));
      // Counted: NOW − W + 1, NOW − W + 1 min, NOW − 1, NOW.
      expect(soldInWindow(state, NOW, W)).toEqual(new Map([['Apples', 4]]));
    },
  );

  it('given 5 sold and 2 returned in the hour, then the hour sold 3: sales are net of returns', () => {
    const s = new TestStream();
    const state = fold(view, [
      s.sold('46', 'Apples', 5, '-', { at: NOW - 10 }),
      s.returned('46', 'Apples', 2, 'A', 'wrong size', { at: NOW }),
    ]);
    expect(soldInWindow(state, NOW, HOUR_MS).get('Apples')).toBe(3);
  });

  it('counts every unit, not every event', () => {
    const s = new TestStream();
    const state = fold(view, [
      s.sold('46', 'Apples', 5, '-', { at: NOW - 10 }),
      s.sold('46', 'Apples', 2, 'A', { at: NOW }),
    ]);
    expect(soldInWindow(state, NOW, HOUR_MS).get('Apples')).toBe(7);
  });

  it('rounds a now between minutes up to the next whole minute', () => {
    const now = NOW + 30_000;
    const state = fold(view, salesAt(NOW - HOUR_MS + 45_000, NOW - HOUR_MS + 60_001, NOW + 45_000));
    // As if asked at NOW + 1 min: (NOW − 59 min, NOW + 1 min].
    expect(soldInWindow(state, now, HOUR_MS)).toEqual(soldInWindow(state, NOW + MINUTE_MS, HOUR_MS));
    expect(soldInWindow(state, now, HOUR_MS).get('Apples')).toBe(2);
  });

  it('sums whole hours inside the window and the minutes of the edge hours', () => {
    const times = [
      NOW - 3 * HOUR_MS - 1,
      NOW - 3 * HOUR_MS + 1,
      NOW - 2 * HOUR_MS - 30 * MINUTE_MS,
      NOW - 10,
    ];
    const state = fold(view, salesAt(...times));
    expect(soldInWindow(state, NOW - 30 * MINUTE_MS, 2 * HOUR_MS + 30 * MINUTE_MS).get('Apples')).toBe(2);
    expect(soldInWindow(state, NOW, 3 * HOUR_MS).get('Apples')).toBe(3);
    expect(soldInWindow(state, NOW, 3 * HOUR_MS + MINUTE_MS).get('Apples')).toBe(4);
  });

  it('gives nothing for an empty window or one without sales', () => {
    const state = fold(view, salesAt(NOW));
    expect(soldInWindow(state, NOW, 0).size).toBe(0);
    expect(soldInWindow(state, NOW + 2 * HOUR_MS, HOUR_MS).size).toBe(0);
  });

  it('filters by warehouse and sums over warehouses otherwise', () => {
    const s = new TestStream();
    const state = fold(view, [
      s.sold('46', 'Apples', 2, '-', { at: NOW - 1 }),
      s.sold('47', 'Apples', 3, '-', { at: NOW - 1 }),
      s.sold('47', 'Pears', 1, '-', { at: NOW - 1 }),
    ]);
    expect(soldInWindow(state, NOW, HOUR_MS)).toEqual(
      new Map([
        ['Apples', 5],
        ['Pears', 1],
      ]),
    );
    expect(soldInWindow(state, NOW, HOUR_MS, { warehouse: '46' })).toEqual(new Map([['Apples', 2]]));
    expect(soldProducts(state)).toEqual(['Apples', 'Pears']);
    expect(soldProducts(state, { warehouse: '46' })).toEqual(['Apples']);
  });

  it('ignores every other stock event', () => {
    const s = new TestStream();
    const state = fold(view, [
      s.corrected('46', 'Apples', 'A1', 9, { at: NOW }),
      s.replenished('46', 'Apples', 9, '-', { at: NOW }),
      s.moved('46', 'Apples', 'A1', 'B1', 9, { at: NOW }),
      s.destroyed('46', 'Apples', 'A1', 9, 'rotten', { at: NOW }),
      s.unknown('46', 'Apples', 'stock.sold_v2', { at: NOW }),
    ]);
    expect(state.hours.size).toBe(0);
    expect(state.lastSeq).toBe(5);
  });
});

describe('hourly series', () => {
  it('has 168 hours ending with the hour that contains now, each (start, end]', () => {
    const state = fold(view, salesAt(NOW - WEEK_MS, NOW - WEEK_MS + 1, NOW - HOUR_MS + 1, NOW, NOW + 1));
    const series = hourlySeries(state, NOW, ['Apples']);
    expect(series).toHaveLength(SERIES_HOURS);
    expect(series[0]).toEqual({ startMs: NOW - WEEK_MS, endMs: NOW - WEEK_MS + HOUR_MS, quantities: [1] });
    expect(series.at(-1)).toEqual({ startMs: NOW - HOUR_MS, endMs: NOW, quantities: [2] });
    expect(series.reduce((sum, p) => sum + (p.quantities[0] ?? 0), 0)).toBe(
      soldInWindow(state, NOW, WEEK_MS).get('Apples'),
    );
    const later = hourlySeries(state, NOW + 1, ['Apples']);
    expect(later.at(-1)).toEqual({ startMs: NOW, endMs: NOW + HOUR_MS, quantities: [1] });
  });

  it('orders quantities like the products asked for, zero for products without sales', () => {
    const s = new TestStream();
    const state = fold(view, [
      s.sold('46', 'Apples', 2, '-', { at: NOW }),
      s.sold('46', 'Pears', 3, '-', { at: NOW }),
      s.sold('47', 'Pears', 4, '-', { at: NOW }),
    ]);
    expect(hourlySeries(state, NOW, ['Pears', 'Kiwis', 'Apples']).at(-1)?.quantities).toEqual([7, 0, 2]);
    expect(hourlySeries(state, NOW, ['Pears', 'Apples'], { warehouse: '47' }).at(-1)?.quantities).toEqual([
      4, 0,
    ]);
  });
});

describe('memory stays bounded', () => {
  it('keeps only the hours of the horizon before the newest sale, and the minutes of the last eight days', () => {
    const state = fold(view, salesAt(NOW - 20 * DAY_MS, NOW - 9 * DAY_MS, NOW - 7 * DAY_MS, NOW));
    expect([...state.hours.keys()].every((h) => h > NOW / HOUR_MS - HORIZON_HOURS)).toBe(true);
    expect(state.hours.size).toBe(3);
    expect(soldInWindow(state, NOW, WEEK_MS).get('Apples')).toBe(1);
    expect(soldInWindow(state, NOW, 8 * DAY_MS).get('Apples')).toBe(2);
    expect(soldInWindow(state, NOW, 14 * DAY_MS).get('Apples')).toBe(3);
    const minutesOf = (t: number) => [...state.hours.get(Math.ceil(t / HOUR_MS))!.values()][0]!.minutes;
    expect(minutesOf(NOW - 9 * DAY_MS)).toEqual([]);
    expect(minutesOf(NOW - 7 * DAY_MS)).not.toEqual([]);
  });

  it('ignores a sale older than the horizon that arrives late, and counts a late one inside it', () => {
    const state = fold(view, salesAt(NOW, NOW - 16 * DAY_MS, NOW - 2 * DAY_MS, NOW - 10 * DAY_MS));
    expect(soldInWindow(state, NOW, 30 * DAY_MS).get('Apples')).toBe(3);
    // Late into an hour past the detail: its total counts, its minutes stay empty rather than partial.
    expect([...state.hours.get(Math.ceil((NOW - 10 * DAY_MS) / HOUR_MS))!.values()][0]).toMatchObject({
      total: 1,
      minutes: [],
    });
  });

  it('holds at most HORIZON_HOURS buckets after 100 days of sales', () => {
    const s = new TestStream();
    const events: Decoded[] = [];
    const products = ['Apples', 'Pears', 'Kiwis'];
    for (let i = 0; i < 30_000; i++) {
      events.push(
        s.sold('46', products[i % 3] ?? 'Apples', 1, '-', { at: NOW - 100 * DAY_MS + i * 288_000 }),
      );
    }
    const state = fold(view, events);
    expect(state.hours.size).toBeLessThanOrEqual(HORIZON_HOURS);
    let entries = 0;
    for (const bucket of state.hours.values())
      for (const series of bucket.values()) entries += series.minutes.length;
    expect(entries).toBeLessThanOrEqual(DETAIL_HOURS * 60 * 2);
  });
});

describe('sales view', () => {
  it('keeps the identity of hours an event did not touch', () => {
    const before = fold(view, salesAt(NOW - 5 * HOUR_MS, NOW - HOUR_MS));
    const after = view.evolve(before, salesAt(NOW)[0] as Decoded);
    // A fresh stream starts at sequence 1, already applied: nothing changes.
    expect(after).toBe(before);
    const s = new TestStream().skip(10);
    const moved = view.evolve(before, s.sold('46', 'Apples', 1, '-', { at: NOW }));
    expect(moved.hours.get(NOW / HOUR_MS - 4)).toBe(before.hours.get(NOW / HOUR_MS - 4));
  });

  it('replayed twice, gives the same result', () => {
    const events = salesAt(NOW - DAY_MS, NOW - HOUR_MS, NOW - 1, NOW);
    const once = fold(view, events);
    expect(fold(view, events, once)).toBe(once);
    expect(fold(view, events)).toEqual(once);
  });
});
