/**
 * nats-server SIGKILLed twice during a burst of publishes that retry with the same message id until
 * acknowledged: every acknowledged event is stored exactly once, and the projector, running through it all,
 * ends with the fold of the stream.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeStockMessage } from '../../src/core/codec';
import { STREAMS } from '../../src/core/resources';
import { publishStockEvent } from '../../src/nats/publish';
import { streamState } from '../../src/nats/replay';
import {
  killWorkers,
  randomEvent,
  seededRng,
  startStack,
  waitForBucketToMatch,
  type TestStack,
} from '../workers/helpers';
import { readWholeStream } from '../support/read-stream';
import { superviseWorker } from './support/supervised-worker';
import { TEST_HEADER_NAMES } from '../../src/core/testing';

const TOTAL = 10_000;
const IN_FLIGHT = 64;
const KILL_AT = [0.3, 0.7];
const MAX_ATTEMPTS = 500;

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await killWorkers();
  await stack.close();
  rmSync(stack.server.storeDir, { recursive: true, force: true });
});

it('given two SIGKILLs of nats-server during 10,000 same-id-retried publishes, then nothing acknowledged is lost or stored twice and the bucket equals the fold', async () => {
  const { server, admin } = stack;
  const projector = superviseWorker('projector', server.clientUrl);
  await projector.current.waitForLog((l) => l.msg === 'ready', 'projector ready');

  const rng = seededRng(2026);
  const items = Array.from({ length: TOTAL }, (_, i) => ({ id: `chaos-burst-${i}`, ...randomEvent(rng) }));
  const acked = new Set<string>();
  let duplicatesAbsorbed = 0;
  let retries = 0;
  const failures: string[] = [];
  const kills: Promise<void>[] = [];
  const killPoints = KILL_AT.map((f) => Math.round(f * TOTAL));
  let killsDone = 0;

  const killAndRestart = async () => {
    const before = server.pid;
    await server.kill();
    killsDone += 1;
    await server.restart();
    expect(server.pid).not.toBe(before);
  };

  let next = 0;
  const publisher = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      for (let attempt = 1; ; attempt++) {
        const result = await publishStockEvent(admin, item.warehouse, item.event, {
          names: TEST_HEADER_NAMES,
          user: 'admin',
          id: item.id,
          timestampMs: Date.now(),
          timeoutMs: 2000,
        });
        if (result.ok) {
          acked.add(item.id);
          if (result.duplicate) duplicatesAbsorbed += 1;
          if (killPoints.length > 0 && acked.size >= killPoints[0]!) {
            killPoints.shift();
            kills.push(killAndRestart());
          }
          break;
        }
        retries += 1;
        if (result.kind === 'invalid' || result.kind === 'permission' || attempt >= MAX_ATTEMPTS) {
          failures.push(`${item.id}: ${result.kind} ${result.message}`);
          break;
        }
        // While the server is down every attempt fails at once; back off a little so retries do not spin.
        await new Promise((r) => setTimeout(r, Math.min(20 * attempt, 250)));
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, publisher));
  await Promise.all(kills);
  expect(failures).toEqual([]);
  expect(killsDone).toBe(KILL_AT.length);

  // Audit the whole stream by event id.
  const stored = await readWholeStream(admin, STREAMS.warehouse);
  const counts = new Map<string, number>();
  let malformed = 0;
  for (const m of stored) {
    const d = decodeStockMessage(m, TEST_HEADER_NAMES);
    if (d.kind === 'malformed') malformed += 1;
    else counts.set(d.meta.id, (counts.get(d.meta.id) ?? 0) + 1);
  }
  const lost = [...acked].filter((id) => !counts.has(id));
  const storedTwice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);

  await waitForBucketToMatch(admin, 120_000);
  await projector.stop();

  console.log(
    `[chaos] server kills: published ${TOTAL}, acked ${acked.size}, retries ${retries}, ` +
      `duplicates absorbed on retry ${duplicatesAbsorbed}, lost ${lost.length}, stored twice ${storedTwice.length}, ` +
      `stored ${stored.length}, kills ${killsDone}, projector processes ${projector.generations.length} ` +
      `(unexpected exits ${projector.unexpectedExits})`,
  );
  expect(acked.size).toBe(TOTAL);
  expect(lost).toEqual([]);
  expect(storedTwice).toEqual([]);
  expect(malformed).toBe(0);
  expect(stored.length).toBe(TOTAL);
  expect((await streamState(admin, STREAMS.warehouse)).messages).toBe(TOTAL);
  expect(new Set(counts.keys())).toEqual(new Set(items.map((i) => i.id)));
});
