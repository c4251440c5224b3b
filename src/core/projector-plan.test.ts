import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Decoded } from './codec';
import { stockKey } from './events';
import { applyBatch, applyDecoded, initialLedger, type LedgerState } from './ledger';
import { newBatch } from './batch';
import { changedLevels, stockLevelJson, stockLevelsByKey, type StockLevel } from './procurement-stock';
import { planDelivery, planKey, type PlanContext } from './projector-plan';
import { TestStream } from './testing';
import { seqOf } from './view';

const bytes = (text: string) => new TextEncoder().encode(text);
const level = (quantity: number, last_seq: number): StockLevel => ({
  warehouse: '46',
  product_name: 'Apples',
  quantity,
  last_seq,
  updated_ms: 1000 + last_seq,
});
const ctx = (over: Partial<PlanContext> = {}): PlanContext => ({
  foldedThrough: 20,
  streamLastSeq: 30,
  deleteStrays: false,
  ...over,
});

describe('planKey', () => {
  const mine = level(7, 12);

  it('given no stored value, then writes the fold', () => {
    expect(planKey(null, mine, ctx())).toEqual({
      kind: 'write',
      value: stockLevelJson(mine),
      reason: 'missing',
    });
  });

  it('given the same bytes, then keeps them', () => {
    expect(planKey(bytes(stockLevelJson(mine)), mine, ctx())).toEqual({ kind: 'keep' });
  });

  it('given a value from an earlier event, then writes the fold', () => {
    expect(planKey(bytes(stockLevelJson(level(3, 9))), mine, ctx())).toMatchObject({ reason: 'behind' });
  });

  it('given another value for an event the fold has passed, then the fold wins', () => {
    expect(planKey(bytes(stockLevelJson(level(1007, 12))), mine, ctx())).toMatchObject({ reason: 'differs' });
    expect(planKey(bytes(stockLevelJson(level(7, 15))), mine, ctx())).toMatchObject({ reason: 'differs' });
  });

  it('given a value that is not a stock level, then writes the fold', () => {
    expect(planKey(bytes('not a level'), mine, ctx())).toMatchObject({ kind: 'write', reason: 'unreadable' });
  });

  it('given a value a peer wrote from further in the stream, then waits until the fold gets there', () => {
    expect(planKey(bytes(stockLevelJson(level(9, 25))), mine, ctx())).toEqual({ kind: 'wait', untilSeq: 25 });
  });

  it('given a value citing an event after the end of the stream, then writes the fold', () => {
    expect(planKey(bytes(stockLevelJson(level(9, 31))), mine, ctx())).toMatchObject({
      reason: 'beyond-stream',
    });
  });

  it('given a key the fold does not produce, then deletes it only when rebuilding', () => {
    const stray = bytes(stockLevelJson(level(1, 3)));
    expect(planKey(stray, undefined, ctx())).toEqual({ kind: 'keep' });
    expect(planKey(stray, undefined, ctx({ deleteStrays: true }))).toEqual({ kind: 'delete' });
    expect(planKey(bytes('junk'), undefined, ctx({ deleteStrays: true }))).toEqual({ kind: 'delete' });
    expect(planKey(null, undefined, ctx({ deleteStrays: true }))).toEqual({ kind: 'keep' });
    const ahead = bytes(stockLevelJson(level(1, 25)));
    expect(planKey(ahead, undefined, ctx({ deleteStrays: true }))).toEqual({ kind: 'wait', untilSeq: 25 });
  });
});

describe('planDelivery', () => {
  it('given messages in order after the checkpoint, then folds them all', () => {
    expect(planDelivery(10, [11, 12])).toEqual({
      steps: [
        { kind: 'fold', index: 0 },
        { kind: 'fold', index: 1 },
      ],
      done: [],
      foldedThrough: 12,
    });
  });

  it('given a redelivery of folded messages, then only acknowledges them', () => {
    expect(planDelivery(10, [3, 10])).toEqual({ steps: [], done: [0, 1], foldedThrough: 10 });
  });

  it('given a batch out of order with a repeat, then folds in stream order, each once', () => {
    const plan = planDelivery(2, [5, 3, 4, 3]);
    expect(plan.steps).toEqual([
      { kind: 'fold', index: 1 },
      { kind: 'fold', index: 2 },
      { kind: 'fold', index: 0 },
    ]);
    expect(plan.done).toEqual([3]);
    expect(plan.foldedThrough).toBe(5);
  });

  it('given a hole before a delivered message, then reads the hole from the stream first', () => {
    expect(planDelivery(10, [13, 14, 17]).steps).toEqual([
      { kind: 'fill', from: 11, to: 12 },
      { kind: 'fold', index: 0 },
      { kind: 'fold', index: 1 },
      { kind: 'fill', from: 15, to: 16 },
      { kind: 'fold', index: 2 },
    ]);
  });
});

/**
 * The projector's loop without I/O: deliveries in any order with repeats, a crash that forgets everything but the
 * bucket and the highest delivered sequence, a fold from sequence 1 on restart, one write per changed key per
 * batch. Whatever happens, the bucket ends equal to the fold of the stream.
 */
describe('projector loop model', () => {
  function streamOf(ops: number[]): Decoded[] {
    const s = new TestStream();
    const out: Decoded[] = [];
    for (const op of ops) {
      const product = ['Apples', 'Pears', 'Milk'][op % 3]!;
      const kind = Math.floor(op / 3) % 6;
      if (kind === 0) out.push(s.corrected('46', product, op % 2 ? 'A1' : 'B1', op % 11));
      else if (kind === 1) out.push(s.replenished('46', product, 1 + (op % 5)));
      else if (kind === 2) out.push(s.sold('46', product, 1 + (op % 4), op % 2 ? 'A1' : '-'));
      else if (kind === 3) out.push(s.moved('46', product, 'A1', 'B1', 1 + (op % 3)));
      else if (kind === 4 && out.length > 0) out.push(s.again(out[op % out.length]!));
      else out.push(s.malformed(`warehouse.46.product.${product}`));
    }
    return out;
  }

  function fold(state: LedgerState, messages: Decoded[]): LedgerState {
    const batch = newBatch();
    let next = state;
    for (const m of messages) next = applyDecoded(next, m, batch);
    return next;
  }

  it('given any delivery order, repeats and crashes, then the bucket equals the fold', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(200), { minLength: 1, maxLength: 60 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(8), fc.boolean()), { maxLength: 30 }),
        (ops, deliveries) => {
          const stream = streamOf(ops);
          const bySeq = new Map(stream.map((d) => [seqOf(d), d]));
          const bucket = new Map<string, string>();
          let ledger = initialLedger();
          let delivered = 0;
          const settle = (before: LedgerState) => {
            for (const l of changedLevels(before.procurement, ledger.procurement)) {
              const key = stockKey(l.warehouse, l.product_name);
              const stored = bucket.get(key);
              const decision = planKey(stored === undefined ? null : bytes(stored), l, {
                foldedThrough: ledger.lastSeq,
                streamLastSeq: stream.length,
                deleteStrays: false,
              });
              if (decision.kind === 'write') bucket.set(key, decision.value);
            }
          };
          const deliver = (seqs: number[]) => {
            const before = ledger;
            const plan = planDelivery(ledger.lastSeq, seqs);
            for (const step of plan.steps) {
              if (step.kind === 'fill') {
                const hole = [];
                for (let s = step.from; s <= step.to; s++) hole.push(bySeq.get(s)!);
                ledger = fold(ledger, hole);
              } else ledger = fold(ledger, [bySeq.get(seqs[step.index]!)!]);
            }
            delivered = Math.max(delivered, ...seqs);
            settle(before);
          };
          for (const [start, length, crash] of deliveries) {
            const from = 1 + (start % stream.length);
            const seqs: number[] = [];
            for (let s = from; s < from + length && s <= stream.length; s++) seqs.push(s);
            deliver(seqs.reverse());
            if (crash) {
              // Restart: fold what was ever delivered, then settle every key.
              const before = initialLedger();
              ledger = fold(before, stream.slice(0, delivered));
              settle(before);
            }
          }
          deliver(stream.map(seqOf));
          const expected = applyBatch(initialLedger(), stream).procurement;
          expect(new Map([...stockLevelsByKey(expected)].map(([k, l]) => [k, stockLevelJson(l)]))).toEqual(
            bucket,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
