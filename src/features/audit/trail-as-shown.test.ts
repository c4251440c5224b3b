import { describe, expect, it } from 'vitest';
import type { Decoded } from '../../core/codec';
import { applyBatch, initialLedger } from '../../core/ledger';
import { TestStream } from '../../core/testing';
import { locationQuantity } from '../../core/warehouse-stock';
import type { AuditRecord } from '../../engine/audit-port';
import { trailAsShown } from './trail-as-shown';

const scope = { warehouse: '46', product: 'Apples', location: 'A1' };
const records = (decodeds: Decoded[], subject = 'warehouse.46.product.Apples'): AuditRecord[] =>
  decodeds
    .filter((d) => (d.kind === 'malformed' ? d.subject : d.meta.subject) === subject)
    .map((decoded) => ({
      decoded,
      headers: [],
      claimedType: null,
      claimedUser: null,
      hasEventTime: false,
      streamTimestampMs: 0,
    }));

describe('the trail the page shows', () => {
  it('given a copy whose id first counted on another subject of its warehouse, then it follows the ledger and does not count it', () => {
    const s = new TestStream();
    const stream = [
      s.replenished('46', 'Apples', 10, 'A1'),
      s.replenished('46', 'Pears', 5, 'A1', { id: 'shared' }),
      s.replenished('46', 'Apples', 5, 'A1', { id: 'shared' }),
    ];
    const ledger = applyBatch(initialLedger(), stream);
    const trail = trailAsShown(records(stream), scope, ledger.quality, Number.POSITIVE_INFINITY);
    expect(trail.lines.map((l) => l.status)).toEqual(['counted', 'duplicate']);
    expect(trail.balance).toBe(locationQuantity(ledger.stock, '46', 'Apples', 'A1'));
    // Without the ledger's word the trail could not know, and would disagree with the cell.
    expect(trailAsShown(records(stream), scope, undefined, Number.POSITIVE_INFINITY).balance).toBe(15);
  });

  it('given the same id first counted in another warehouse, then it counts: ids are of their warehouse', () => {
    const s = new TestStream();
    const stream = [
      s.replenished('46', 'Apples', 10, 'A1'),
      s.replenished('47', 'Apples', 5, 'A1', { id: 'shared' }),
      s.replenished('46', 'Apples', 5, 'A1', { id: 'shared' }),
    ];
    const ledger = applyBatch(initialLedger(), stream);
    const trail = trailAsShown(records(stream), scope, ledger.quality, Number.POSITIVE_INFINITY);
    expect(trail.lines.map((l) => l.status)).toEqual(['counted', 'counted']);
    expect(trail.balance).toBe(locationQuantity(ledger.stock, '46', 'Apples', 'A1'));
    expect(trail.balance).toBe(15);
  });

  it('given a moment in the past, then it ends where the past fold stopped, at the number shown then', () => {
    const s = new TestStream();
    const stream = [
      s.corrected('46', 'Apples', 'A1', 10),
      s.sold('46', 'Apples', 3, 'A1'),
      s.sold('47', 'Apples', 1, 'A1'),
      s.sold('46', 'Apples', 4, 'A1'),
    ];
    const past = applyBatch(initialLedger(), stream.slice(0, 3));
    const trail = trailAsShown(records(stream), scope, past.quality, past.lastSeq);
    expect(trail.lines.map((l) => l.seq)).toEqual([1, 2]);
    expect(trail.balance).toBe(locationQuantity(past.stock, '46', 'Apples', 'A1'));
    expect(trail.balance).toBe(7);
  });
});
