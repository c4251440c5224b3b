import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-codec';
import { CheckpointFolds } from './checkpoint-folds';
import { applyBatch, initialLedger, ledgerViews } from './ledger';
import { TestStream } from './testing';
import { locationQuantity } from './warehouse-stock';

describe('CheckpointFolds', () => {
  it("routes every message by its subject, as a reader of one warehouse's subjects receives them", () => {
    const s = new TestStream();
    const events = [
      s.corrected('46', 'Apples', 'A1', 10),
      s.sold('52', 'Apples', 2, 'A1'),
      s.malformed('warehouse.46.product.Apples'),
      s.malformed('not.a.warehouse'),
      s.sold('46', 'Apples', 3, 'A1'),
    ];
    const folds = new CheckpointFolds(100);
    folds.apply(events.slice(0, 3));
    folds.apply(events.slice(3));
    expect(ledgerViews(folds.chain.ledger)).toEqual(ledgerViews(applyBatch(initialLedger(), events)));
    const set = folds.content();
    expect(set.seq).toBe(5);
    expect(set.warehouses.map(([w]) => w)).toEqual(['46', '52']);
    const [, of46] = set.warehouses[0]!;
    const read = decodeCheckpoint(encodeCheckpoint(of46));
    if (!read.ok) throw new Error(read.detail);
    // Through the chain's last sequence, though its own last message is #5 too; 52's ends at #2.
    expect(read.ledger.lastSeq).toBe(5);
    expect(set.names).toEqual(['46', '52']);
    expect(locationQuantity(read.ledger.stock, '46', 'Apples', 'A1')).toBe(7);
    expect(read.ledger.quality.byKind.malformed).toBe(1);
    expect([...read.ledger.stock.warehouses.keys()]).toEqual(['46']);
    const of52 = decodeCheckpoint(encodeCheckpoint(set.warehouses[1]![1]));
    expect(of52.ok && of52.ledger.lastSeq).toBe(5);
    expect(of52.ok && of52.ledger.applied).toBe(1);
  });
});
