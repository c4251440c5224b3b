import { describe, expect, it } from 'vitest';
import {
  checkpointName,
  warehouseCheckpointName,
  weekOf,
  type CheckpointTag,
} from '../core/checkpoint-catalog';
import { encodeCheckpoint } from '../core/checkpoint-codec';
import { applyBatch, initialLedger, type LedgerState } from '../core/ledger';
import { LEDGER_SNAPSHOT_VERSION, snapshotLedger } from '../core/ledger-snapshot';
import { TestStream } from '../core/testing';
import { locationQuantity } from '../core/warehouse-stock';
import type { SharedCheckpoints } from './checkpoint-port';
import { Checkpoints } from './checkpoints';
import { LISTING_FRESH_MS, PastStartingPoints } from './past-starting-points';

const DAY = 24 * 3600_000;
const T0 = 1_780_000_000_000;
const CREATED = '2026-01-05T00:00:00Z';

/** Two weeks of history: ten apples at the start, a week-end checkpoint at #10,001 after one more. */
function history() {
  const s = new TestStream(T0);
  const first = applyBatch(initialLedger(), [s.replenished('46', 'Apples', 10, 'A1', { at: T0 })]);
  s.skip(9_999);
  const weekOne = applyBatch(first, [s.replenished('46', 'Apples', 1, 'A1', { at: T0 + 6 * DAY })]);
  s.skip(9_999);
  const now = applyBatch(weekOne, [s.sold('46', 'Apples', 4, 'A1', { at: T0 + 13 * DAY })]);
  return { weekOne, now };
}

function bytesOf(ledger: LedgerState, maxEventMs: number): Uint8Array {
  return encodeCheckpoint({ snapshot: snapshotLedger(ledger), minEventMs: T0, maxEventMs, marks: [] });
}

function tagOf(ledger: LedgerState, maxEventMs: number, over: Partial<CheckpointTag> = {}): CheckpointTag {
  return {
    name: checkpointName(LEDGER_SNAPSHOT_VERSION, ledger.lastSeq),
    seq: ledger.lastSeq,
    viewsVersion: LEDGER_SNAPSHOT_VERSION,
    streamCreated: CREATED,
    maxEventMs,
    ...over,
  };
}

/** A store of shared checkpoints that counts what it is asked, and can lose objects or fail. */
function store(objects: Map<string, Uint8Array>, tags: CheckpointTag[]) {
  const asked = { list: 0, read: 0, find: 0 };
  let failList = false;
  const port: SharedCheckpoints = {
    list: async () => {
      asked.list++;
      if (failList) throw new Error('no responders');
      return tags.filter((t) => objects.has(t.name));
    },
    find: async (name) => {
      asked.find++;
      return tags.find((t) => t.name === name && objects.has(name)) ?? null;
    },
    read: async (name) => {
      asked.read++;
      const bytes = objects.get(name);
      if (!bytes) throw new Error(`${name} not found`);
      return bytes;
    },
  };
  return { port, asked, failList: () => (failList = true) };
}

/** A browser that started from the newest checkpoint: it has no point of its own in the history before it. */
function liveFold(now: LedgerState) {
  const checkpoints = new Checkpoints();
  checkpoints.resumeFrom(now, T0, T0 + 13 * DAY);
  return {
    checkpoints,
    streamCreated: CREATED as string | null,
    lastSeq: now.lastSeq,
    scope: null as string | null,
  };
}

function points(port: SharedCheckpoints, live = liveFold(history().now)) {
  const notices: string[] = [];
  let clock = T0 + 14 * DAY;
  const index = new PastStartingPoints(
    port,
    () => live,
    (m) => notices.push(m),
    () => clock,
  );
  return { index, notices, live, advance: (ms: number) => (clock += ms) };
}

const apples = (ledger: LedgerState) => locationQuantity(ledger.stock, '46', 'Apples', 'A1');

describe('PastStartingPoints', () => {
  const { weekOne, now } = history();
  const weekOneEnd = T0 + 6 * DAY;

  it('given a moment in the second week, then it starts from the end of the first, read once', async () => {
    const s = store(new Map([[tagOf(weekOne, weekOneEnd).name, bytesOf(weekOne, weekOneEnd)]]), [
      tagOf(weekOne, weekOneEnd),
    ]);
    const { index } = points(s.port);
    const start = await index.before(T0 + 10 * DAY, null);
    expect(start.seq).toBe(weekOne.lastSeq);
    expect(apples(start.ledger)).toBe(11);
    await index.before(T0 + 10 * DAY + 1000, null);
    expect(s.asked).toEqual({ list: 1, read: 1, find: 0 });
  });

  it('given a moment before every shared checkpoint, then it starts from its own points (here: the stream start)', async () => {
    const s = store(new Map([[tagOf(weekOne, weekOneEnd).name, bytesOf(weekOne, weekOneEnd)]]), [
      tagOf(weekOne, weekOneEnd),
    ]);
    const start = await points(s.port).index.before(T0 + DAY, null);
    expect(start.seq).toBe(0);
    expect(s.asked.read).toBe(0);
  });

  it('given checkpoints of another stream or views version, or ahead of the fold, then none is read', async () => {
    const objects = new Map<string, Uint8Array>();
    const tags = [
      tagOf(weekOne, weekOneEnd, { name: 'a', streamCreated: 'before the stream was recreated' }),
      tagOf(weekOne, weekOneEnd, { name: 'b', viewsVersion: LEDGER_SNAPSHOT_VERSION + 1 }),
      tagOf(weekOne, weekOneEnd, { name: 'c', seq: now.lastSeq + 1 }),
    ];
    for (const t of tags) objects.set(t.name, bytesOf(weekOne, weekOneEnd));
    const s = store(objects, tags);
    expect((await points(s.port).index.before(T0 + 10 * DAY, null)).seq).toBe(0);
    expect(s.asked.read).toBe(0);
  });

  it('given its own point is as far on, then no shared checkpoint is read', async () => {
    const tag = tagOf(weekOne, weekOneEnd);
    const s = store(new Map([[tag.name, bytesOf(weekOne, weekOneEnd)]]), [tag]);
    // The fold itself started at #20,001, which holds nothing after the thirteenth day.
    expect((await points(s.port).index.before(T0 + 13 * DAY + 1, null)).seq).toBe(now.lastSeq);
    expect(s.asked.read).toBe(0);
  });

  it('given the listed checkpoint pruned since, then it lists again; given the store unreachable, it says so once', async () => {
    const tag = tagOf(weekOne, weekOneEnd);
    const objects = new Map([[tag.name, bytesOf(weekOne, weekOneEnd)]]);
    const s = store(objects, [tag]);
    const { index, notices, advance } = points(s.port);
    await index.before(T0 + 10 * DAY, null);
    index.release();
    objects.delete(tag.name);
    expect((await index.before(T0 + 10 * DAY, null)).seq).toBe(0);
    expect(s.asked.list).toBe(2);
    expect(notices).toEqual([]);

    advance(LISTING_FRESH_MS);
    s.failList();
    await index.before(T0 + 10 * DAY, null);
    await index.before(T0 + 11 * DAY, null);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/could not be listed.*no responders/);
  });

  it('given bytes that do not decode, then it reads the stream and says why', async () => {
    const tag = tagOf(weekOne, weekOneEnd);
    const s = store(new Map([[tag.name, new Uint8Array([1, 2, 3])]]), [tag]);
    const { index, notices } = points(s.port);
    expect((await index.before(T0 + 10 * DAY, null)).seq).toBe(0);
    expect(notices[0]).toMatch(/at #10001 was not used/);
  });

  it("given one warehouse's moment, then its own week-end checkpoint is found by name, the store not listed", async () => {
    const week = weekOf(weekOneEnd);
    const tag = tagOf(weekOne, weekOneEnd, {
      name: warehouseCheckpointName('46', LEDGER_SNAPSHOT_VERSION, week),
      warehouse: '46',
    });
    const s = store(new Map([[tag.name, bytesOf(weekOne, weekOneEnd)]]), [tag]);
    const { index } = points(s.port);
    const start = await index.before(T0 + 10 * DAY, '46');
    expect(start.seq).toBe(weekOne.lastSeq);
    expect(apples(start.ledger)).toBe(11);
    expect(s.asked.list).toBe(0);
    expect(s.asked.read).toBe(1);
    // The chain's past cannot start from one warehouse's checkpoint.
    expect((await index.before(T0 + 10 * DAY, null)).seq).toBe(0);
  });

  it("given a fold of another warehouse, then its own points are not used for this one's past", async () => {
    const s = store(new Map(), []);
    const live = { ...liveFold(now), scope: '52' };
    const { index } = points(s.port, live);
    expect((await index.before(T0 + 13 * DAY + 1, '46')).seq).toBe(0);
    expect((await index.before(T0 + 13 * DAY + 1, '52')).seq).toBe(now.lastSeq);
  });
});
