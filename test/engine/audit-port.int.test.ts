import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { auditTrail } from '../../src/core/audit';
import type { StockEvent } from '../../src/core/events';
import { stockSubject } from '../../src/core/events';
import { handleAuditRequest, readAuditRecords, type AuditResult } from '../../src/engine/audit-port';
import type { NatsConnection } from '../../src/nats/connection';
import { publishRaw, publishStockEvent } from '../../src/nats/publish';
import { connectTcp } from '../support/node-nats';
import { uniqueToken } from '../support/unique';
import { TEST_HEADER_NAMES } from '../../src/core/testing';

const { clientUrl } = inject('nats');
let admin: NatsConnection;

beforeAll(async () => {
  admin = await connectTcp(clientUrl, 'admin');
});
afterAll(async () => {
  await admin?.close();
});

async function publish(warehouse: string, event: StockEvent, id = randomUUID()): Promise<number> {
  const result = await publishStockEvent(admin, warehouse, event, {
    names: TEST_HEADER_NAMES,
    user: 'admin',
    id,
    timestampMs: 1_700_000_000_000,
  });
  if (!result.ok) throw new Error(result.message);
  return result.seq;
}

describe('reading the audit records of one product', () => {
  test('returns only that subject, oldest first, decoded, with every header, the copies and the malformed', async () => {
    const warehouse = uniqueToken('Hall');
    const product = uniqueToken('Apples');
    const other = uniqueToken('Pears');
    const name = { product_name: product };
    const countId = randomUUID();
    const seqs = [
      await publish(warehouse, { type: 'stock.corrected', ...name, location: 'A1', quantity: 7 }, countId),
      await publish(warehouse, { type: 'stock.sold', ...name, location: 'A1', quantity: 2 }),
    ];
    await publish(warehouse, { type: 'stock.replenished', product_name: other, location: 'A1', quantity: 9 });
    // A copy the server cannot drop (new Nats-Msg-Id) but readers must (same event id).
    const copy = await publishRaw(
      admin,
      stockSubject(warehouse, product),
      JSON.stringify({ product_name: product, location: 'A1', quantity: 7 }),
      [
        ['myorg_format', 'application/json'],
        ['myorg_type', 'stock.corrected'],
        ['myorg_msg_id', countId],
        ['Nats-Msg-Id', randomUUID()],
      ],
    );
    const broken = await publishRaw(admin, stockSubject(warehouse, product), '{"product_name":', [
      ['myorg_format', 'application/json'],
      ['myorg_type', 'stock.sold'],
      ['myorg_msg_id', randomUUID()],
    ]);
    if (!copy.ok || !broken.ok) throw new Error('raw publish failed');

    const outcome = await readAuditRecords(admin, TEST_HEADER_NAMES, { warehouse, product, fromSeq: 1 });
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.complete).toBe(true);
    expect(outcome.throughSeq).toBe(broken.seq);
    expect(outcome.records.map((r) => r.decoded.kind)).toEqual(['stock', 'stock', 'stock', 'malformed']);
    const first = outcome.records[0]!;
    expect(first.decoded.kind === 'stock' && first.decoded.meta.seq).toBe(seqs[0]);
    expect(first.headers).toEqual(
      expect.arrayContaining([
        ['myorg_type', 'stock.corrected'],
        ['myorg_msg_id', countId],
        ['Nats-Msg-Id', countId],
        ['myorg_timestamp_ms', '1700000000000'],
      ]),
    );
    expect(first.streamTimestampMs).toBeGreaterThan(1_700_000_000_000);

    const trail = auditTrail(
      outcome.records.map((r) => r.decoded),
      { warehouse, product, location: 'A1' },
    );
    expect(trail.lines.map((l) => [l.seq, l.status, l.balance])).toEqual([
      [seqs[0], 'counted', 7],
      [seqs[1], 'counted', 5],
      [copy.seq, 'duplicate', 5],
      [broken.seq, 'malformed', 5],
    ]);
  });

  test('pages by limit and follows from a sequence; nothing new means an empty, complete answer', async () => {
    const warehouse = uniqueToken('Hall');
    const product = uniqueToken('Kiwis');
    const seqs: number[] = [];
    for (let i = 1; i <= 5; i++) {
      seqs.push(
        await publish(warehouse, {
          type: 'stock.replenished',
          product_name: product,
          location: 'A1',
          quantity: i,
        }),
      );
    }
    const page1 = await readAuditRecords(admin, TEST_HEADER_NAMES, {
      warehouse,
      product,
      fromSeq: 1,
      limit: 3,
    });
    if (!page1.ok) throw new Error(page1.message);
    expect(page1.records.map((r) => r.decoded.kind !== 'malformed' && r.decoded.meta.seq)).toEqual(
      seqs.slice(0, 3),
    );
    expect(page1.complete).toBe(false);
    expect(page1.throughSeq).toBe(seqs[2]);

    const page2 = await readAuditRecords(admin, TEST_HEADER_NAMES, {
      warehouse,
      product,
      fromSeq: page1.throughSeq + 1,
      limit: 3,
    });
    if (!page2.ok) throw new Error(page2.message);
    expect(page2.records.map((r) => r.decoded.kind !== 'malformed' && r.decoded.meta.seq)).toEqual(
      seqs.slice(3),
    );
    expect(page2.complete).toBe(true);

    const none = await readAuditRecords(admin, TEST_HEADER_NAMES, {
      warehouse,
      product,
      fromSeq: page2.throughSeq + 1,
    });
    expect(none).toEqual({ ok: true, records: [], complete: true, throughSeq: page2.throughSeq });
  });

  test('a product no event has named is an empty trail, not an error', async () => {
    const outcome = await readAuditRecords(admin, TEST_HEADER_NAMES, {
      warehouse: uniqueToken('Hall'),
      product: uniqueToken('Nothing'),
      fromSeq: 1,
    });
    expect(outcome).toMatchObject({ ok: true, records: [], complete: true });
  });

  test('answers every request, also when signed out or given names that are not tokens', async () => {
    const posted: AuditResult[] = [];
    const post = (m: AuditResult) => posted.push(m);
    const query = { warehouse: 'Hall', product: 'Apples', fromSeq: 1 };
    await handleAuditRequest(null, { type: 'audit-trail', requestId: 7, query }, post);
    await handleAuditRequest(
      { nc: admin, names: TEST_HEADER_NAMES },
      { type: 'audit-trail', requestId: 8, query: { ...query, product: 'Apples>' } },
      post,
    );
    expect(posted).toEqual([
      { type: 'audit-trail-result', requestId: 7, outcome: { ok: false, message: 'Not signed in.' } },
      {
        type: 'audit-trail-result',
        requestId: 8,
        outcome: { ok: false, message: expect.stringContaining('Apples>') },
      },
    ]);
  });
});
