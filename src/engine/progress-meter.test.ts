import { describe, expect, it } from 'vitest';
import { ProgressMeter } from './progress-meter';

describe('ProgressMeter', () => {
  it('reports rate and time left from recent samples and keeps the total fixed until caught up', () => {
    const meter = new ProgressMeter();
    meter.reset(0, 10_000);
    meter.advance(1_000, 10_500, false, 1_000);
    meter.advance(3_000, 11_000, false, 2_000);
    expect(meter.current()).toEqual({
      replayed: 3_000,
      total: 10_000,
      eventsPerSecond: 2_000,
      etaMs: 3_500,
      caughtUp: false,
    });
    meter.advance(11_000, 11_000, true, 3_000);
    expect(meter.current()).toMatchObject({ replayed: 11_000, total: 11_000, caughtUp: true, etaMs: null });
  });

  it('is caught up at once when resuming at the end of the stream', () => {
    const meter = new ProgressMeter();
    meter.reset(500, 500);
    expect(meter.current()).toMatchObject({ caughtUp: true, replayed: 500, total: 500 });
  });
});
