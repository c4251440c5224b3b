import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditTrail, type AuditLine, type AuditScope } from './audit';
import type { Decoded } from './codec';
import { stockKey, stockSubject, type StockEvent } from './events';
import { applyBatch, initialLedger } from './ledger';
import { stockLevel } from './procurement-stock';
import { TestStream, testId } from './testing';
import { seqOf } from './view';
import { locationQuantity, productStock } from './warehouse-stock';

const at = (location: string): AuditScope => ({ warehouse: '46', product: 'Apples', location });
const total: AuditScope = { warehouse: '46', product: 'Apples', location: null };

/** The parts of each line a reader of the trail looks at. */
const summary = (lines: AuditLine[]) => lines.map((l) => [l.seq, l.status, l.effect.delta, l.balance]);

describe('audit trail of one location', () => {
  it('given a count, deliveries and sales, then each line says its effect and the balance after it', () => {
    const s = new TestStream();
    const trail = auditTrail(
      [
        s.corrected('46', 'Apples', 'A1', 7),
        s.replenished('46', 'Apples', 20, 'A1'),
        s.sold('46', 'Apples', 3, 'A1'),
        s.destroyed('46', 'Apples', 'A1', 2, 'rotten'),
      ],
      at('A1'),
    );
    expect(trail.lines.map((l) => l.effect)).toEqual([
      { kind: 'set', location: 'A1', quantity: 7, was: 0, delta: 7 },
      { kind: 'change', location: 'A1', delta: 20 },
      { kind: 'change', location: 'A1', delta: -3 },
      { kind: 'change', location: 'A1', delta: -2 },
    ]);
    expect(trail.lines.map((l) => l.balance)).toEqual([7, 27, 24, 22]);
    expect(trail.balance).toBe(22);
    expect(trail.lastSeq).toBe(4);
  });

  it('given a correction, then it sets the balance and remembers what the records said before', () => {
    const s = new TestStream();
    const trail = auditTrail(
      [s.replenished('46', 'Apples', 7, 'A1'), s.corrected('46', 'Apples', 'A1', 5)],
      at('A1'),
    );
    expect(trail.lines[1]?.effect).toEqual({ kind: 'set', location: 'A1', quantity: 5, was: 7, delta: -2 });
    expect(trail.balance).toBe(5);
  });

  it('given moves out of and into the location, then they subtract and add; other moves change nothing here', () => {
    const s = new TestStream();
    const trail = auditTrail(
      [
        s.corrected('46', 'Apples', 'A1', 10),
        s.moved('46', 'Apples', 'A1', 'B2', 4),
        s.moved('46', 'Apples', 'C3', 'A1', 1),
        s.moved('46', 'Apples', 'B2', 'C3', 2),
      ],
      at('A1'),
    );
    expect(trail.lines.map((l) => l.effect)).toEqual([
      { kind: 'set', location: 'A1', quantity: 10, was: 0, delta: 10 },
      { kind: 'move', from: 'A1', to: 'B2', quantity: 4, delta: -4 },
      { kind: 'move', from: 'C3', to: 'A1', quantity: 1, delta: 1 },
      { kind: 'elsewhere', locations: ['B2', 'C3'], delta: 0 },
    ]);
    expect(trail.balance).toBe(7);
  });

  it('given events at other locations, then they are listed with no effect here', () => {
    const s = new TestStream();
    const trail = auditTrail(
      [s.replenished('46', 'Apples', 5, 'A1'), s.sold('46', 'Apples', 2, 'B2')],
      at('A1'),
    );
    expect(trail.lines[1]).toMatchObject({
      status: 'counted',
      effect: { kind: 'elsewhere', locations: ['B2'], delta: 0 },
      balance: 5,
    });
  });

  it('given events without a location, then they count in the pool "-"', () => {
    const s = new TestStream();
    const trail = auditTrail([s.replenished('46', 'Apples', 4), s.sold('46', 'Apples', 1)], at('-'));
    expect(summary(trail.lines)).toEqual([
      [1, 'counted', 4, 4],
      [2, 'counted', -1, 3],
    ]);
  });

  it('given more sold than held, then the balance goes negative and stays so', () => {
    const s = new TestStream();
    const trail = auditTrail(
      [
        s.corrected('46', 'Apples', 'A1', 2),
        s.sold('46', 'Apples', 5, 'A1'),
        s.sold('46', 'Apples', 1, 'A1'),
      ],
      at('A1'),
    );
    expect(trail.lines.map((l) => l.balance)).toEqual([2, -3, -4]);
  });

  it('given a re-sent copy of an event, then it is listed as a duplicate of the first and not counted', () => {
    const s = new TestStream();
    const count = s.corrected('46', 'Apples', 'A1', 10);
    const sale = s.sold('46', 'Apples', 3, 'A1');
    const trail = auditTrail([count, sale, s.again(sale)], at('A1'));
    expect(trail.lines[2]).toMatchObject({
      seq: 3,
      status: 'duplicate',
      duplicateOf: 2,
      id: testId(2),
      effect: { kind: 'none', delta: 0 },
      balance: 7,
    });
    expect(trail.balance).toBe(7);
    expect(trail.counts).toEqual({ counted: 2, duplicate: 1, unknown_type: 0, refused: 0, malformed: 0 });
  });

  it('given an unknown type, then its id is taken: a stock event reusing that id is a duplicate', () => {
    const s = new TestStream();
    const unknown = s.unknown('46', 'Apples', 'stock.audited', { id: 'shared' });
    const reuse = s.replenished('46', 'Apples', 5, 'A1', { id: 'shared' });
    const trail = auditTrail([unknown, reuse], at('A1'));
    expect(summary(trail.lines)).toEqual([
      [1, 'unknown_type', 0, 0],
      [2, 'duplicate', 0, 0],
    ]);
    expect(trail.lines[0]?.type).toBe('stock.audited');
  });

  it('given a malformed message on the subject, then it is listed with its reason and not counted', () => {
    const s = new TestStream();
    const trail = auditTrail(
      [
        s.replenished('46', 'Apples', 5, 'A1'),
        s.malformed(stockSubject('46', 'Apples'), 'bad_quantity', 'quantity -2 must be at least 1'),
      ],
      at('A1'),
    );
    expect(trail.lines[1]).toMatchObject({
      status: 'malformed',
      type: null,
      id: null,
      error: { code: 'bad_quantity', message: 'quantity -2 must be at least 1' },
      balance: 5,
    });
    expect(trail.counts.malformed).toBe(1);
  });

  it('given messages of other subjects or an already handled sequence, then they are not lines', () => {
    const s = new TestStream();
    const first = s.replenished('46', 'Apples', 5, 'A1');
    const trail = auditTrail(
      [first, s.replenished('47', 'Apples', 9, 'A1'), s.sold('46', 'Pears', 1, 'A1'), first],
      at('A1'),
    );
    expect(summary(trail.lines)).toEqual([[1, 'counted', 5, 5]]);
  });

  it('given an id the ledger applied on another subject of the warehouse first, then the copy here is a duplicate, and so are later ones', () => {
    const s = new TestStream();
    const original = s.replenished('46', 'Pears', 9, 'A1', { id: 'first-on-pears' });
    const copy = s.replenished('46', 'Apples', 9, 'A1', { id: 'first-on-pears' });
    const later = s.again(copy);
    const trail = auditTrail([original, copy, later], at('A1'), { skippedSeqs: new Set([2]) });
    expect(summary(trail.lines)).toEqual([
      [2, 'duplicate', 0, 0],
      [3, 'duplicate', 0, 0],
    ]);
    expect(trail.lines[0]?.duplicateOf).toBeNull();
    expect(trail.lines[1]?.duplicateOf).toBeNull();
  });

  it('given no events, then the trail is empty at zero', () => {
    expect(auditTrail([], at('A1'))).toMatchObject({ lines: [], balance: 0, lastSeq: 0 });
  });
});

describe('audit trail of a product total', () => {
  it('given events at several locations, then each counts; a move between them changes nothing', () => {
    const s = new TestStream();
    const trail = auditTrail(
      [
        s.corrected('46', 'Apples', 'A1', 10),
        s.replenished('46', 'Apples', 4),
        s.moved('46', 'Apples', 'A1', 'B2', 3),
        s.corrected('46', 'Apples', 'B2', 1),
        s.sold('46', 'Apples', 6, '-'),
      ],
      total,
    );
    expect(trail.lines.map((l) => l.effect)).toEqual([
      { kind: 'set', location: 'A1', quantity: 10, was: 0, delta: 10 },
      { kind: 'change', location: '-', delta: 4 },
      { kind: 'move', from: 'A1', to: 'B2', quantity: 3, delta: 0 },
      { kind: 'set', location: 'B2', quantity: 1, was: 3, delta: -2 },
      { kind: 'change', location: '-', delta: -6 },
    ]);
    expect(trail.lines.map((l) => l.balance)).toEqual([10, 14, 14, 12, 6]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The trail ends where the views end, for any history.

const LOCATIONS = ['A1', 'B2', '-'] as const;
const location = fc.constantFrom(...LOCATIONS);
const quantity = fc.integer({ min: 1, max: 30 });

type Step =
  | { op: 'event'; warehouse: '46' | '47'; event: StockEvent }
  | { op: 'again'; back: number; warehouse: '46' | '47' }
  | { op: 'malformed' }
  | { op: 'unknown' };

function stockEvent(product: string): fc.Arbitrary<StockEvent> {
  return fc.oneof(
    fc
      .record({ location, quantity: fc.integer({ min: 0, max: 30 }) })
      .map((a): StockEvent => ({ type: 'stock.corrected', product_name: product, ...a })),
    fc
      .record({ location, quantity })
      .map((a): StockEvent => ({ type: 'stock.replenished', product_name: product, ...a })),
    fc
      .record({ location, quantity })
      .map((a): StockEvent => ({ type: 'stock.sold', product_name: product, ...a })),
    fc
      .record({ location, quantity })
      .map((a): StockEvent => ({ type: 'stock.destroyed', product_name: product, reason: 'damaged', ...a })),
    fc
      .record({ from: location, to: location, quantity })
      .filter((a) => a.from !== a.to)
      .map((a): StockEvent => ({ type: 'stock.moved', product_name: product, ...a })),
  );
}

const warehouse = fc.constantFrom('46' as const, '47' as const);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({ op: fc.constant('event' as const), warehouse, event: stockEvent('Apples') }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('again' as const), back: fc.nat(20), warehouse }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'malformed' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'unknown' as const }) },
);

/**
 * A stream of the steps: events on two subjects of the same product, copies of earlier events re-sent on
 * either subject (the same id, as a late retry or a copy delivered back onto the stream would be), malformed
 * messages and unknown types.
 */
function streamOf(steps: Step[]): Decoded[] {
  const s = new TestStream();
  const out: Decoded[] = [];
  for (const st of steps) {
    if (st.op === 'event') out.push(s.stock(st.warehouse, st.event));
    else if (st.op === 'malformed') out.push(s.malformed(stockSubject('46', 'Apples')));
    else if (st.op === 'unknown') out.push(s.unknown('46', 'Apples', 'stock.audited'));
    else {
      const earlier = out.filter((d) => d.kind === 'stock')[st.back];
      if (earlier?.kind !== 'stock') continue;
      out.push(s.stock(st.warehouse, earlier.event, { id: earlier.meta.id }));
    }
  }
  return out;
}

describe('audit trail against the views', () => {
  it('ends, for every location and for the total, at the quantity the ledger folds from the same events', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const stream = streamOf(steps);
        const ledger = applyBatch(initialLedger(), stream);
        // The ledger's duplicates: copies whose id counted first on the other subject are among them.
        const skippedSeqs = new Set(
          ledger.quality.recent.filter((i) => i.kind === 'duplicate').map((i) => i.seq),
        );
        const mine = stream.filter((d) => d.kind !== 'malformed' && d.meta.warehouse === '46');
        for (const where of LOCATIONS) {
          const trail = auditTrail(stream, at(where), { skippedSeqs });
          expect(trail.balance).toBe(locationQuantity(ledger.stock, '46', 'Apples', where));
          // Every message of the subject is a line: nothing is hidden from the trail.
          expect(trail.lines.length).toBe(
            stream.filter((d) => (d.kind === 'malformed' ? true : d.meta.warehouse === '46')).length,
          );
        }
        const trail = auditTrail(stream, total, { skippedSeqs });
        expect(trail.balance).toBe(productStock(ledger.stock, '46', 'Apples')?.total ?? 0);
        expect(trail.balance).toBe(stockLevel(ledger.procurement, stockKey('46', 'Apples'))?.quantity ?? 0);
        expect(trail.counts.duplicate).toBe(mine.filter((d) => skippedSeqs.has(seqOf(d))).length);
      }),
      { numRuns: 300 },
    );
  });

  it('given only one subject, needs no help from the ledger to agree with it', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const stream = streamOf(
          steps.map((st) =>
            st.op === 'malformed' || st.op === 'unknown' ? st : { ...st, warehouse: '46' as const },
          ),
        );
        const ledger = applyBatch(initialLedger(), stream);
        for (const where of LOCATIONS) {
          expect(auditTrail(stream, at(where)).balance).toBe(
            locationQuantity(ledger.stock, '46', 'Apples', where),
          );
        }
        expect(auditTrail(stream, total).balance).toBe(
          productStock(ledger.stock, '46', 'Apples')?.total ?? 0,
        );
      }),
      { numRuns: 300 },
    );
  });
});
