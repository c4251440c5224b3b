import { jetstreamManager, AckPolicy } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { NatsConnection } from '../../src/nats/connection';
import { classifyNatsError, describeNatsError } from '../../src/nats/errors';
import { freePort } from '../../scripts/lib/nats-server.mjs';
import { connectTcp, connectTcpError } from '../support/node-nats';
import { uniqueToken } from '../support/unique';

const { clientUrl } = inject('nats');

describe('signing in on the NATS (TCP) port', () => {
  test('an anonymous connect is refused', async () => {
    const err = await connectTcpError(clientUrl, {});
    expect(classifyNatsError(err).kind).toBe('auth');
    expect(describeNatsError(err)).toMatch(/^The server refused the sign-in/);
  });

  test('a wrong password fails fast with a plain sentence', async () => {
    const started = Date.now();
    const err = await connectTcpError(clientUrl, { user: 'manager', password: 'guess' });
    expect(classifyNatsError(err).kind).toBe('auth');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test.each(['manager', 'marketing', 'procurement', 'display'])(
    'browser role %s may not use TCP',
    async (user) => {
      const err = await connectTcpError(clientUrl, { user, password: `stockwire-${user}` });
      expect(classifyNatsError(err).kind).toBe('auth');
    },
  );

  test('an unreachable server is named as such', async () => {
    const err = await connectTcpError(`nats://127.0.0.1:${await freePort()}`, {
      user: 'admin',
      password: 'x',
    });
    expect(classifyNatsError(err).kind).toBe('unreachable');
    expect(describeNatsError(err)).toMatch(/^The NATS server is unreachable \(.*refused/i);
  });
});

describe("the workers' durable consumer names", () => {
  let admin: NatsConnection;
  let services: NatsConnection;
  beforeAll(async () => {
    admin = await connectTcp(clientUrl, 'admin');
    services = await connectTcp(clientUrl, 'services');
  });
  afterAll(async () => {
    await admin?.close();
    await services?.close();
  });

  test('only services may create projector and notifier', async () => {
    const adminJsm = await jetstreamManager(admin);
    for (const name of ['projector', 'notifier']) {
      const err = await adminJsm.consumers
        .add('WAREHOUSE_EVENTS', { durable_name: name, ack_policy: AckPolicy.Explicit })
        .catch((e: unknown) => e);
      expect(classifyNatsError(err)).toMatchObject({ kind: 'permission' });
      expect(describeNatsError(err)).toBe(
        `Permission denied: this user may not create the consumer "${name}" on stream WAREHOUSE_EVENTS.`,
      );
    }
    const servicesJsm = await jetstreamManager(services, { checkAPI: false });
    const created = await servicesJsm.consumers.add('WAREHOUSE_EVENTS', {
      durable_name: 'projector',
      ack_policy: AckPolicy.Explicit,
      filter_subject: 'warehouse.*.product.>',
    });
    expect(created.name).toBe('projector');
    await adminJsm.consumers.delete('WAREHOUSE_EVENTS', 'projector');
  });

  test('services may not touch streams or thresholds', async () => {
    const jsm = await jetstreamManager(services, { checkAPI: false });
    const err = await jsm.streams.delete('WAREHOUSE_EVENTS').catch((e: unknown) => e);
    expect(describeNatsError(err)).toBe(
      'Permission denied: this user may not delete stream WAREHOUSE_EVENTS.',
    );
    const key = uniqueToken('k');
    const put = await services
      .request(`$KV.stock_thresholds.46.${key}`, '{"threshold":1}', { timeout: 2000 })
      .catch((e: unknown) => e);
    expect(classifyNatsError(put).kind).toBe('permission');
  });
});
