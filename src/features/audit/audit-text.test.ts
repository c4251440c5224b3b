import { describe, expect, it } from 'vitest';
import { auditTrail, type AuditScope } from '../../core/audit';
import { stockSubject } from '../../core/events';
import { TestStream } from '../../core/testing';
import { effectText, eventText, shortId, signed } from './audit-text';

const cell: AuditScope = { warehouse: '46', product: 'Apples', location: 'A1' };
const total: AuditScope = { warehouse: '46', product: 'Apples', location: null };

function texts(scope: AuditScope) {
  const s = new TestStream();
  const decodeds = [
    s.corrected('46', 'Apples', 'A1', 7),
    s.replenished('46', 'Apples', 20, 'A1'),
    s.sold('46', 'Apples', 30, 'A1'),
    s.corrected('46', 'Apples', 'A1', 5),
    s.moved('46', 'Apples', 'A1', 'B02', 4),
    s.moved('46', 'Apples', 'B02', 'A1', 1),
    s.sold('46', 'Apples', 2, '-'),
  ];
  decodeds.push(
    s.again(decodeds[2]!),
    s.malformed(stockSubject('46', 'Apples'), 'bad_json', 'payload is not JSON'),
    s.unknown('46', 'Apples', 'stock.audited'),
  );
  return auditTrail(decodeds, scope).lines.map((line) => [eventText(line), effectText(line, scope)]);
}

describe('audit trail wording', () => {
  it('says per line what the event was and what it did to one location', () => {
    expect(texts(cell)).toEqual([
      ['counted 7 at A1', 'set to 7 (was 0)'],
      ['replenished 20 at A1', '+20'],
      ['sold 30 at A1', '−30'],
      ['counted 5 at A1', 'set to 5 (was -3)'],
      ['moved 4 from A1 to B02', 'moved 4 to B02: −4'],
      ['moved 1 from B02 to A1', 'moved 1 from B02: +1'],
      ['sold 2 at the pool (-)', 'no effect here (at the pool (-))'],
      ['sold 30 at A1', 'duplicate of #3, not counted'],
      ['(no type header)', 'malformed: payload is not JSON; not counted'],
      ['stock.audited', 'unknown type, not counted'],
    ]);
  });

  it('says, for a product total, where each change happened; a move changes nothing', () => {
    expect(texts(total).map(([, effect]) => effect)).toEqual([
      'A1 set to 7 (was 0): +7',
      '+20 at A1',
      '−30 at A1',
      'A1 set to 5 (was -3): +8',
      'moved 4 between locations: ±0',
      'moved 1 between locations: ±0',
      '−2 at the pool (-)',
      'duplicate of #3, not counted',
      'malformed: payload is not JSON; not counted',
      'unknown type, not counted',
    ]);
  });

  it('names the type a malformed message claimed in its header', () => {
    const s = new TestStream();
    const [line] = auditTrail([s.malformed(stockSubject('46', 'Apples'))], cell).lines;
    expect(eventText(line!, 'stock.sold')).toBe('stock.sold');
  });

  it('writes counts with grouping and a real minus sign', () => {
    expect([signed(1200), signed(-3), signed(0)]).toEqual(['+1,200', '−3', '±0']);
    expect(shortId('00000000-0000-4000-8000-000000000002')).toBe('00000000…0002');
    expect(shortId('seq:12')).toBe('seq:12');
  });
});
