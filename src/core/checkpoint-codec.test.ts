import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkpointViewsVersion,
  decodeCheckpoint,
  decodeCheckpointTree,
  encodeCheckpoint,
} from './checkpoint-codec';
import type { Decoded } from './codec';
import { applyBatch, initialLedger, ledgerViews, type LedgerState } from './ledger';
import { LEDGER_SNAPSHOT_VERSION, snapshotLedger } from './ledger-snapshot';
import { HOUR_MS } from './sales';
import { idGenerations, syntheticHistory, TestStream } from './testing';
import { hasWarehouseId } from './warehouse-ids';

const DAY_MS = 24 * HOUR_MS;
const T0 = 1_700_000_000_000;

function fold(events: readonly Decoded[], from: LedgerState): LedgerState {
  let ledger = from;
  for (let i = 0; i < events.length; i += 250) ledger = applyBatch(ledger, events.slice(i, i + 250));
  return ledger;
}

const checkpointOf = (ledger: LedgerState) =>
  encodeCheckpoint({ snapshot: snapshotLedger(ledger), minEventMs: T0, maxEventMs: T0 + 1, marks: [] });

/** One step of a random history: which warehouse, product, location, what happens and how much time passes. */
const step = fc.record({
  warehouse: fc.constantFrom('46', '52', 'Depot_1'),
  product: fc.constantFrom('Apples', 'Pears', 'Plums', 'Ünïcode-Ω'),
  location: fc.constantFrom('-', 'A01', 'B02'),
  kind: fc.integer({ min: 0, max: 99 }),
  quantity: fc.integer({ min: 1, max: 40 }),
  // Up to half a day between events, sometimes back-dated: the id horizon turns over in longer histories.
  advanceMs: fc.integer({ min: -HOUR_MS, max: 12 * HOUR_MS }),
  pick: fc.nat(),
});

type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function history(steps: readonly Step[]): Decoded[] {
  const s = new TestStream(T0);
  const events: Decoded[] = [];
  let clock = T0;
  for (const st of steps) {
    clock += st.advanceMs;
    const at = { at: clock };
    const { warehouse: w, product: p, location: l, quantity: q, kind } = st;
    if (kind < 8 && events.length > 0) events.push(s.again(events[st.pick % events.length]!));
    else if (kind < 10) events.push(s.unknown(w, p, 'stock.audited', at));
    else if (kind < 12) events.push(s.malformed(`warehouse.${w}.product.${p}`));
    else if (kind < 25) events.push(s.corrected(w, p, l, q - 1, at));
    else if (kind < 45) events.push(s.replenished(w, p, q, l, at));
    else if (kind < 55) events.push(s.moved(w, p, l, l === 'A01' ? 'B02' : 'A01', q, at));
    else if (kind < 60) events.push(s.destroyed(w, p, l, q, 'mould', at));
    else events.push(s.sold(w, p, q, l, at));
  }
  return events;
}

describe('checkpoint encoding', () => {
  it('property: checkpoint at any cut + the tail equals a full replay (views and ids within the horizon)', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 0, maxLength: 400 }), fc.nat(), (steps, cutPick) => {
        const events = history(steps);
        const cut = events.length === 0 ? 0 : cutPick % (events.length + 1);
        // A one-day horizon so that random histories of a few weeks cross it several times.
        const full = fold(events, initialLedger(DAY_MS));
        const read = decodeCheckpoint(checkpointOf(fold(events.slice(0, cut), initialLedger(DAY_MS))));
        if (!read.ok) throw new Error(read.detail);
        const resumed = fold(events.slice(cut), read.ledger);
        expect(ledgerViews(resumed)).toEqual(ledgerViews(full));
        expect(idGenerations(resumed.seenIds)).toEqual(idGenerations(full.seenIds));
        for (const e of events) {
          if (e.kind === 'malformed') continue;
          const { warehouse, id } = e.meta;
          expect(hasWarehouseId(resumed.seenIds, warehouse, id)).toBe(
            hasWarehouseId(full.seenIds, warehouse, id),
          );
        }
      }),
      { numRuns: 150 },
    );
  });

  it('round-trips a long mixed history with the default horizon', () => {
    const events = syntheticHistory(20_000, T0 + 30 * DAY_MS);
    const full = fold(events, initialLedger());
    const bytes = checkpointOf(fold(events.slice(0, 12_345), initialLedger()));
    expect(checkpointViewsVersion(bytes)).toBe(LEDGER_SNAPSHOT_VERSION);
    const read = decodeCheckpoint(bytes);
    if (!read.ok) throw new Error(read.detail);
    expect(read).toMatchObject({ minEventMs: T0, maxEventMs: T0 + 1 });
    expect(ledgerViews(fold(events.slice(12_345), read.ledger))).toEqual(ledgerViews(full));
  });

  it('property: any value of the shapes views use comes back equal', () => {
    const { tree } = fc.letrec((tie) => ({
      leaf: fc.oneof(
        fc.constant(null),
        fc.constant(undefined),
        fc.boolean(),
        fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
        fc.double(),
        fc.string({ unit: 'grapheme' }),
        fc.constantFrom(Infinity, -Infinity, -0, 2 ** 53, 0.1),
        fc.uint8Array({ maxLength: 20 }),
        fc.uint32Array({ maxLength: 20 }),
      ),
      tree: fc.oneof(
        { depthSize: 'small' },
        tie('leaf'),
        fc.array(tie('tree'), { maxLength: 5 }),
        fc.dictionary(fc.string(), tie('tree'), { maxKeys: 5, noNullPrototype: true }),
        fc
          .array(fc.tuple(fc.oneof(fc.string(), fc.integer()), tie('tree')), { maxLength: 5 })
          .map((e) => new Map(e)),
      ),
    }));
    fc.assert(
      fc.property(tree, (value) => {
        const snapshot = { ...snapshotLedger(initialLedger()), stock: value } as never;
        const bytes = encodeCheckpoint({ snapshot, minEventMs: 0, maxEventMs: 0, marks: [] });
        // Through the raw decoder: restoreLedger would rightly refuse these as views.
        const read = decodeCheckpointTree(bytes);
        expect(read).toEqual({
          ok: true,
          viewsVersion: LEDGER_SNAPSHOT_VERSION,
          tree: { snapshot, minEventMs: 0, maxEventMs: 0, marks: [] },
        });
      }),
      { numRuns: 300 },
    );
  });

  it('carries the time marks; one written before marks existed reads as having none', () => {
    const marks = [
      { seq: 50_000, maxEventMs: T0 + 10, minEventMsAfter: T0 + 9 },
      { seq: 100_000, maxEventMs: T0 + 20, minEventMsAfter: Number.POSITIVE_INFINITY },
    ];
    const snapshot = snapshotLedger(initialLedger());
    const read = decodeCheckpoint(encodeCheckpoint({ snapshot, minEventMs: T0, maxEventMs: T0 + 20, marks }));
    expect(read).toMatchObject({ ok: true, marks });
    const older = encodeCheckpoint({ snapshot, minEventMs: T0, maxEventMs: T0 } as never);
    expect(decodeCheckpoint(older)).toMatchObject({ ok: true, marks: [] });
    const bad = encodeCheckpoint({
      snapshot,
      minEventMs: T0,
      maxEventMs: T0,
      marks: [{ seq: 'x' }],
    } as never);
    expect(decodeCheckpoint(bad)).toMatchObject({ ok: false, reason: 'damaged', detail: 'time marks' });
  });

  it('refuses a checkpoint of another views version, naming both', () => {
    const bytes = checkpointOf(initialLedger());
    bytes[5] = LEDGER_SNAPSHOT_VERSION + 1; // header: magic (4), format (1), views version (1)
    expect(decodeCheckpoint(bytes)).toMatchObject({ ok: false, reason: 'other_version' });
  });

  it('property: cut or damaged bytes never throw, and a cut checkpoint is always refused', () => {
    const good = checkpointOf(fold(syntheticHistory(300, T0), initialLedger()));
    fc.assert(
      fc.property(
        fc.nat({ max: good.length - 1 }),
        fc.nat({ max: good.length - 1 }),
        fc.nat(255),
        (cut, at, b) => {
          expect(decodeCheckpoint(good.slice(0, cut)).ok).toBe(false);
          const flipped = good.slice();
          flipped[at] = b;
          expect(() => decodeCheckpoint(flipped)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
    expect(decodeCheckpoint(new Uint8Array([1, 2, 3]))).toMatchObject({ ok: false, reason: 'damaged' });
    expect(checkpointViewsVersion(new Uint8Array(0))).toBeNull();
  });
});
