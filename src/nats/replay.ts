/**
 * Replaying a stream from a sequence and following it live, with an ordered pull consumer, in batches.
 */
import { type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { classifyNatsError, MissingResourceError } from './errors';
import { Handoff } from './handoff';
import { toRawMessage, type StreamMessage } from './raw-message';
import { streamSubjectFilter } from './names';
import { jetStreamOf, jetStreamManagerOf } from './jetstream-api';

export interface ReplayOptions {
  stream: string;
  /**
   * One subject filter, inside the stream's subjects token by token: people's accounts import only the consumer
   * create that names a single filter in its subject (docs/security.md).
   */
  filterSubject?: string;
  /** First stream sequence to deliver; the caller's checkpoint + 1. */
  fromSeq: number;
  signal: AbortSignal;
  /** At most this many messages per batch (default 500). */
  batchSize?: number;
  /**
   * Pull request lifetime, ms (default 5000). Bounded how long a replay stayed silent after a server restart
   * on nats-server 2.9.10 (~45 s with the library default of 30 s, ~8 s with 5 s); on 2.15.3 a probe resumed
   * in ~1.3 s either way, so it is kept short as a bound, not a cure (docs/platform-notes.md#the-natsjs-client).
   */
  expiresMs?: number;
  /** A partial batch is handed over after this long without reaching batchSize or caught-up (default 50). */
  lingerMs?: number;
}

export interface ReplayBatch {
  /** RawMessages for the core's decoders, which can also list their headers. */
  messages: StreamMessage[];
  /** Nothing was pending after the last message: the caller has seen everything stored so far. */
  caughtUp: boolean;
  /** The stream's last sequence as far as known (exact for an unfiltered replay). */
  streamLastSeq: number;
}

export interface StreamState {
  /** Creation time of the stream (ISO string): a changed value means the stream was recreated. */
  created: string;
  firstSeq: number;
  lastSeq: number;
  messages: number;
}

/** The sequence of the last message stored on `subject`, 0 when there is none. */
export async function lastSeqOnSubject(nc: NatsConnection, stream: string, subject: string): Promise<number> {
  const jsm = await jetStreamManagerOf(nc);
  const stored = await jsm.streams.getMessage(stream, { last_by_subj: subject });
  return stored?.seq ?? 0;
}

export async function streamState(nc: NatsConnection, stream: string): Promise<StreamState> {
  const jsm = await jetStreamManagerOf(nc);
  let info;
  try {
    info = await jsm.streams.info(stream);
  } catch (err) {
    if (classifyNatsError(err).kind === 'no_stream') {
      throw stream.startsWith('KV_')
        ? new MissingResourceError('KV bucket', stream.slice(3))
        : new MissingResourceError('stream', stream);
    }
    throw err;
  }
  return {
    created: info.created,
    firstSeq: info.state.first_seq,
    lastSeq: info.state.last_seq,
    messages: info.state.messages,
  };
}

/**
 * Delivers the stream from `fromSeq` in batches, then follows it live until the signal aborts.
 * Always starts at an explicit sequence: an ordered consumer started with `deliver_policy: new` that is
 * reset before its first message replays the whole stream (docs/platform-notes.md#consumers-and-kv).
 * Throws if the consumer cannot be (re)created for good, e.g. the stream was deleted; callers restart.
 */
export async function* replayStream(nc: NatsConnection, options: ReplayOptions): AsyncGenerator<ReplayBatch> {
  const { stream, signal } = options;
  const batchSize = Math.max(1, options.batchSize ?? 500);
  const lingerMs = options.lingerMs ?? 50;
  const fromSeq = Math.max(1, Math.floor(options.fromSeq));
  if (signal.aborted) return;

  const ownFilter = streamSubjectFilter(stream);
  // Every create names its filter in the subject; that is what the server's permissions match.
  const filter = options.filterSubject ?? ownFilter;
  const unfiltered = filter === undefined || filter === ownFilter;

  const state = await streamState(nc, stream);
  let streamLastSeq = state.lastSeq;

  const consumer = await jetStreamOf(nc).consumers.get(stream, {
    opt_start_seq: fromSeq,
    ...(filter !== undefined ? { filter_subjects: filter } : {}),
  });
  const created = await consumer.info(true);

  const handoff = new Handoff<JsMsg>();
  const { buffer } = handoff;
  const messages = await consumer.consume({
    expires: options.expiresMs ?? 5000,
    // Replays run at ~41k events/s with pulls of 1000 against ~33k with the default 100
    // (docs/platform-notes.md#replay-speed-in-chromium).
    max_messages: Math.max(batchSize, 1000),
    callback: (m) => {
      buffer.push(m);
      // The first message wakes the reader, which then lingers for a full batch; a full batch or the
      // end of the backlog hands over at once.
      if (buffer.length === 1 || buffer.length >= batchSize || m.info.pending === 0) handoff.notify();
    },
  });
  handoff.follow(messages.closed());
  const removeAbortListener = handoff.stopOn(signal, () => messages.close());

  try {
    if (created.num_pending === 0) yield { messages: [], caughtUp: true, streamLastSeq };
    for (;;) {
      const taken = await handoff.takeBatch(batchSize, lingerMs, (m) => m.info.pending > 0, signal);
      if (taken === null) break;
      const tail = taken[taken.length - 1]!;
      const caughtUp = buffer.length === 0 && tail.info.pending === 0;
      streamLastSeq = Math.max(streamLastSeq, tail.seq, unfiltered ? tail.seq + tail.info.pending : 0);
      yield { messages: taken.map(toRawMessage), caughtUp, streamLastSeq };
    }
    if (!signal.aborted) throw handoff.failure ?? new Error(`the replay of ${stream} stopped`);
  } finally {
    removeAbortListener();
    await messages.close().catch(() => undefined);
  }
}
