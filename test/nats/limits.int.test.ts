/**
 * The limits provisioning puts on the streams are enforced by the server itself (a foreign publisher is
 * refused too), and a refusal reads as a sentence a person can act on.
 */
import {
  DiscardPolicy,
  JetStreamApiError,
  StorageType,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { MAX_PAYLOAD_BYTES } from '../../src/core/events';
import { connectNode } from '../../src/nats/connect-node';
import type { NatsConnection } from '../../src/nats/connection';
import { describeNatsError } from '../../src/nats/errors';
import { publishRaw, publishStockEvent } from '../../src/nats/publish';
import { LOGINS } from '../support/users';
import { uniqueToken } from '../support/unique';
import { TEST_HEADER_NAMES } from '../../src/core/testing';

const { clientUrl } = inject('nats');
let admin: NatsConnection;

beforeAll(async () => {
  admin = await connectNode({ servers: clientUrl, ...LOGINS.admin, timeoutMs: 5000 });
});
afterAll(async () => {
  await admin?.close();
});

const TOO_LARGE = 'The server refused the event: it is larger than the 16 KiB an event may have.';
const FULL =
  'The server refused the event: the stream is full (its max_bytes limit); nothing was dropped — an ' +
  'operator must raise the limit.';

function eventHeaders(id: string): [string, string][] {
  return [
    ['myorg_format', 'application/json'],
    ['myorg_type', 'stock.sold'],
    ['myorg_msg_id', id],
    ['myorg_timestamp_ms', String(Date.now())],
    ['Nats-Msg-Id', id],
  ];
}

function paddedPayload(product: string, bytes: number): string {
  const head = JSON.stringify({ product_name: product, location: 'A1', quantity: 1, note: '' });
  return `${head.slice(0, -2)}${'x'.repeat(bytes - head.length)}"}`;
}

async function lastOn(stream: string, subject: string) {
  const jsm = await jetstreamManager(admin, { checkAPI: false });
  return jsm.streams.getMessage(stream, { last_by_subj: subject });
}

describe('WAREHOUSE_EVENTS max_msg_size', () => {
  test('the server refuses a 20 KiB event, and says so in one sentence', async () => {
    const warehouse = uniqueToken('W');
    const product = uniqueToken('P');
    const subject = `warehouse.${warehouse}.product.${product}`;
    const payload = paddedPayload(product, 20 * 1024);
    expect(payload.length).toBe(20 * 1024);

    // Through our unchecked publisher: nothing on the client stands in the way of 20 KiB.
    const result = await publishRaw(admin, subject, payload, eventHeaders(crypto.randomUUID()));
    expect(result).toEqual({ ok: false, kind: 'other', message: TOO_LARGE });

    // What the server answers any publisher with.
    const h = natsHeaders();
    for (const [name, value] of eventHeaders(crypto.randomUUID())) h.append(name, value);
    const err = await jetstream(admin)
      .publish(subject, payload, { headers: h })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JetStreamApiError);
    expect((err as JetStreamApiError).code).toBe(10054);
    expect((err as JetStreamApiError).message).toBe('message size exceeds maximum allowed');
    expect(describeNatsError(err, { subject })).toBe(TOO_LARGE);

    expect(await lastOn('WAREHOUSE_EVENTS', subject)).toBeNull();
  });

  test('an event of exactly 16 KiB with the longest id still fits: its headers have room', async () => {
    const product = uniqueToken('P');
    const body = { product_name: product, location: 'A1', quantity: 1, reason: '' };
    const reason = 'r'.repeat(MAX_PAYLOAD_BYTES - JSON.stringify(body).length);
    const result = await publishStockEvent(
      admin,
      uniqueToken('W'),
      { type: 'stock.destroyed', ...body, reason },
      {
        names: TEST_HEADER_NAMES,
        user: 'admin',
        id: uniqueToken('id').padEnd(200, 'i'),
        timestampMs: Date.now(),
      },
    );
    expect(result).toMatchObject({ ok: true, stream: 'WAREHOUSE_EVENTS' });
    if (!result.ok) return;
    const jsm = await jetstreamManager(admin, { checkAPI: false });
    const stored = await jsm.streams.getMessage('WAREHOUSE_EVENTS', { seq: result.seq });
    expect(stored?.data.byteLength).toBe(MAX_PAYLOAD_BYTES);
  });
});

describe('a full stream with discard new', () => {
  const token = uniqueToken('full');
  const stream = `LIMITS_${token.replace(/-/g, '_')}`;

  afterAll(async () => {
    const jsm = await jetstreamManager(admin, { checkAPI: false });
    await jsm.streams.delete(stream).catch(() => undefined);
  });

  test('refuses the next event with a clear message and keeps every earlier one', async () => {
    const jsm = await jetstreamManager(admin, { checkAPI: false });
    await jsm.streams.add({
      name: stream,
      subjects: [`limits.${token}.>`],
      storage: StorageType.File,
      max_bytes: 4096,
      discard: DiscardPolicy.New,
    });
    const subject = `limits.${token}.product.P`;

    const acked: number[] = [];
    let refusal: Awaited<ReturnType<typeof publishRaw>> | undefined;
    for (let i = 0; i < 50 && refusal === undefined; i++) {
      const r = await publishRaw(admin, subject, JSON.stringify({ i, pad: 'p'.repeat(480) }));
      if (r.ok) acked.push(r.seq);
      else refusal = r;
    }
    expect(acked.length).toBeGreaterThan(3);
    expect(refusal).toEqual({ ok: false, kind: 'other', message: FULL });

    const err = await jetstream(admin)
      .publish(subject, JSON.stringify({ i: -1, pad: 'p'.repeat(480) }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JetStreamApiError);
    expect((err as JetStreamApiError).code).toBe(10077);
    expect((err as JetStreamApiError).message).toBe('maximum bytes exceeded');
    expect(describeNatsError(err, { subject })).toBe(FULL);

    // Discard new: the refusal cost nothing stored, unlike `old`, which would have dropped the first ones.
    const { state } = await jsm.streams.info(stream);
    expect(state.messages).toBe(acked.length);
    expect(state.first_seq).toBe(1);
    expect(acked).toEqual(acked.map((_, i) => i + 1));
    for (const [i, seq] of acked.entries()) {
      const m = await jsm.streams.getMessage(stream, { seq });
      expect((m?.json() as { i: number }).i).toBe(i);
    }
  });
});
