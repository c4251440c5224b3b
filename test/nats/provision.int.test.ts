import { rmSync } from 'node:fs';
import { RetentionPolicy, StorageType, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startNatsServer, type NatsServerHandle } from '../../scripts/lib/nats-server.mjs';
import type { NatsConnection } from '../../src/nats/connection';
import { MissingResourceError, describeNatsError } from '../../src/nats/errors';
import { checkResources, provision } from '../../src/nats/provision';
import { publishStockEvent } from '../../src/nats/publish';
import { streamState } from '../../src/nats/replay';
import { connectTcp } from '../support/node-nats';
import { TEST_HEADER_NAMES } from '../../src/core/testing';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

// A server of its own: these tests need one that was never provisioned, and they change stream configs.
let server: NatsServerHandle;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectTcp(server.clientUrl, 'admin');
});
afterAll(async () => {
  await nc?.close();
  await server?.stop();
  if (server) rmSync(server.storeDir, { recursive: true, force: true });
});

const ALL = [
  'WAREHOUSE_EVENTS',
  'PROCUREMENT_EVENTS',
  'KV stock_levels',
  'KV stock_thresholds',
  'KV worker_status',
  'object store checkpoints',
  'KV stock_thresholds/default',
];

describe('before provisioning', () => {
  test('readers get a clear error instead of a hang', async () => {
    const err = await checkResources(nc).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingResourceError);
    expect(describeNatsError(err)).toBe('stream WAREHOUSE_EVENTS does not exist — run `npm run provision`');
    await expect(checkResources(nc, ['stockLevels'])).rejects.toThrow(
      'KV bucket stock_levels does not exist — run `npm run provision`',
    );
    await expect(streamState(nc, 'WAREHOUSE_EVENTS')).rejects.toThrow('run `npm run provision`');
  });

  test('a publish says that no stream stores the subject', async () => {
    const result = await publishStockEvent(
      nc,
      '46',
      { type: 'stock.sold', product_name: 'Apples', location: 'A1', quantity: 1 },
      {
        names: TEST_HEADER_NAMES,
        user: 'admin',
        id: 'before-provision',
        timestampMs: 1_700_000_000_000,
        timeoutMs: 2000,
      },
    );
    expect(result).toMatchObject({ ok: false, kind: 'no_stream' });
    expect(result.ok ? '' : result.message).toContain('npm run provision');
  });
});

describe('provision', () => {
  test('creates every resource once, then reports them unchanged', async () => {
    const first = await provision(nc);
    expect(first).toEqual({ created: ALL, unchanged: [], drift: [] });
    const second = await provision(nc);
    expect(second).toEqual({ created: [], unchanged: ALL, drift: [] });
    await expect(checkResources(nc)).resolves.toBeUndefined();
  });

  test('the resources have the configuration of docs/architecture.md#jetstream-resources', async () => {
    const jsm = await jetstreamManager(nc);
    const events = (await jsm.streams.info('WAREHOUSE_EVENTS')).config;
    expect(events).toMatchObject({
      subjects: ['warehouse.*.product.>'],
      storage: 'file',
      retention: 'limits',
      max_age: 0,
      duplicate_window: 120_000_000_000,
      // 16 KiB of payload and 1 KiB for the headers, which the server counts too.
      max_msg_size: 17 * 1024,
      max_bytes: 8 * GiB,
      discard: 'new',
      max_consumers: 1000,
    });
    const procurement = (await jsm.streams.info('PROCUREMENT_EVENTS')).config;
    expect(procurement).toMatchObject({
      subjects: ['procurement.*.product.>'],
      storage: 'file',
      max_age: 30 * 24 * 3600 * 1e9,
      max_msg_size: 4 * 1024,
      max_bytes: 256 * MiB,
      discard: 'old',
      max_consumers: 1000,
    });
    const buckets = {
      stock_levels: { max_msg_size: 1024, max_bytes: 256 * MiB },
      stock_thresholds: { max_msg_size: 1024, max_bytes: 64 * MiB },
      worker_status: { max_msg_size: 4 * 1024, max_bytes: 16 * MiB },
    };
    for (const [bucket, limits] of Object.entries(buckets)) {
      expect((await jsm.streams.info(`KV_${bucket}`)).config).toMatchObject({ ...limits, discard: 'new' });
    }
    expect((await jsm.streams.info('OBJ_checkpoints')).config).toMatchObject({
      storage: 'file',
      max_bytes: 1 * GiB,
      discard: 'new',
      subjects: ['$O.checkpoints.C.>', '$O.checkpoints.M.>'],
    });
    const thresholds = await new Kvm(nc).open('stock_thresholds');
    const entry = await thresholds.get('default');
    expect(entry?.json()).toEqual({ threshold: 10 });
  });

  test('reports drift without rewriting it', async () => {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info('WAREHOUSE_EVENTS');
    await jsm.streams.update('WAREHOUSE_EVENTS', { ...info.config, duplicate_window: 60_000_000_000 });

    const report = await provision(nc);
    expect(report.drift).toEqual([
      { resource: 'WAREHOUSE_EVENTS', field: 'duplicate_window_ms', expected: 120_000, actual: 60_000 },
    ]);
    expect(report.unchanged).not.toContain('WAREHOUSE_EVENTS');
    expect((await jsm.streams.info('WAREHOUSE_EVENTS')).config.duplicate_window).toBe(60_000_000_000);

    await jsm.streams.update('WAREHOUSE_EVENTS', { ...info.config });
    expect((await provision(nc)).drift).toEqual([]);
  });

  test('reports each missing limit of a stream and a bucket created by hand, and keeps them', async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete('WAREHOUSE_EVENTS');
    await jsm.streams.add({
      name: 'WAREHOUSE_EVENTS',
      subjects: ['warehouse.*.product.>'],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      duplicate_window: 120_000_000_000,
      allow_direct: true,
      deny_delete: true,
      deny_purge: true,
    });
    await jsm.streams.delete('KV_worker_status');
    await new Kvm(nc).create('worker_status', { history: 1 });

    const report = await provision(nc);
    expect(report.drift).toEqual([
      { resource: 'WAREHOUSE_EVENTS', field: 'max_msg_size', expected: 17 * 1024, actual: -1 },
      { resource: 'WAREHOUSE_EVENTS', field: 'max_bytes', expected: 8 * GiB, actual: -1 },
      { resource: 'WAREHOUSE_EVENTS', field: 'discard', expected: 'new', actual: 'old' },
      { resource: 'WAREHOUSE_EVENTS', field: 'max_consumers', expected: 1000, actual: -1 },
      { resource: 'KV worker_status', field: 'max_value_size', expected: 4 * 1024, actual: -1 },
      { resource: 'KV worker_status', field: 'max_bytes', expected: 16 * MiB, actual: -1 },
    ]);
    expect(report.unchanged).not.toContain('WAREHOUSE_EVENTS');
    expect(report.unchanged).not.toContain('KV worker_status');
    expect((await jsm.streams.info('WAREHOUSE_EVENTS')).config).toMatchObject({
      max_msg_size: -1,
      max_bytes: -1,
      discard: 'old',
      max_consumers: -1,
    });

    await jsm.streams.delete('WAREHOUSE_EVENTS');
    await jsm.streams.delete('KV_worker_status');
    const again = await provision(nc);
    expect(again.created).toEqual(['WAREHOUSE_EVENTS', 'KV worker_status']);
    expect(again.drift).toEqual([]);
  });

  test('keeps a default threshold someone already changed', async () => {
    const thresholds = await new Kvm(nc).open('stock_thresholds');
    await thresholds.put('default', JSON.stringify({ threshold: 7 }));
    const report = await provision(nc);
    expect(report.unchanged).toContain('KV stock_thresholds/default');
    expect((await thresholds.get('default'))?.json()).toEqual({ threshold: 7 });
  });
});
