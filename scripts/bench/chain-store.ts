/**
 * The chain bench's data: a nats-server whose store lives in `.tmp/bench-chain/` and survives the run, holding
 * the chain demo's year (src/core/chain-history.ts). Filling 10M events takes minutes, so a later run reuses
 * what an earlier one stored and says so; an interrupted fill is continued, exactly as `npm start -- --demo
 * chain` does (src/workers/chain-demo.ts). Events a run adds after the chain (its live phases) stay behind it
 * and are counted, never mistaken for the chain.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHAIN_PROFILE } from '../../src/core/chain-history';
import { STREAMS } from '../../src/core/resources';
import { TEST_HEADER_NAMES } from '../../src/core/testing';
import { connectNode } from '../../src/nats/connect-node';
import type { NatsConnection } from '../../src/nats/connection';
import { provision } from '../../src/nats/provision';
import { streamState } from '../../src/nats/replay';
import { findChain, seedChain } from '../../src/workers/chain-demo';
import { LOGINS } from '../../test/support/users';
import { REPO_ROOT, startNatsServer, type NatsServerHandle } from '../lib/nats-server.mjs';
import type { Cleanup } from './cleanup';
import { say } from './phases';

export const CHAIN_STORE_DIR = join(REPO_ROOT, '.tmp', 'bench-chain');
const SEED = 1;

export interface ChainStore {
  server: NatsServerHandle;
  admin: NatsConnection;
  /** True when the chain was already whole in the store when the run began. */
  reused: boolean;
  /** Time spent publishing in this run (0 when reused). */
  fillMs: number;
  /** Messages in the stream once filled: the chain plus whatever earlier runs added after it. */
  events: number;
  lastSeq: number;
}

export async function openChainStore(
  cleanup: Cleanup,
  allowedOrigins: string[],
  signal: AbortSignal,
): Promise<ChainStore> {
  const existed = existsSync(join(CHAIN_STORE_DIR, 'jetstream'));
  mkdirSync(CHAIN_STORE_DIR, { recursive: true });
  const server = await startNatsServer({ storeDir: CHAIN_STORE_DIR, allowedOrigins });
  // The store is kept on purpose: deleting it would cost the next run the whole fill.
  cleanup.add(`nats-server (pid ${server.pid})`, () => server.stop());
  const admin = await connectNode({ servers: server.clientUrl, ...LOGINS.admin, name: 'bench-chain-admin' });
  cleanup.add('admin connection', () => admin.close());
  await provision(admin);
  const place = await findChain(admin, SEED, CHAIN_PROFILE);
  const reused = place.kind === 'chain' && place.next >= CHAIN_PROFILE.events;
  if (place.kind === 'other') {
    throw new Error(
      `${CHAIN_STORE_DIR} holds ${place.messages.toLocaleString('en-US')} events that are not the chain; ` +
        'delete the folder and run again',
    );
  }
  let fillMs = 0;
  if (reused) {
    say(
      `reusing the chain stored earlier in ${CHAIN_STORE_DIR}` +
        (place.later > 0 ? ` (plus ${place.later.toLocaleString('en-US')} events earlier runs added)` : ''),
    );
  } else {
    say(
      existed
        ? `continuing the chain in ${CHAIN_STORE_DIR} (an earlier fill was interrupted)`
        : `filling the chain into ${CHAIN_STORE_DIR}; later runs reuse it`,
    );
    const started = Date.now();
    await seedChain(admin, {
      seed: SEED,
      profile: CHAIN_PROFILE,
      user: LOGINS.admin.user,
      names: TEST_HEADER_NAMES,
      log: (line) => say(`  ${line}`),
      signal,
      nowMs: Date.now(),
      utcOffsetMinutes: 0,
    });
    fillMs = Date.now() - started;
  }
  const state = await streamState(admin, STREAMS.warehouse);
  return { server, admin, reused, fillMs, events: state.messages, lastSeq: state.lastSeq };
}
