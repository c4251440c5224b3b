import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimeMarks } from './time-marks';

/** Event times in stream order, folded in batches of `batch`: what a fold would tell its marks. */
function marked(times: readonly number[], every: number, batch: number, from?: TimeMarks): TimeMarks {
  const marks = from ?? new TimeMarks(every);
  for (let i = 0; i < times.length; i += batch) {
    const slice = times.slice(i, i + batch);
    marks.afterBatch(i + slice.length, Math.min(...slice), Math.max(...slice));
  }
  return marks;
}

describe('time marks', () => {
  it('given any order of event times, then a reader told it is complete has seen every event of the moment', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: -1, max: 101 }),
        (times, every, batch, atMs) => {
          const marks = marked(times, every, batch);
          for (let seq = 0; seq <= times.length; seq++) {
            if (!marks.complete(seq, atMs)) continue;
            expect(times.slice(seq).filter((t) => t <= atMs)).toEqual([]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('given events in time order, then a reader stops within one mark of the moment', () => {
    const times = Array.from({ length: 1000 }, (_, i) => i);
    const marks = marked(times, 100, 10);
    const firstComplete = (atMs: number) => {
      for (let seq = 0; seq <= times.length; seq++) if (marks.complete(seq, atMs)) return seq;
      return null;
    };
    expect(firstComplete(250)).toBe(300);
    expect(firstComplete(999)).toBe(1000);
  });

  it('given marks carried into a checkpoint and kept up after it, then they stay true of the whole stream', () => {
    const before = [5, 1, 9, 3, 8, 7];
    const after = [2, 10];
    const written = marked(before, 2, 2).through(before.length);
    const resumed = new TimeMarks(Number.POSITIVE_INFINITY, written);
    resumed.afterBatch(before.length + after.length, 2, 10);
    // Before the late event 2 arrived, a reader through #4 had everything up to 3 … now only up to 1.
    expect(new TimeMarks(Number.POSITIVE_INFINITY, written).complete(4, 6)).toBe(true);
    expect(resumed.complete(4, 6)).toBe(false);
    expect(resumed.complete(6, 1)).toBe(true);
    expect(written.every((m) => m.seq <= before.length)).toBe(true);
  });
});
