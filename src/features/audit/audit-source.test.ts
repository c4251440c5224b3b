import { describe, expect, it } from 'vitest';
import { TestStream } from '../../core/testing';
import { seqOf } from '../../core/view';
import type { AuditOutcome, AuditQuery, AuditRecord } from '../../engine/audit-port';
import { AuditSource } from './audit-source';

/** A subject's stored messages, read the way the engine's port reads them, with every query noted. */
class FakeSubject {
  readonly stored: AuditRecord[] = [];
  readonly queries: AuditQuery[] = [];
  private readonly stream = new TestStream();
  /** Runs once during the next read, after it has taken what was stored (a message arriving meanwhile). */
  duringNextRead: (() => void) | null = null;
  failNext: string | null = null;

  constructor(private readonly pageSize = 100) {}

  add(quantity: number): number {
    const decoded = this.stream.replenished('46', 'Apples', quantity, 'A1');
    this.stored.push({
      decoded,
      headers: [['myorg_type', 'stock.replenished']],
      claimedType: 'stock.replenished',
      claimedUser: null,
      hasEventTime: false,
      streamTimestampMs: 0,
    });
    return seqOf(decoded);
  }

  readonly fetch = async (query: AuditQuery): Promise<AuditOutcome> => {
    this.queries.push(query);
    await Promise.resolve();
    if (this.failNext !== null) {
      const message = this.failNext;
      this.failNext = null;
      return { ok: false, message };
    }
    const from = this.stored.filter((r) => seqOf(r.decoded) >= query.fromSeq);
    const records = from.slice(0, this.pageSize);
    const during = this.duringNextRead;
    this.duringNextRead = null;
    during?.();
    const last = records[records.length - 1];
    return {
      ok: true,
      records,
      complete: records.length === from.length,
      throughSeq: last ? seqOf(last.decoded) : query.fromSeq - 1,
    };
  };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

const seqs = (source: AuditSource) => source.getState().records.map((r) => seqOf(r.decoded));

describe('audit source', () => {
  it('given stored messages, when first asked, then it reads the whole subject from the start', async () => {
    const subject = new FakeSubject();
    subject.add(1);
    subject.add(2);
    const source = new AuditSource(subject.fetch, '46', 'Apples');
    expect(source.getState().loading).toBe(true);
    source.want(0);
    await settle();
    expect(seqs(source)).toEqual([1, 2]);
    expect(source.getState()).toMatchObject({ loading: false, throughSeq: 2, error: null });
    expect(subject.queries).toEqual([{ warehouse: '46', product: 'Apples', fromSeq: 1 }]);
  });

  it('given a long subject, then it reads it page by page to the end', async () => {
    const subject = new FakeSubject(2);
    for (let i = 1; i <= 5; i++) subject.add(i);
    const source = new AuditSource(subject.fetch, '46', 'Apples');
    source.want(0);
    await settle();
    expect(seqs(source)).toEqual([1, 2, 3, 4, 5]);
    expect(subject.queries.map((q) => q.fromSeq)).toEqual([1, 3, 5]);
  });

  it('when the engine has seen a newer sequence, then it reads only from where it stopped', async () => {
    const subject = new FakeSubject();
    subject.add(1);
    const source = new AuditSource(subject.fetch, '46', 'Apples');
    source.want(1);
    await settle();
    const seq = subject.add(5);
    source.want(seq);
    await settle();
    expect(seqs(source)).toEqual([1, 2]);
    expect(subject.queries.map((q) => q.fromSeq)).toEqual([1, 2]);
    source.want(seq);
    await settle();
    expect(subject.queries).toHaveLength(2);
  });

  it('given a message stored while a read is under way, then it reads again and gets it', async () => {
    const subject = new FakeSubject();
    subject.add(1);
    const source = new AuditSource(subject.fetch, '46', 'Apples');
    subject.duringNextRead = () => source.want(subject.add(2));
    source.want(1);
    await settle();
    expect(seqs(source)).toEqual([1, 2]);
  });

  it('given a sequence that never arrives, then it stops reading instead of spinning', async () => {
    const subject = new FakeSubject();
    subject.add(1);
    const source = new AuditSource(subject.fetch, '46', 'Apples');
    source.want(9);
    await settle();
    expect(seqs(source)).toEqual([1]);
    expect(subject.queries.length).toBeLessThanOrEqual(2);
  });

  it('given a failed read, then it says why and a retry reads on', async () => {
    const subject = new FakeSubject();
    subject.add(1);
    subject.failNext = 'not allowed';
    const source = new AuditSource(subject.fetch, '46', 'Apples');
    source.want(1);
    await settle();
    expect(source.getState()).toMatchObject({ loading: false, error: 'not allowed', records: [] });
    source.retry();
    await settle();
    expect(source.getState()).toMatchObject({ error: null, throughSeq: 1 });
  });

  it('once closed, then answers still under way change nothing and nobody is told', async () => {
    const subject = new FakeSubject();
    subject.add(1);
    const source = new AuditSource(subject.fetch, '46', 'Apples');
    let told = 0;
    source.subscribe(() => (told += 1));
    source.want(1);
    source.close();
    await settle();
    expect(told).toBe(0);
    expect(source.getState().records).toEqual([]);
  });
});
