import { describe, expect, it } from 'vitest';
import { CrossingTracker, alertId, type LowAlert } from './notifier-state';

const KEY = '46.Apples';

/** A tracker with a level feed that hands out revisions like the bucket does. */
function given(remembered: [string, { quantity: number; threshold: number }][] = []) {
  const tracker = new CrossingTracker(remembered);
  let revision = 0;
  const alerts: LowAlert[] = [];
  const t = {
    tracker,
    alerts,
    level(quantity: number, key = KEY): LowAlert[] {
      const [warehouse = '', product = ''] = key.split('.');
      const out = tracker.setLevel(key, { warehouse, product, quantity, revision: ++revision }, revision);
      alerts.push(...out);
      return out;
    },
    threshold(threshold: number | null, key = KEY): LowAlert[] {
      const out = tracker.setThreshold(key, { threshold, revision: ++revision }, revision);
      alerts.push(...out);
      return out;
    },
    deleteLevel(key = KEY): LowAlert[] {
      ++revision;
      return tracker.setLevel(key, null, revision);
    },
    live(): LowAlert[] {
      const out = tracker.goLive(revision);
      alerts.push(...out);
      return out;
    },
  };
  return t;
}

describe('CrossingTracker: the crossing table', () => {
  it('above → below fires once, with the payload of the level and threshold', () => {
    const t = given();
    t.threshold(10, 'default');
    t.level(12);
    expect(t.live()).toEqual([]);
    const [alert, ...rest] = t.level(8);
    expect(rest).toEqual([]);
    expect(alert).toEqual({
      key: KEY,
      id: alertId(KEY, 3, 0, 1),
      low: { product_name: 'Apples', warehouse: '46', quantity: 8, threshold: 10 },
      atMs: 3,
    });
  });

  it('below → below does not fire again', () => {
    const t = given();
    t.live();
    expect(t.level(5)).toHaveLength(1);
    expect(t.level(4)).toEqual([]);
    expect(t.level(-2)).toEqual([]);
  });

  it('at the threshold is not low; recovering then dropping fires again', () => {
    const t = given();
    t.live();
    t.level(20);
    expect(t.level(9)).toHaveLength(1);
    expect(t.level(10)).toEqual([]);
    expect(t.level(9)).toHaveLength(1);
    expect(new Set(t.alerts.map((a) => a.id)).size).toBe(2);
  });

  it('a threshold raised above the current level fires; lowered again it recovers', () => {
    const t = given();
    t.live();
    t.level(8);
    t.threshold(5);
    expect(t.alerts).toHaveLength(1);
    expect(t.threshold(10)).toMatchObject([{ low: { quantity: 8, threshold: 10 } }]);
    expect(t.threshold(5)).toEqual([]);
    expect(t.threshold(10)).toHaveLength(1);
    expect(new Set(t.alerts.map((a) => a.id)).size).toBe(3);
  });

  it('the default threshold concerns only keys without a usable threshold of their own', () => {
    const t = given();
    t.live();
    t.level(8, '46.Apples');
    t.level(8, '46.Pears');
    t.alerts.length = 0;
    t.threshold(3, '46.Pears');
    t.threshold(5, 'default');
    expect(t.threshold(20, 'default').map((a) => a.key)).toEqual(['46.Apples']);
    // An unusable or deleted own threshold falls back to the default.
    expect(t.threshold(null, '46.Pears').map((a) => a.key)).toEqual(['46.Pears']);
  });

  it('without any threshold entry the default of 10 applies', () => {
    const t = given();
    t.live();
    expect(t.level(9)).toMatchObject([{ low: { threshold: 10 } }]);
  });

  it('nothing fires before the initial values are in; then a key already low fires once', () => {
    const t = given();
    expect(t.level(3)).toEqual([]);
    expect(t.threshold(10)).toEqual([]);
    expect(t.live()).toHaveLength(1);
    expect(t.live()).toEqual([]);
  });

  it('a key deleted and written again while still low does not fire again', () => {
    const t = given();
    t.live();
    expect(t.level(3)).toHaveLength(1);
    t.deleteLevel();
    expect(t.level(3)).toEqual([]);
  });
});

describe('CrossingTracker: across a restart', () => {
  it('given an alert on record and the key still low, then it does not fire', () => {
    const t = given([[KEY, { quantity: 4, threshold: 10 }]]);
    t.level(2);
    expect(t.live()).toEqual([]);
    expect(t.level(1)).toEqual([]);
  });

  it('given an alert on record and the key recovered, then the next drop fires', () => {
    const t = given([[KEY, { quantity: 4, threshold: 10 }]]);
    t.level(30);
    expect(t.live()).toEqual([]);
    expect(t.level(2)).toHaveLength(1);
  });

  it('gives the same crossing the same id, so the server drops a re-sent alert', () => {
    const first = given();
    first.level(20);
    first.live();
    const before = first.level(3);
    const again = given();
    again.level(20);
    again.live();
    expect(again.level(3)).toEqual(before);
  });
});
