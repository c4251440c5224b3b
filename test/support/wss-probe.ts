/**
 * A browser role over wss:// in a process of its own: the WebSocket transport is process-global, and Node reads
 * NODE_EXTRA_CA_CERTS (the CA a test makes it trust) only when the process starts. Prints one JSON line:
 *   replay   {"kind":"replayed","ids":[…],"lastSeq":n}  the event ids of WAREHOUSE_EVENTS, read to its end
 *   publish  {"kind":"published","seq":n}               one stock.replenished of 1 at location A1
 *   either   {"kind":<error kind>,"message":…}          sign-in or the operation failed
 *
 *   node --import tsx test/support/wss-probe.ts <url> <user> replay
 *   node --import tsx test/support/wss-probe.ts <url> <user> publish <warehouse> <product> <event id>
 */
import { decodeStockMessage } from '../../src/core/codec';
import type { NatsConnection } from '../../src/nats/connection';
import { classifyNatsError } from '../../src/nats/errors';
import { STREAMS } from '../../src/core/resources';
import { publishStockEvent } from '../../src/nats/publish';
import { replayStream } from '../../src/nats/replay';
import { PASSWORDS, type User } from './users';
import { connectWs } from './ws-nats';
import { TEST_HEADER_NAMES } from '../../src/core/testing';

export type WssProbeResult =
  | { kind: 'replayed'; ids: string[]; lastSeq: number }
  | { kind: 'published'; seq: number }
  | { kind: string; message: string };

const [url, user, mode, warehouse, product, id] = process.argv.slice(2);
if (!url || !user || !(user in PASSWORDS) || (mode !== 'replay' && mode !== 'publish')) {
  throw new Error('usage: wss-probe.ts <url> <user> replay | publish <warehouse> <product> <event id>');
}

async function replay(nc: NatsConnection): Promise<WssProbeResult> {
  const ids: string[] = [];
  let lastSeq = 0;
  const controller = new AbortController();
  for await (const batch of replayStream(nc, {
    stream: STREAMS.warehouse,
    fromSeq: 1,
    signal: controller.signal,
  })) {
    for (const m of batch.messages) {
      const d = decodeStockMessage(m, TEST_HEADER_NAMES);
      ids.push(d.kind === 'malformed' ? `malformed@${d.seq}` : d.meta.id);
      lastSeq = m.seq;
    }
    if (batch.caughtUp) controller.abort();
  }
  return { kind: 'replayed', ids, lastSeq };
}

async function publish(nc: NatsConnection): Promise<WssProbeResult> {
  if (!warehouse || !product || !id) throw new Error('publish needs <warehouse> <product> <event id>');
  const result = await publishStockEvent(
    nc,
    warehouse,
    { type: 'stock.replenished', product_name: product, location: 'A1', quantity: 1 },
    { names: TEST_HEADER_NAMES, user: 'admin', id, timestampMs: Date.now() },
  );
  return result.ok ? { kind: 'published', seq: result.seq } : { kind: result.kind, message: result.message };
}

let result: WssProbeResult;
try {
  const nc = await connectWs(url, user as User);
  try {
    result = mode === 'replay' ? await replay(nc) : await publish(nc);
  } finally {
    await nc.close();
  }
} catch (err) {
  const c = classifyNatsError(err);
  result = { kind: c.kind, message: c.message };
}
console.log(JSON.stringify(result));
