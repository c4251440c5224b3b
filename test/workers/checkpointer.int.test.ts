/**
 * The checkpointer against a server of its own (docs/architecture.md#checkpoints): it writes a checkpoint once
 * caught up and another after more events; a reader that starts from either and folds the tail gets the views
 * of a full replay; a checkpoint of another views version or of a recreated stream is never chosen, and the
 * checkpointer replaces the recreated stream's checkpoints with the new stream's.
 */
import { TEST_HEADER_NAMES } from '../../src/core/testing';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkpointBefore,
  chooseCheckpoint,
  isChainCheckpoint,
  warehouseCheckpointName,
  weekOf,
  type CheckpointTag,
} from '../../src/core/checkpoint-catalog';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/core/checkpoint-codec';
import { decodeStockMessage, eventTimeOf, subjectOf, type Decoded } from '../../src/core/codec';
import { subjectWarehouse } from '../../src/core/events';
import { applyBatch, initialLedger, ledgerViews, type LedgerState } from '../../src/core/ledger';
import { LEDGER_SNAPSHOT_VERSION, snapshotLedger } from '../../src/core/ledger-snapshot';
import { DETAIL_HOURS, HORIZON_HOURS, HOUR_MS } from '../../src/core/sales';
import { decodeWarehouseIndex, warehouseIndexName } from '../../src/core/warehouse-index';
import {
  deleteCheckpoint,
  listCheckpoints,
  readCheckpoint,
  writeCheckpoint,
} from '../../src/nats/checkpoint-store';
import { STREAMS } from '../../src/core/resources';
import { provision } from '../../src/nats/provision';
import { streamState } from '../../src/nats/replay';
import { readWholeStream } from '../support/read-stream';
import { deleteStream } from '../support/stream-admin';
import {
  foldStream,
  killWorkers,
  publishEvent,
  publishTraffic,
  randomEvent,
  seededRng,
  spawnWorker,
  startStack,
  waitFor,
  type TestStack,
  type WorkerProcess,
} from './helpers';

let stack: TestStack;

beforeEach(async () => {
  stack = await startStack();
});

afterEach(async () => {
  await killWorkers();
  await stack.close();
  rmSync(stack.server.storeDir, { recursive: true, force: true });
});

const written = (w: WorkerProcess, seq: number) =>
  w.waitForLog((l) => l.msg === 'checkpoint written' && l.seq === seq, `a checkpoint at #${seq}`, 60_000);

/** What a browser does: the newest usable checkpoint, then the tail of the stream folded onto it. */
async function startFromCheckpoint(tag: CheckpointTag): Promise<LedgerState> {
  const read = decodeCheckpoint(await readCheckpoint(stack.admin, tag.name));
  if (!read.ok) throw new Error(read.detail);
  const tail = (await readWholeStream(stack.admin, STREAMS.warehouse)).filter((m) => m.seq > tag.seq);
  return applyBatch(
    read.ledger,
    tail.map((m) => decodeStockMessage(m, TEST_HEADER_NAMES)),
  );
}

/** The chain's checkpoints (`tags`) and the warehouses' (`ofWarehouses`), and the chain's a browser takes. */
async function choose() {
  const state = await streamState(stack.admin, STREAMS.warehouse);
  const listing = await listCheckpoints(stack.admin);
  const tags = listing.tags.filter(isChainCheckpoint);
  const ofWarehouses = listing.tags.filter((t) => t.warehouse !== undefined);
  const choice = chooseCheckpoint(listing.tags, {
    viewsVersion: LEDGER_SNAPSHOT_VERSION,
    streamCreated: state.created,
    lastSeq: state.lastSeq,
  });
  return { ...choice, tags, ofWarehouses, state };
}

const ofWarehouse = (warehouse: string) => (d: Decoded) => subjectWarehouse(subjectOf(d)) === warehouse;

/**
 * One warehouse's figures, as a page of that warehouse alone shows them. Sales hours older than the chain's
 * horizon (`chain`'s newest sale less HORIZON_HOURS) are in no window a page shows: a fold of one warehouse
 * forgets them by its own newest sale, which may be earlier. Likewise it keeps the minutes of an hour the
 * chain's fold has already reduced to its total (DETAIL_HOURS): past the chain's detail only totals compare.
 */
function figuresOf(ledger: LedgerState, warehouse: string, chain: LedgerState) {
  const newest = Math.ceil((chain.sales.newestMs ?? 0) / HOUR_MS);
  const cutoff = newest - HORIZON_HOURS;
  const detailCutoff = newest - DETAIL_HOURS;
  return {
    stock: ledger.stock.warehouses.get(warehouse),
    subjectSeqs: ledger.stock.subjectSeqs.get(warehouse),
    levels: ledger.procurement.levels.get(warehouse),
    sales: [...ledger.sales.hours]
      .filter(([hour]) => hour > cutoff)
      .map(([hour, series]) => [
        hour,
        [...series.values()]
          .filter((s) => s.warehouse === warehouse)
          .map((s) => (hour > detailCutoff ? s : { ...s, minutes: [] })),
      ])
      .filter(([, series]) => (series as unknown[]).length > 0),
  };
}

describe('checkpointer', () => {
  it('writes checkpoints that, with the tail, fold to the views of a full replay', async () => {
    const rng = seededRng(7);
    await publishTraffic(stack.admin, rng, 600, { perSecond: 100_000 });
    const worker = spawnWorker('checkpointer', stack.server.clientUrl, [
      '--every-events',
      '500',
      '--every-seconds',
      '3',
      '--keep',
      '2',
      '--mark-every',
      '100',
    ]);
    await written(worker, 600);
    // 700 more: one checkpoint at 500 new events' worth of batches or on time, and one at the end.
    await publishTraffic(stack.admin, rng, 700, { perSecond: 100_000 });
    await written(worker, 1300);
    // Stopped, so that it does not prune what this test is about to read.
    await worker.kill('SIGTERM');

    const { use, tags, ofWarehouses, state } = await choose();
    expect(state.lastSeq).toBe(1300);
    expect(use?.seq).toBe(1300);
    expect(tags.length).toBeLessThanOrEqual(2 + 1); // the latest two, plus today's newest
    await publishTraffic(stack.admin, rng, 50, { perSecond: 100_000 });
    const full = await foldStream(stack.admin);
    for (const tag of tags) {
      const resumed = await startFromCheckpoint(tag);
      expect(ledgerViews(resumed), tag.name).toEqual(ledgerViews(full));
    }

    // Each warehouse's latest, with the tail of that warehouse's subjects, gives its figures of a full replay;
    // the index says which warehouses the chain has.
    const everything = (await readWholeStream(stack.admin, STREAMS.warehouse)).map((m) =>
      decodeStockMessage(m, TEST_HEADER_NAMES),
    );
    const warehouses = [...full.stock.warehouses.keys()].sort();
    expect(warehouses.length).toBeGreaterThan(1);
    expect(ofWarehouses.map((t) => t.warehouse).sort()).toEqual(warehouses);
    expect(
      decodeWarehouseIndex(await readCheckpoint(stack.admin, warehouseIndexName(LEDGER_SNAPSHOT_VERSION))),
    ).toEqual(warehouses);
    for (const tag of ofWarehouses) {
      const warehouse = tag.warehouse as string;
      expect(tag.name).toBe(warehouseCheckpointName(warehouse, LEDGER_SNAPSHOT_VERSION, 'latest'));
      expect(tag.seq).toBe(1300);
      const read = decodeCheckpoint(await readCheckpoint(stack.admin, tag.name));
      if (!read.ok) throw new Error(read.detail);
      expect(read.ledger.lastSeq).toBe(1300);
      const tail = everything.filter(
        (d) => ofWarehouse(warehouse)(d) && (d.kind === 'malformed' ? d.seq : d.meta.seq) > tag.seq,
      );
      const resumed = applyBatch(read.ledger, tail);
      expect(figuresOf(resumed, warehouse, full), tag.name).toEqual(figuresOf(full, warehouse, full));
      // Its own subjects alone: nothing of another warehouse.
      expect([...resumed.stock.warehouses.keys()]).toEqual([warehouse]);
    }

    // Each checkpoint's time marks are true of the stream it holds: nothing after a mark is older than it says
    // (a checkpoint written while the fold went on may know of older events after it, never of fewer).
    const times = (await readWholeStream(stack.admin, STREAMS.warehouse)).map((m) => {
      const d = decodeStockMessage(m, TEST_HEADER_NAMES);
      return { seq: m.seq, at: eventTimeOf(d) };
    });
    for (const tag of tags) {
      const read = decodeCheckpoint(await readCheckpoint(stack.admin, tag.name));
      if (!read.ok) throw new Error(read.detail);
      expect(read.marks.length, tag.name).toBeGreaterThan(0);
      for (const mark of read.marks) {
        expect(mark.seq).toBeLessThanOrEqual(tag.seq);
        const held = times.filter((t) => t.seq <= tag.seq);
        expect(Math.max(...held.filter((t) => t.seq <= mark.seq).map((t) => t.at))).toBe(mark.maxEventMs);
        const after = held.filter((t) => t.seq > mark.seq).map((t) => t.at);
        expect(mark.minEventMsAfter).toBeLessThanOrEqual(Math.min(Infinity, ...after));
        if (tag.seq === use?.seq) expect(mark.minEventMsAfter).toBe(Math.min(Infinity, ...after));
      }
    }

    // Another views version, newer than any: listed, never chosen, and refused by its header too.
    const other = { ...snapshotLedger(initialLedger()), version: LEDGER_SNAPSHOT_VERSION + 1 };
    const bytes = encodeCheckpoint({ snapshot: other, minEventMs: 0, maxEventMs: 0, marks: [] });
    await writeCheckpoint(
      stack.admin,
      {
        name: 'ledger/vnext/1',
        seq: 1350,
        viewsVersion: LEDGER_SNAPSHOT_VERSION + 1,
        streamCreated: state.created,
        maxEventMs: 0,
      },
      bytes,
    );
    expect(decodeCheckpoint(bytes)).toMatchObject({ ok: false, reason: 'other_version' });
    const again = await choose();
    expect(again.use?.viewsVersion).toBe(LEDGER_SNAPSHOT_VERSION);
    expect(again.ignored.join(' ')).toMatch(/views version/);
  }, 120_000);

  it("restarted, it resumes from its checkpoints when every warehouse's is there, and folds again when one is not", async () => {
    const rng = seededRng(5);
    await publishTraffic(stack.admin, rng, 300, { perSecond: 100_000 });
    let worker = spawnWorker('checkpointer', stack.server.clientUrl, ['--every-seconds', '2']);
    await written(worker, 300);
    await worker.kill('SIGTERM');

    await publishTraffic(stack.admin, rng, 100, { perSecond: 100_000 });
    worker = spawnWorker('checkpointer', stack.server.clientUrl, ['--every-seconds', '2']);
    const resumed = await worker.waitForLog((l) => l.msg === 'resumed from checkpoint', 'a resume');
    expect(resumed).toMatchObject({ seq: 300 });
    expect(resumed.warehouses).toBeGreaterThan(1);
    await written(worker, 400);
    await worker.kill('SIGTERM');
    const full = await foldStream(stack.admin);
    const { ofWarehouses } = await choose();
    for (const tag of ofWarehouses) {
      const read = decodeCheckpoint(await readCheckpoint(stack.admin, tag.name));
      if (!read.ok) throw new Error(read.detail);
      expect(tag.seq).toBe(400);
      expect(figuresOf(read.ledger, tag.warehouse as string, full)).toEqual(
        figuresOf(full, tag.warehouse as string, full),
      );
    }

    // One warehouse's checkpoint gone: its fold cannot be resumed, so everything is folded again.
    await deleteCheckpoint(stack.admin, ofWarehouses[0]!.name);
    await publishTraffic(stack.admin, rng, 20, { perSecond: 100_000 });
    worker = spawnWorker('checkpointer', stack.server.clientUrl, ['--every-seconds', '2']);
    const refold = await worker.waitForLog(
      (l) => l.msg === 'newest checkpoints not usable; folding from the start',
      'a refold',
    );
    expect(refold.why).toBe(`no checkpoint of warehouses ${ofWarehouses[0]!.warehouse}`);
    await written(worker, 420);
    const again = await choose();
    expect(again.ofWarehouses.map((t) => t.name).sort()).toEqual(ofWarehouses.map((t) => t.name).sort());
  }, 120_000);

  it('given the stream recreated, then the old checkpoints are never chosen and are replaced', async () => {
    const rng = seededRng(11);
    await publishTraffic(stack.admin, rng, 300, { perSecond: 100_000 });
    const worker = spawnWorker('checkpointer', stack.server.clientUrl, ['--every-seconds', '2']);
    await written(worker, 300);
    const before = await choose();

    await deleteStream(stack.admin, STREAMS.warehouse);
    await provision(stack.admin);
    await publishTraffic(stack.admin, rng, 120, { perSecond: 100_000 });
    const now = await streamState(stack.admin, STREAMS.warehouse);
    expect(now.created).not.toBe(before.state.created);
    // Before the checkpointer catches up, a reader ignores the old stream's checkpoint and says why.
    const stale = chooseCheckpoint(before.tags, {
      viewsVersion: LEDGER_SNAPSHOT_VERSION,
      streamCreated: now.created,
      lastSeq: now.lastSeq,
    });
    expect(stale.use).toBeNull();
    expect(stale.ignored).toEqual(['1 of a stream that has been recreated since']);

    await written(worker, 120);
    const after = await waitFor(
      async () => {
        const c = await choose();
        return [...c.tags, ...c.ofWarehouses].every((t) => t.streamCreated === now.created) ? c : undefined;
      },
      'the old stream checkpoints pruned',
      30_000,
    );
    expect(after.use?.seq).toBe(120);
    expect(ledgerViews(await startFromCheckpoint(after.use!))).toEqual(
      ledgerViews(await foldStream(stack.admin)),
    );
  }, 120_000);

  it('catching up with weeks of history, it keeps a checkpoint at the end of each week, where time travel starts', async () => {
    const DAY = 24 * 60 * 60_000;
    const rng = seededRng(23);
    const start = Date.now() - 36 * DAY;
    // Ten events a day for five weeks, a few at a time, so that stream order and event time differ a little.
    for (let i = 0; i < 360; i += 6) {
      await Promise.all(
        Array.from({ length: 6 }, (_, k) =>
          publishEvent(stack.admin, randomEvent(rng), randomUUID(), start + (i + k) * (DAY / 10)),
        ),
      );
    }
    const worker = spawnWorker('checkpointer', stack.server.clientUrl, [
      '--keep',
      '1',
      '--keep-days',
      '0',
      '--keep-weeks',
      '10',
    ]);
    await written(worker, 360);
    await worker.kill('SIGTERM');

    const { tags, ofWarehouses, state } = await choose();
    const events = (await readWholeStream(stack.admin, STREAMS.warehouse)).map((m) =>
      decodeStockMessage(m, TEST_HEADER_NAMES),
    );
    const at = eventTimeOf;
    const weeks = [...new Set(events.map((d) => weekOf(at(d))))].sort((a, b) => a - b);
    // One at the end of each week but the last, and the latest.
    const history = tags.filter((t) => t.seq < state.lastSeq);
    expect(history.map((t) => weekOf(t.maxEventMs)).sort((a, b) => a - b)).toEqual(weeks.slice(0, -1));
    expect(tags.length).toBe(weeks.length);
    for (const tag of history) {
      // The end of a week: the next event in stream order reached into the next week.
      const next = events.find((d) => (d.kind === 'malformed' ? d.seq : d.meta.seq) === tag.seq + 1)!;
      expect(weekOf(at(next))).toBeGreaterThan(weekOf(tag.maxEventMs));
    }

    // A moment of each day, rebuilt as the time machine does: the checkpoint before it plus the events after
    // it that had happened by then, against every event that had happened by then.
    for (let day = 1; day < 36; day++) {
      const moment = start + day * DAY + DAY / 3;
      const tag = checkpointBefore(
        tags,
        { viewsVersion: LEDGER_SNAPSHOT_VERSION, streamCreated: state.created, lastSeq: state.lastSeq },
        moment,
      );
      const base = tag ? decodeCheckpoint(await readCheckpoint(stack.admin, tag.name)) : null;
      if (base && !base.ok) throw new Error(base.detail);
      const baseLedger = base?.ledger ?? initialLedger();
      const rebuilt = applyBatch(
        baseLedger,
        events.filter(
          (d) => (d.kind === 'malformed' ? d.seq : d.meta.seq) > baseLedger.lastSeq && at(d) <= moment,
        ),
      );
      const expected = applyBatch(
        initialLedger(),
        events.filter((d) => at(d) <= moment),
      );
      expect(ledgerViews(rebuilt), new Date(moment).toISOString()).toEqual(ledgerViews(expected));
      if (day >= 8) expect(tag, `a checkpoint before day ${day}`).not.toBeNull();

      // One warehouse's moment from that warehouse's own week-end checkpoint and its own subjects.
      for (const warehouse of [...expected.stock.warehouses.keys()]) {
        const own = ofWarehouses
          .filter((t) => t.warehouse === warehouse && t.maxEventMs <= moment)
          .sort((a, b) => b.seq - a.seq)[0];
        const ownBase = own ? decodeCheckpoint(await readCheckpoint(stack.admin, own.name)) : null;
        if (ownBase && !ownBase.ok) throw new Error(ownBase.detail);
        const from = ownBase?.ledger ?? initialLedger();
        const alone = applyBatch(
          from,
          events.filter(
            (d) =>
              ofWarehouse(warehouse)(d) &&
              (d.kind === 'malformed' ? d.seq : d.meta.seq) > from.lastSeq &&
              at(d) <= moment,
          ),
        );
        expect(
          figuresOf(alone, warehouse, expected),
          `${warehouse} at ${new Date(moment).toISOString()}`,
        ).toEqual(figuresOf(expected, warehouse, expected));
        if (day >= 8) expect(own, `${warehouse}'s checkpoint before day ${day}`).toBeDefined();
      }
    }
    // A week-end one of each warehouse for every week but the last from its first event on, named by its
    // week, and each one's latest.
    for (const warehouse of [...new Set(ofWarehouses.map((t) => t.warehouse as string))]) {
      const names = ofWarehouses.filter((t) => t.warehouse === warehouse).map((t) => t.name);
      const first = Math.min(...events.filter(ofWarehouse(warehouse)).map((d) => weekOf(at(d))));
      expect(names.sort()).toEqual(
        [
          warehouseCheckpointName(warehouse, LEDGER_SNAPSHOT_VERSION, 'latest'),
          ...weeks
            .slice(0, -1)
            .filter((w) => w >= first)
            .map((w) => warehouseCheckpointName(warehouse, LEDGER_SNAPSHOT_VERSION, w)),
        ].sort(),
      );
    }
  }, 120_000);
});
