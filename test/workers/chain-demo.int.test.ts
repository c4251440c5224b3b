/**
 * The chain demo's fill against a real server: killed part-way, started again, it continues where the stream
 * says it stopped, so the stream ends with exactly the chain's events, each once, in order.
 */
import { TEST_HEADER_NAMES } from '../../src/core/testing';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/nats-server.mjs';
import {
  ChainHistory,
  chainEventId,
  parseChainEventId,
  type ChainProfile,
} from '../../src/core/chain-history';
import { decodeStockMessage } from '../../src/core/codec';
import { DEDUPE_HEADER } from '../../src/core/events';
import { STREAMS } from '../../src/core/resources';
import { streamState } from '../../src/nats/replay';
import { chainSimulatorStart } from '../../src/workers/chain-demo';
import { readWholeStream } from '../support/read-stream';
import { ADMIN, startStack, waitFor, type TestStack } from './helpers';

const PROFILE: ChainProfile = { warehouses: 3, products: 50, locations: 40, events: 50_000, days: 365 };
const SIZE = ['--warehouses', '3', '--products', '50', '--events', '50000'];

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

function runDemo(url: string) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/workers/demo.ts',
      '--seed-if-empty',
      '--demo',
      'chain',
      ...SIZE,
      '--server',
      url,
      '--user',
      ADMIN.user,
      '--password',
      ADMIN.password,
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => output };
}

describe('the chain demo fill', () => {
  it('given a fill killed part-way, when it runs again, then the stream holds every chain event exactly once', async () => {
    const { admin, server } = stack;
    const first = runDemo(server.clientUrl);
    // Killed, not asked to stop: nothing gets to finish its window or say goodbye.
    const partial = await waitFor(
      async () => {
        const { messages } = await streamState(admin, STREAMS.warehouse);
        return messages >= 5_000 ? messages : undefined;
      },
      'the first fill to store 5,000 events',
      60_000,
      10,
    );
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const interrupted = await streamState(admin, STREAMS.warehouse);
    expect(interrupted.messages, 'the first fill finished before it could be interrupted').toBeLessThan(
      PROFILE.events,
    );
    expect(interrupted.messages).toBeGreaterThanOrEqual(partial);

    const second = runDemo(server.clientUrl);
    expect(await second.exited, second.output()).toEqual({ code: 0, signal: null });
    expect(second.output()).toContain(
      `holds the first ${interrupted.messages.toLocaleString('en-US')} of the chain's 50,000 events`,
    );
    expect(second.output()).toContain('continuing');

    const messages = await readWholeStream(admin, STREAMS.warehouse);
    expect(messages).toHaveLength(PROFILE.events);
    const ids = messages.map((m) => m.header(DEDUPE_HEADER));
    expect(new Set(ids).size).toBe(PROFILE.events);

    // Every event is the one the generator makes for its place, with the id that says so.
    const identity = parseChainEventId(ids[0]!)!;
    const expected = new ChainHistory({
      seed: 1,
      startMs: identity.startMs,
      utcOffsetMinutes: identity.utcOffsetMinutes,
      profile: PROFILE,
    });
    const mismatches: string[] = [];
    for (const [i, m] of messages.entries()) {
      const item = expected.next().value!;
      const decoded = decodeStockMessage(m, TEST_HEADER_NAMES);
      const same =
        m.header(DEDUPE_HEADER) === chainEventId(expected.identity, i) &&
        decoded.kind === 'stock' &&
        decoded.meta.warehouse === item.warehouse &&
        decoded.meta.timestampMs === item.timestampMs &&
        JSON.stringify(decoded.event) === JSON.stringify(item.event);
      if (!same) mismatches.push(`seq ${m.seq}`);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);

    const third = runDemo(server.clientUrl);
    expect(await third.exited).toEqual({ code: 0, signal: null });
    expect(third.output()).toContain('already holds the whole chain');
    expect((await streamState(admin, STREAMS.warehouse)).messages).toBe(PROFILE.events);

    // The simulator starts from the chain's end state and folds only what comes after it.
    const start = await chainSimulatorStart(admin, {
      seed: 1,
      profile: PROFILE,
      log: () => undefined,
      nowMs: Date.now(),
      utcOffsetMinutes: 0,
    });
    expect(start.fromSeq).toBe(PROFILE.events + 1);
    expect(start.world.warehouses.map((w) => w.id)).toEqual(['11', '12', '13']);
    expect(Object.keys(start.state.stock).sort()).toEqual(['11', '12', '13']);
  });
});
