/**
 * WAREHOUSE_EVENTS deleted and provisioned again (or the server's store wiped) under a running projector: the
 * projector must notice that the stream it folded is gone, fold the new one from the start, and leave
 * `stock_levels` equal to the fold of the new stream, keys of the old stream included: a key the new stream
 * does not produce is a figure from a history that no longer exists, so it is deleted as `--rebuild` would.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STREAMS } from '../../src/core/resources';
import { provision } from '../../src/nats/provision';
import { streamState } from '../../src/nats/replay';
import { deleteStream } from '../support/stream-admin';
import {
  keyOf,
  killWorkers,
  publishEvent,
  randomEvent,
  readBucket,
  seededRng,
  spawnWorker,
  startStack,
  waitFor,
  waitForBucketToMatch,
  type TestStack,
  type WorkerProcess,
} from './helpers';

let stack: TestStack;

beforeEach(async () => {
  stack = await startStack();
});

afterEach(async () => {
  await killWorkers();
  await stack.close();
  rmSync(stack.server.storeDir, { recursive: true, force: true });
});

/** Keys before and after overlap on w2/w3 × Milk/Bread; the rest exist on one side only. */
const OLD_KEYS = { warehouses: ['w1', 'w2', 'w3'], products: ['Apples', 'Pears', 'Milk', 'Bread'] };
const NEW_KEYS = { warehouses: ['w2', 'w3', 'w4'], products: ['Milk', 'Bread', 'Eggs', 'Rice'] };

const RECREATED = 'the stream was recreated or rewound: folding it again from the start';

const ready = (w: WorkerProcess) =>
  w.waitForLog((l) => l.msg === 'ready' || l.msg === 'rebuilt stock_levels from the stream', 'ready');

/** Publishes `count` events on the given keys, one at a time; returns the keys they touched. */
async function publishOn(keys: typeof OLD_KEYS, seed: number, count: number): Promise<Set<string>> {
  const rng = seededRng(seed);
  const touched = new Set<string>();
  for (let i = 0; i < count; i++) {
    const item = randomEvent(rng, keys);
    await publishEvent(stack.admin, item);
    touched.add(keyOf(item));
  }
  return touched;
}

/** A running projector that has folded `count` events on the old keys into the bucket. */
async function projectorWithOldHistory(
  count: number,
): Promise<{ projector: WorkerProcess; oldKeys: Set<string> }> {
  const projector = spawnWorker('projector', stack.server.clientUrl);
  await ready(projector);
  const oldKeys = await publishOn(OLD_KEYS, 1, count);
  await waitForBucketToMatch(stack.admin);
  expect(new Set((await readBucket(stack.admin)).keys())).toEqual(oldKeys);
  return { projector, oldKeys };
}

/** The stream's state once the admin connection is back after a server restart (it reconnects on its own). */
const stateOnceBack = () =>
  waitFor(() => streamState(stack.admin, STREAMS.warehouse), 'the restarted server to answer', 30_000, 250);

/** The bucket holds the new stream's keys only, each equal to the fold, and the projector said why. */
async function expectRebuiltFrom(projector: WorkerProcess, newKeys: Set<string>): Promise<void> {
  await projector.waitForLog((l) => l.msg === RECREATED, 'the recreated stream to be noticed');
  await waitForBucketToMatch(stack.admin);
  expect(new Set((await readBucket(stack.admin)).keys())).toEqual(newKeys);
  expect(projector.child.exitCode).toBeNull();
}

describe('projector under a recreated stream', () => {
  it('given the stream deleted and provisioned again with a longer, different history, then the bucket ends equal to the fold of the new stream', async () => {
    const { projector, oldKeys } = await projectorWithOldHistory(300);
    const before = await streamState(stack.admin, STREAMS.warehouse);

    await deleteStream(stack.admin, STREAMS.warehouse);
    await provision(stack.admin);
    // Longer than the old one: the old values cite sequences the new stream also has, so only the creation
    // time tells the histories apart.
    const newKeys = await publishOn(NEW_KEYS, 2, 900);
    const after = await streamState(stack.admin, STREAMS.warehouse);
    expect(after.created).not.toBe(before.created);
    expect(after.lastSeq).toBeGreaterThan(before.lastSeq);

    await expectRebuiltFrom(projector, newKeys);
    const stale = [...oldKeys].filter((k) => !newKeys.has(k));
    expect(stale.length).toBeGreaterThan(0);
    const deleted = projector.lines.filter((l) => l.msg === 'deleted a key the stream does not produce');
    expect(new Set(deleted.map((l) => l.key))).toEqual(new Set(stale));
  }, 90_000);

  it('given the stream recreated with a shorter history, then the sequences below the old cursor are folded, not skipped', async () => {
    const { projector } = await projectorWithOldHistory(400);
    const before = await streamState(stack.admin, STREAMS.warehouse);

    await deleteStream(stack.admin, STREAMS.warehouse);
    await provision(stack.admin);
    const newKeys = await publishOn(NEW_KEYS, 3, 60);
    expect((await streamState(stack.admin, STREAMS.warehouse)).lastSeq).toBeLessThan(before.lastSeq);

    await expectRebuiltFrom(projector, newKeys);
  }, 90_000);

  it('given the server stopped, its store wiped, restarted on the same ports and provisioned again, then the projector rebuilds from the new stream', async () => {
    const { projector } = await projectorWithOldHistory(300);
    const before = await streamState(stack.admin, STREAMS.warehouse);

    await stack.server.stop();
    // nats-server keeps every stream and bucket under <store_dir>/jetstream.
    rmSync(join(stack.server.storeDir, 'jetstream'), { recursive: true, force: true });
    await stack.server.restart();
    // The admin connection comes back on its own reconnect schedule.
    await waitFor(
      () => provision(stack.admin).then(() => true),
      'provisioning the restarted server',
      30_000,
      250,
    );
    expect((await readBucket(stack.admin)).size).toBe(0);
    const newKeys = await publishOn(NEW_KEYS, 4, 500);
    expect((await streamState(stack.admin, STREAMS.warehouse)).created).not.toBe(before.created);

    await expectRebuiltFrom(projector, newKeys);
  }, 90_000);

  it('given the store restored from an earlier copy (same stream, shorter), then the sequences it reuses are folded, not taken as done', async () => {
    const { projector } = await projectorWithOldHistory(200);
    const store = join(stack.server.storeDir, 'jetstream');
    const copy = join(stack.server.storeDir, 'jetstream-copy');
    await stack.server.stop();
    cpSync(store, copy, { recursive: true });
    await stack.server.restart();
    const before = await stateOnceBack();
    // A tail the projector folds and the restored store will not have.
    await publishOn(OLD_KEYS, 5, 300);
    await waitForBucketToMatch(stack.admin);

    await stack.server.stop();
    rmSync(store, { recursive: true, force: true });
    cpSync(copy, store, { recursive: true });
    await stack.server.restart();
    const restored = await stateOnceBack();
    expect(restored).toMatchObject({ created: before.created, lastSeq: before.lastSeq });
    // New events take the sequences of the lost tail.
    const rewritten = await publishOn(OLD_KEYS, 6, 100);

    await projector.waitForLog((l) => l.msg === RECREATED, 'the rewound stream to be noticed');
    await waitForBucketToMatch(stack.admin);
    expect(rewritten.size).toBeGreaterThan(0);
    expect(projector.child.exitCode).toBeNull();
  }, 90_000);
});
