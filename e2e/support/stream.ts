/**
 * The Node side of an e2e test: publishing events as `admin` over TCP and reading the stream's last sequence,
 * so a test can say exactly what it put on the stream (and that nothing else got there). Only TCP in this
 * process: Playwright runs every spec file in one worker, and nats.js keeps its transport in a module-global
 * (docs/platform-notes.md#the-natsjs-client). WebSocket clients run in child processes or the page.
 */
import { randomUUID } from 'node:crypto';
import { stockSubject } from '../../src/core/events';
import { connectNode } from '../../src/nats/connect-node';
import type { NatsConnection } from '../../src/nats/connection';
import { STREAMS } from '../../src/core/resources';
import { publishRaw, publishStockEvent } from '../../src/nats/publish';
import { streamState } from '../../src/nats/replay';
import { LOGINS } from '../../test/support/users';
import type { TimedEvent } from './expected';
import { TEST_HEADER_NAMES } from '../../src/core/testing';

export type { NatsConnection };

export function connectAdmin(clientUrl: string): Promise<NatsConnection> {
  return connectNode({
    servers: clientUrl,
    ...LOGINS.admin,
    name: 'e2e-publisher',
    maxReconnectAttempts: -1,
    timeoutMs: 5_000,
  });
}

export interface Published extends TimedEvent {
  id: string;
  seq: number;
}

/** Publishes in order and fails the test on the first refusal. */
export async function publishAll(nc: NatsConnection, events: readonly TimedEvent[]): Promise<Published[]> {
  const out: Published[] = [];
  for (const item of events) {
    const id = randomUUID();
    const result = await publishStockEvent(nc, item.warehouse, item.event, {
      names: TEST_HEADER_NAMES,
      user: 'admin',
      id,
      timestampMs: item.timestampMs,
    });
    if (!result.ok) {
      throw new Error(`publishing ${item.event.type} on ${item.warehouse} failed: ${result.message}`);
    }
    if (result.duplicate) throw new Error(`event ${id} was unexpectedly a duplicate`);
    out.push({ ...item, id, seq: result.seq });
  }
  return out;
}

/**
 * Stores a second copy of an already published event under a new `Nats-Msg-Id` but the same
 * `myorg_msg_id`: the server cannot drop it, so only the readers' id check keeps it from counting twice.
 */
export async function publishCopy(nc: NatsConnection, original: Published): Promise<number> {
  const { type, ...args } = original.event;
  const result = await publishRaw(
    nc,
    stockSubject(original.warehouse, original.event.product_name),
    JSON.stringify(args),
    [
      ['myorg_format', 'application/json'],
      ['myorg_type', type],
      ['myorg_msg_id', original.id],
      ['myorg_timestamp_ms', String(original.timestampMs)],
      ['Nats-Msg-Id', randomUUID()],
    ],
  );
  if (!result.ok) throw new Error(`storing a copy of ${original.id} failed: ${result.message}`);
  return result.seq;
}

export async function lastSeq(nc: NatsConnection): Promise<number> {
  return (await streamState(nc, STREAMS.warehouse)).lastSeq;
}
