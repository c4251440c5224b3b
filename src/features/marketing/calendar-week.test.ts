import { describe, expect, it } from 'vitest';
import { firstDayOfWeek, weekSpans, weekStart } from './calendar-week';

// Local times, so the tests hold in any time zone the machine is set to.
const local = (y: number, m: number, d: number, h = 0, min = 0) => new Date(y, m - 1, d, h, min).getTime();

describe('calendar weeks', () => {
  it('start on the locale’s first day: Monday in Germany, Sunday in the United States', () => {
    expect(firstDayOfWeek('de-DE')).toBe(1);
    expect(firstDayOfWeek('en-US')).toBe(7);
    expect(firstDayOfWeek('not a locale')).toBe(1);
  });

  it('begin at local midnight of that day', () => {
    const wednesday = local(2026, 12, 9, 15, 30);
    expect(weekStart(wednesday, 1)).toBe(local(2026, 12, 7));
    expect(weekStart(wednesday, 7)).toBe(local(2026, 12, 6));
    expect(weekStart(local(2026, 12, 7), 1)).toBe(local(2026, 12, 7));
    expect(weekStart(local(2026, 12, 6, 23, 59), 1)).toBe(local(2026, 11, 30));
  });

  it('set this week so far against the same span of the week before', () => {
    expect(weekSpans(local(2026, 12, 9, 15, 30), 1)).toEqual({
      thisFromMs: local(2026, 12, 7),
      lastFromMs: local(2026, 11, 30),
      lastToMs: local(2026, 12, 2, 15, 30),
    });
  });
});
