import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startRestartLoop, type RunEnd } from './restart-loop';

const TIMEOUT = new Error('timeout');
const BROKEN = new Error('broken');

type Step =
  | { kind: 'fail'; error: Error; afterMs?: number }
  | { kind: 'return'; afterMs?: number }
  | { kind: 'again' }
  /** Runs until its signal aborts, then returns. */
  | { kind: 'until-aborted' };

/** A run that plays one scripted step per call (the last one again once the script is used up). */
function scripted(steps: Step[]) {
  const startedAtMs: number[] = [];
  const signals: AbortSignal[] = [];
  const run = async (signal: AbortSignal): Promise<void | 'again'> => {
    startedAtMs.push(Date.now());
    signals.push(signal);
    const step = steps[Math.min(startedAtMs.length - 1, steps.length - 1)] as Step;
    if (step.kind === 'again') return 'again';
    if (step.kind === 'until-aborted') {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      return;
    }
    if (step.afterMs) await new Promise((resolve) => setTimeout(resolve, step.afterMs));
    if (step.kind === 'fail') throw step.error;
  };
  return { run, startedAtMs, signals };
}

/** Time between consecutive starts: the pause, plus however long the earlier run took. */
function gaps(startedAtMs: number[]): number[] {
  return startedAtMs.slice(1).map((at, i) => at - (startedAtMs[i] as number));
}

describe('startRestartLoop', () => {
  const T0 = 1_700_000_000_000;
  let abort: AbortController;

  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
    abort = new AbortController();
  });
  afterEach(async () => {
    abort.abort();
    vi.useRealTimers();
  });

  it('given runs that keep failing at once, then the pause doubles from 250 ms up to 10 s', async () => {
    const { run, startedAtMs } = scripted([{ kind: 'fail', error: BROKEN }]);
    startRestartLoop({ signal: abort.signal, run, healthyRunMs: 60_000, random: () => 0.5 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(gaps(startedAtMs).slice(0, 9)).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('given jitter, then the pause uses the random source it was given', async () => {
    const { run, startedAtMs } = scripted([{ kind: 'fail', error: BROKEN }]);
    startRestartLoop({ signal: abort.signal, run, healthyRunMs: 60_000, random: () => 0 });
    await vi.advanceTimersByTimeAsync(2000);
    expect(gaps(startedAtMs).slice(0, 3)).toEqual([188, 375, 750]);
  });

  it('given a run that lasted longer than the healthy time, when it fails, then the pauses start over', async () => {
    const { run, startedAtMs } = scripted([
      { kind: 'fail', error: BROKEN },
      { kind: 'fail', error: BROKEN },
      { kind: 'fail', error: BROKEN },
      { kind: 'fail', error: BROKEN, afterMs: 30_001 },
      { kind: 'fail', error: BROKEN },
    ]);
    startRestartLoop({ signal: abort.signal, run, healthyRunMs: 30_000, random: () => 0.5 });
    await vi.advanceTimersByTimeAsync(40_000);
    expect(gaps(startedAtMs).slice(0, 5)).toEqual([250, 500, 1000, 30_001 + 250, 500]);
  });

  it('given a run that fails just within the healthy time, then the pause keeps growing', async () => {
    const { run, startedAtMs } = scripted([
      { kind: 'fail', error: BROKEN },
      { kind: 'fail', error: BROKEN, afterMs: 30_000 },
      { kind: 'fail', error: BROKEN },
    ]);
    startRestartLoop({ signal: abort.signal, run, healthyRunMs: 30_000, random: () => 0.5 });
    await vi.advanceTimersByTimeAsync(32_000);
    expect(gaps(startedAtMs).slice(0, 2)).toEqual([250, 30_000 + 500]);
  });

  it('given failures that hold the pause (timeouts), then the pause does not grow past them', async () => {
    const { run, startedAtMs } = scripted([
      { kind: 'fail', error: BROKEN },
      { kind: 'fail', error: TIMEOUT },
      { kind: 'fail', error: TIMEOUT },
      { kind: 'fail', error: TIMEOUT },
      { kind: 'fail', error: BROKEN },
      { kind: 'fail', error: BROKEN },
    ]);
    startRestartLoop({
      signal: abort.signal,
      run,
      healthyRunMs: 30_000,
      holdsPause: (error) => error === TIMEOUT,
      random: () => 0.5,
    });
    await vi.advanceTimersByTimeAsync(5000);
    expect(gaps(startedAtMs).slice(0, 6)).toEqual([250, 500, 500, 500, 500, 1000]);
  });

  it('given a timeout as the very first failure, then the shortest pause is kept', async () => {
    const { run, startedAtMs } = scripted([{ kind: 'fail', error: TIMEOUT }]);
    startRestartLoop({
      signal: abort.signal,
      run,
      healthyRunMs: 30_000,
      holdsPause: (error) => error === TIMEOUT,
      random: () => 0.5,
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(gaps(startedAtMs)).toEqual([250, 250, 250, 250]);
  });

  it('given a run that returns by itself, then it is paused and counted like a failure', async () => {
    const { run, startedAtMs } = scripted([{ kind: 'return' }]);
    const ends: [RunEnd, number][] = [];
    startRestartLoop({
      signal: abort.signal,
      run,
      healthyRunMs: 30_000,
      // A return is never "held", whatever the caller says about errors.
      holdsPause: () => true,
      onPause: (end, delayMs) => ends.push([end, delayMs]),
      random: () => 0.5,
    });
    await vi.advanceTimersByTimeAsync(800);
    expect(gaps(startedAtMs)).toEqual([250, 500]);
    expect(ends[0]).toEqual([{ threw: false, error: undefined, ranMs: 0 }, 250]);
  });

  it('tells the caller of each pause with what the run threw and how long it ran', async () => {
    const { run } = scripted([{ kind: 'fail', error: BROKEN, afterMs: 1200 }]);
    const ends: [RunEnd, number][] = [];
    startRestartLoop({
      signal: abort.signal,
      run,
      healthyRunMs: 30_000,
      onPause: (end, delayMs) => ends.push([end, delayMs]),
      random: () => 0.5,
    });
    await vi.advanceTimersByTimeAsync(1200 + 250 + 1200);
    expect(ends).toEqual([
      [{ threw: true, error: BROKEN, ranMs: 1200 }, 250],
      [{ threw: true, error: BROKEN, ranMs: 1200 }, 500],
    ]);
  });

  it("given a run that returns 'again', then the next one starts at once without a pause or a count", async () => {
    const { run, startedAtMs } = scripted([
      { kind: 'fail', error: BROKEN },
      { kind: 'again' },
      { kind: 'again' },
      { kind: 'fail', error: BROKEN },
      { kind: 'until-aborted' },
    ]);
    const onPause = vi.fn();
    startRestartLoop({ signal: abort.signal, run, healthyRunMs: 30_000, onPause, random: () => 0.5 });
    await vi.advanceTimersByTimeAsync(5000);
    expect(gaps(startedAtMs)).toEqual([250, 0, 0, 500]);
    expect(onPause).toHaveBeenCalledTimes(2);
  });

  it('given the signal aborts during a run, then the run is told and the loop ends without a pause', async () => {
    const { run, signals } = scripted([{ kind: 'until-aborted' }]);
    const onPause = vi.fn();
    const loop = startRestartLoop({ signal: abort.signal, run, healthyRunMs: 30_000, onPause });
    await vi.advanceTimersByTimeAsync(1000);
    abort.abort();
    await loop.done;
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(true);
    expect(onPause).not.toHaveBeenCalled();
  });

  it('given the signal aborts during a pause, then the loop ends at once and leaves no timer', async () => {
    const { run, startedAtMs } = scripted([{ kind: 'fail', error: BROKEN }]);
    const loop = startRestartLoop({ signal: abort.signal, run, healthyRunMs: 30_000, random: () => 0.5 });
    await vi.advanceTimersByTimeAsync(100);
    abort.abort();
    await loop.done;
    expect(startedAtMs).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('given an aborted signal, then no run starts', async () => {
    abort.abort();
    const { run, startedAtMs } = scripted([{ kind: 'return' }]);
    await startRestartLoop({ signal: abort.signal, run, healthyRunMs: 30_000 }).done;
    expect(startedAtMs).toEqual([]);
  });

  it('given restart(), then the current run is ended and the next one starts after a pause', async () => {
    const { run, startedAtMs, signals } = scripted([{ kind: 'until-aborted' }]);
    const loop = startRestartLoop({ signal: abort.signal, run, healthyRunMs: 30_000, random: () => 0.5 });
    await vi.advanceTimersByTimeAsync(40_000);
    loop.restart();
    await vi.advanceTimersByTimeAsync(250);
    expect(startedAtMs).toEqual([T0, T0 + 40_000 + 250]);
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[1]?.aborted).toBe(false);
    expect(abort.signal.aborted).toBe(false);
  });

  it('given restart() during a pause, then nothing changes: the pause runs out as it would have', async () => {
    const { run, startedAtMs } = scripted([{ kind: 'fail', error: BROKEN }, { kind: 'until-aborted' }]);
    const loop = startRestartLoop({ signal: abort.signal, run, healthyRunMs: 30_000, random: () => 0.5 });
    await vi.advanceTimersByTimeAsync(100);
    loop.restart();
    await vi.advanceTimersByTimeAsync(1000);
    expect(gaps(startedAtMs)).toEqual([250]);
  });
});
