import { jetstreamManager } from '@nats-io/jetstream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUCKETS } from '../../src/core/resources';
import { kvStreamName } from '../../src/nats/names';
import { provision } from '../../src/nats/provision';
import { PROJECTOR_STATUS_KEY, type ProjectorStatus } from '../../src/core/worker-status';
import { createLogger } from '../../src/workers/lib/log';
import { runStatusLoop } from '../../src/workers/lib/status-loop';
import { readBucket, startStack, waitFor, type TestStack } from './helpers';

let stack: TestStack;

beforeEach(async () => {
  stack = await startStack();
});

afterEach(async () => {
  await stack.close();
});

/** A server provisioned before the status bucket existed: the bucket is removed, then provisioning adds it. */
async function removeStatusBucket(): Promise<void> {
  const jsm = await jetstreamManager(stack.admin);
  await jsm.streams.delete(kvStreamName(BUCKETS.workerStatus));
}

describe('worker status', () => {
  it('is written to the status bucket every interval; without the bucket the loop says so once and keeps going', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger('projector', (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
    let snapshots = 0;
    const snapshot = (): ProjectorStatus => ({
      worker: 'projector',
      lastAppliedSeq: ++snapshots,
      lagEvents: 0,
      eventsPerSecond: 0,
      errors: 0,
      malformed: 0,
      duplicates: 0,
      keys: 0,
      phase: 'live',
      startedMs: 1,
      updatedMs: Date.now(),
    });
    await removeStatusBucket();
    const controller = new AbortController();
    const loop = runStatusLoop({
      nc: stack.admin,
      key: PROJECTOR_STATUS_KEY,
      intervalMs: 50,
      logEveryMs: 60_000,
      signal: controller.signal,
      log,
      snapshot,
    });
    try {
      await waitFor(() => snapshots >= 4, 'four status rounds');
      expect(lines.filter((l) => l.msg === 'status not published; it is still logged')).toHaveLength(1);

      expect((await provision(stack.admin)).created).toEqual(['KV worker_status']);
      await waitFor(
        () => lines.some((l) => l.msg === 'status published again'),
        'the status to be published',
      );
      const published = await waitFor(async () => {
        const value = (await readBucket(stack.admin, BUCKETS.workerStatus)).get(PROJECTOR_STATUS_KEY);
        const status = value === undefined ? undefined : (JSON.parse(value) as ProjectorStatus);
        return status && status.lastAppliedSeq > 4 ? status : undefined;
      }, 'a status written after the bucket appeared');
      expect(published).toMatchObject({ worker: 'projector', phase: 'live', startedMs: 1 });
      expect(Object.keys(published).sort()).toEqual(Object.keys(snapshot()).sort());
    } finally {
      controller.abort();
      await loop;
    }
  }, 30_000);
});
