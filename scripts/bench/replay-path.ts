/**
 * The replay function Stockwire's Node-side measurement uses. One line to switch when a faster path with the
 * same ReplayBatch contract lands (e.g. src/nats/push-replay.ts:
 * `(nc, options) => pushReplay(nc, { ...options, inboxPrefix: inboxPrefixFor('admin') })`).
 */
import { replayStream } from '../../src/nats/replay';

export const stockwireReplay = replayStream;
