/**
 * A history of exactly N events of the demo's shape (src/core/demo-history.ts): the same products, warehouses,
 * daily rhythm and mix of sales, deliveries, moves and corrections the dashboard shows in `npm start`.
 */
import { demoHistory, type DemoEvent } from '../../src/core/demo-history';

const DAY_MS = 24 * 3_600_000;
/** The demo produces roughly 1,270 events a day; asking for a little less per day rarely needs a second try. */
const EVENTS_PER_DAY_GUESS = 1_150;

export function demoEvents(count: number, endMs: number, seed = 7): DemoEvent[] {
  let days = Math.ceil(count / EVENTS_PER_DAY_GUESS) + 1;
  for (;;) {
    const history = demoHistory({ seed, endMs, days });
    if (history.length >= count) {
      const taken = history.slice(0, count);
      // Whole days keep the daily rhythm on the clock while the last event moves to within a day of endMs,
      // so "sold in the last day/week" panels have something to show.
      const lastMs = taken[taken.length - 1]?.timestampMs ?? endMs;
      const shiftMs = Math.floor((endMs - lastMs) / DAY_MS) * DAY_MS;
      if (shiftMs === 0) return taken;
      return taken.map((item) => ({ ...item, timestampMs: item.timestampMs + shiftMs }));
    }
    days = Math.ceil(days * 1.25);
  }
}
