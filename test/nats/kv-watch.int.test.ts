import { rmSync } from 'node:fs';
import { Kvm, type KV } from '@nats-io/kv';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startNatsServer, type NatsServerHandle } from '../../scripts/lib/nats-server.mjs';
import type { NatsConnection } from '../../src/nats/connection';
import { putThreshold, watchBucket, type KvWatchBatch } from '../../src/nats/kv-watch';
import { provision } from '../../src/nats/provision';
import { readUntil } from '../support/iterate';
import { connectTcp } from '../support/node-nats';

// A server of its own: the first test needs stock_levels to be truly empty.
let server: NatsServerHandle;
let admin: NatsConnection;
let services: NatsConnection;
let levels: KV;

beforeAll(async () => {
  server = await startNatsServer();
  admin = await connectTcp(server.clientUrl, 'admin');
  await provision(admin);
  services = await connectTcp(server.clientUrl, 'services');
  levels = await new Kvm(services).open('stock_levels');
});
afterAll(async () => {
  await admin?.close();
  await services?.close();
  await server?.stop();
  if (server) rmSync(server.storeDir, { recursive: true, force: true });
});

const text = (v: Uint8Array) => new TextDecoder().decode(v);
const entriesOf = (batches: KvWatchBatch[]) => batches.flatMap((b) => b.entries);

describe('watchBucket', () => {
  test('an empty bucket reports its initial values done, with none', async () => {
    const abort = new AbortController();
    const [first] = await readUntil(
      watchBucket(services, { bucket: 'stock_levels', signal: abort.signal }),
      (b) => b.length === 1,
    );
    abort.abort();
    expect(first).toEqual({ entries: [], initialDone: true });
  });

  test('delivers the latest value per key first, then updates and deletes', async () => {
    await levels.put('46.Apples', '{"quantity":1}');
    await levels.put('46.Apples', '{"quantity":2}');
    const pears = await levels.put('46.Pears', '{"quantity":5}');
    await levels.put('7.Apples', '{"quantity":9}');

    const abort = new AbortController();
    const watch = watchBucket(services, { bucket: 'stock_levels', key: '46.*', signal: abort.signal });
    const initial = await readUntil(watch, (b) => b.at(-1)?.initialDone === true);
    expect(entriesOf(initial).map((e) => [e.key, e.operation, text(e.value)])).toEqual([
      ['46.Apples', 'PUT', '{"quantity":2}'],
      ['46.Pears', 'PUT', '{"quantity":5}'],
    ]);
    expect(entriesOf(initial)[1]!.revision).toBe(pears);
    expect(entriesOf(initial)[0]!.createdMs).toBeGreaterThan(Date.now() - 60_000);

    const updated = await levels.put('46.Pears', '{"quantity":4}');
    await levels.put('7.Pears', '{"quantity":4}'); // outside the watched key
    await levels.delete('46.Apples');
    const later = await readUntil(watch, (b) => entriesOf(b).length >= 2);
    expect(entriesOf(later).map((e) => [e.key, e.operation, text(e.value)])).toEqual([
      ['46.Pears', 'PUT', '{"quantity":4}'],
      ['46.Apples', 'DEL', ''],
    ]);
    expect(entriesOf(later)[0]!.revision).toBe(updated);
    expect(later.every((b) => b.initialDone)).toBe(true);
    abort.abort();
  });

  test('resumes from a revision without repeating older changes', async () => {
    const a = await levels.put('9.Figs', '{"quantity":1}');
    const b = await levels.put('9.Figs', '{"quantity":2}');
    const c = await levels.put('9.Limes', '{"quantity":3}');
    const abort = new AbortController();
    const batches = await readUntil(
      watchBucket(services, {
        bucket: 'stock_levels',
        key: '9.*',
        signal: abort.signal,
        resumeFromRevision: b,
      }),
      (x) => x.at(-1)?.initialDone === true,
    );
    abort.abort();
    expect(entriesOf(batches).map((e) => e.revision)).toEqual([b, c]);
    expect(a).toBeLessThan(b);
  });

  test('resuming past the last revision is done at once', async () => {
    const last = await levels.put('9.Dates', '{"quantity":1}');
    const abort = new AbortController();
    const [first] = await readUntil(
      watchBucket(services, { bucket: 'stock_levels', signal: abort.signal, resumeFromRevision: last + 1 }),
      (x) => x.length === 1,
    );
    abort.abort();
    expect(first).toEqual({ entries: [], initialDone: true });
  });
});

describe('watchBucket across a server crash', () => {
  test('continues with later changes, without repeating earlier ones', async () => {
    const before = await levels.put('5.Plums', '{"quantity":1}');
    const abort = new AbortController();
    const watch = watchBucket(services, { bucket: 'stock_levels', key: '5.*', signal: abort.signal });
    const initial = await readUntil(watch, (b) => b.at(-1)?.initialDone === true);
    expect(entriesOf(initial).map((e) => e.revision)).toEqual([before]);

    await server.kill();
    await server.restart();
    let after: number | undefined;
    while (after === undefined) {
      after = await levels.put('5.Plums', '{"quantity":2}').catch(() => undefined);
    }
    const later = await readUntil(watch, (b) => entriesOf(b).some((e) => e.revision === after), 15_000);
    expect(entriesOf(later).map((e) => e.revision)).toEqual([after]);
    abort.abort();
  });
});

describe('putThreshold', () => {
  test('writes {threshold} under the key and refuses bad keys and values', async () => {
    const revision = await putThreshold(admin, '46.Apples', 4);
    const thresholds = await new Kvm(admin).open('stock_thresholds');
    const entry = await thresholds.get('46.Apples');
    expect(entry?.revision).toBe(revision);
    expect(entry?.json()).toEqual({ threshold: 4 });

    await expect(putThreshold(admin, '46.Äpfel', 4)).rejects.toThrow('product "Äpfel" contains "Ä"');
    await expect(putThreshold(admin, '46.Apples.x', 4)).rejects.toThrow('must be <warehouse>.<product>');
    await expect(putThreshold(admin, 'default', -1)).rejects.toThrow('zero or more');
  });
});
