import { describe, expect, it } from 'vitest';
import {
  checkpointMetadata,
  checkpointName,
  checkpointBefore,
  checkpointsToDelete,
  chooseCheckpoint,
  weekCuts,
  weekOf,
  isChainCheckpoint,
  parseCheckpointTag,
  warehouseCheckpointName,
  type CheckpointTag,
} from './checkpoint-catalog';

import { warehouseIndexName } from './warehouse-index';

const DAY = 24 * 60 * 60_000;
const CREATED = '2026-12-01T10:00:00.000000001Z';
const T0 = 1_780_000_000_000;
/** 2026-12-07T00:00:00Z, a Monday. */
const MONDAY = 1_796_601_600_000;

const tag = (seq: number, over: Partial<CheckpointTag> = {}): CheckpointTag => ({
  name: checkpointName(over.viewsVersion ?? 2, seq),
  seq,
  viewsVersion: 2,
  streamCreated: CREATED,
  maxEventMs: T0 + seq * 1000,
  ...over,
});

describe('checkpoint catalog', () => {
  it('tags survive the trip through object metadata', () => {
    const t = tag(123_456);
    const { name, ...rest } = t;
    expect(parseCheckpointTag(name, checkpointMetadata(rest))).toEqual(t);
    expect(name).toBe('ledger/v2/0000000000123456');
    expect(parseCheckpointTag('x', undefined)).toBeNull();
    expect(parseCheckpointTag('x', { ...checkpointMetadata(rest), 'stream-seq': '-1' })).toBeNull();
    expect(parseCheckpointTag('x', { ...checkpointMetadata(rest), 'views-version': 'two' })).toBeNull();
  });

  it("names one warehouse's checkpoints to be found without a listing, and keeps them apart from the chain's", () => {
    const latest = tag(400, { name: warehouseCheckpointName('46', 2, 'latest'), warehouse: '46' });
    const week = tag(300, { name: warehouseCheckpointName('46', 2, 2969), warehouse: '46' });
    expect([latest.name, week.name]).toEqual(['warehouse/46/v2/latest', 'warehouse/46/v2/week-2969']);
    const { name, ...rest } = latest;
    expect(parseCheckpointTag(name, checkpointMetadata(rest))).toEqual(latest);
    const now = { viewsVersion: 2, streamCreated: CREATED, lastSeq: 500 };
    const index = tag(450, { name: warehouseIndexName(2) });
    expect(chooseCheckpoint([tag(100), latest, week, index], now).use?.seq).toBe(100);
    expect(isChainCheckpoint(index)).toBe(false);
    expect(checkpointBefore([tag(100), latest, week], now, T0 + 10_000_000)?.seq).toBe(100);
  });

  it("deletes one warehouse's week-end checkpoints with the chain's weeks, and its latest never", () => {
    const newest = MONDAY + 60 * 7 * DAY;
    const tags = [
      tag(1000, { maxEventMs: newest }),
      tag(999, { name: warehouseCheckpointName('46', 2, 'latest'), warehouse: '46', maxEventMs: MONDAY }),
      tag(10, { name: warehouseCheckpointName('46', 2, weekOf(newest) - 53), warehouse: '46' }),
      tag(20, { name: warehouseCheckpointName('46', 2, weekOf(newest) - 52), warehouse: '46' }),
      tag(5, { name: warehouseCheckpointName('52', 1, 'latest'), warehouse: '52', viewsVersion: 1 }),
      tag(1000, { name: warehouseIndexName(2), maxEventMs: newest }),
      tag(3, { name: warehouseIndexName(1), viewsVersion: 1 }),
    ];
    const doomed = checkpointsToDelete(tags, {
      keepLatest: 3,
      keepDays: 7,
      keepWeeks: 53,
      viewsVersion: 2,
      streamCreated: CREATED,
    });
    expect(doomed.sort()).toEqual(
      [
        warehouseCheckpointName('46', 2, weekOf(newest) - 53),
        warehouseCheckpointName('52', 1, 'latest'),
        warehouseIndexName(1),
      ].sort(),
    );
  });

  it('given checkpoints of this stream and version, then the newest not ahead of the stream is used', () => {
    const choice = chooseCheckpoint([tag(100), tag(300), tag(200), tag(900)], {
      viewsVersion: 2,
      streamCreated: CREATED,
      lastSeq: 500,
    });
    expect(choice.use?.seq).toBe(300);
    expect(choice.ignored).toEqual(['1 ahead of the stream (rewound?)']);
  });

  it('given only checkpoints of another version or a recreated stream, then none is used and it says why', () => {
    const choice = chooseCheckpoint([tag(100, { viewsVersion: 1 }), tag(200, { streamCreated: 'earlier' })], {
      viewsVersion: 2,
      streamCreated: CREATED,
      lastSeq: 500,
    });
    expect(choice.use).toBeNull();
    expect(choice.ignored).toEqual([
      '1 of a stream that has been recreated since',
      '1 written for views version 1 (this is version 2)',
    ]);
  });

  it('keeps the latest few and one per recent day; drops older versions and recreated streams', () => {
    // Four checkpoints a day for ten days.
    const tags: CheckpointTag[] = [];
    for (let i = 0; i < 40; i++) tags.push(tag(1000 * (i + 1), { maxEventMs: T0 + i * (DAY / 4) }));
    tags.push(tag(5, { viewsVersion: 1 }), tag(6, { streamCreated: 'earlier' }), tag(7, { viewsVersion: 3 }));
    const doomed = new Set(
      checkpointsToDelete(tags, {
        keepLatest: 3,
        keepDays: 7,
        keepWeeks: 0,
        viewsVersion: 2,
        streamCreated: CREATED,
      }),
    );
    const kept = tags.filter((t) => !doomed.has(t.name));
    expect(doomed.has(checkpointName(1, 5))).toBe(true);
    expect(doomed.has(tags.find((t) => t.seq === 6)!.name)).toBe(true);
    expect(kept.map((t) => t.name)).toContain(checkpointName(3, 7));
    const current = kept.filter((t) => t.viewsVersion === 2).map((t) => t.seq);
    // The latest three, plus the newest of each earlier day within the week.
    expect(current.sort((a, b) => b - a).slice(0, 3)).toEqual([40_000, 39_000, 38_000]);
    expect(current.length).toBeLessThanOrEqual(3 + 8);
    expect(current).not.toContain(1000);
  });

  it('keeps the newest of each week of the history as well, for time travel', () => {
    // One checkpoint every six hours for a year.
    const tags: CheckpointTag[] = [];
    for (let i = 0; i < 365 * 4; i++) tags.push(tag(i + 1, { maxEventMs: T0 + i * (DAY / 4) }));
    const doomed = new Set(
      checkpointsToDelete(tags, {
        keepLatest: 3,
        keepDays: 7,
        keepWeeks: 60,
        viewsVersion: 2,
        streamCreated: CREATED,
      }),
    );
    const kept = tags.filter((t) => !doomed.has(t.name));
    const weeks = new Set(tags.map((t) => weekOf(t.maxEventMs)));
    for (const week of weeks) {
      const ofWeek = tags.filter((t) => weekOf(t.maxEventMs) === week);
      const newest = ofWeek.reduce((a, b) => (b.seq > a.seq ? b : a));
      expect(kept).toContain(newest);
    }
    // A week, a day and the latest few: nothing else.
    expect(kept.length).toBeLessThanOrEqual(weeks.size + 7 + 3);

    const fewerWeeks = new Set(
      checkpointsToDelete(tags, {
        keepLatest: 3,
        keepDays: 0,
        keepWeeks: 4,
        viewsVersion: 2,
        streamCreated: CREATED,
      }),
    );
    expect(tags.filter((t) => !fewerWeeks.has(t.name)).length).toBeLessThanOrEqual(3 + 4);
  });

  it('weeks start on Monday, UTC', () => {
    const monday = MONDAY;
    // Seven days after a Thursday, 1970-01-01 (day 0), counted in whole days: day 4 of a week is a Monday.
    expect((monday / DAY) % 7).toBe(4);
    expect(weekOf(monday)).toBe(weekOf(monday + 7 * DAY - 1));
    expect(weekOf(monday - 1)).toBe(weekOf(monday) - 1);
  });

  it('a fold catching up cuts its batch where the events reach into a new week', () => {
    const monday = MONDAY;
    const times = [
      monday - DAY,
      monday - 1,
      monday + 1,
      monday - 5,
      monday + DAY,
      monday + 7 * DAY,
      monday + 21 * DAY,
    ];
    expect(weekCuts(times, Number.NEGATIVE_INFINITY)).toEqual([2, 5, 6]);
    // A back-dated event after the cut does not cut again; nor does a batch that stays in the newest week.
    expect(weekCuts(times.slice(3, 5), monday + 2)).toEqual([]);
    expect(weekCuts([monday], monday - 1)).toEqual([0]);
    expect(weekCuts([], monday)).toEqual([]);
  });

  it('a past moment starts from the newest usable checkpoint with nothing after the moment', () => {
    const now = { viewsVersion: 2, streamCreated: CREATED, lastSeq: 500 };
    const tags = [
      tag(100),
      tag(300),
      tag(200),
      tag(900),
      tag(250, { viewsVersion: 1 }),
      tag(260, { streamCreated: 'x' }),
    ];
    expect(checkpointBefore(tags, now, T0 + 299_000)?.seq).toBe(200);
    expect(checkpointBefore(tags, now, T0 + 300_000)?.seq).toBe(300);
    // Ahead of the stream: not used, even for a moment after it.
    expect(checkpointBefore(tags, now, T0 + 10_000_000)?.seq).toBe(300);
    expect(checkpointBefore(tags, now, T0)).toBeNull();
  });
});
