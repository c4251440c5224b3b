/**
 * A worker's durable pull consumer: created when missing, read in batches, acknowledged message by message. The
 * server keeps its position across restarts of the worker; what a message did is the worker's business.
 */
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type ConsumerConfig,
  type ConsumerInfo,
  type JsMsg,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { Handoff } from './handoff';
import { toRawMessage, type StreamMessage } from './raw-message';
import { streamSubjectFilter } from './names';
import { jetStreamOf, jetStreamManagerOf } from './jetstream-api';

const NANOS_PER_MS = 1_000_000;

export interface DurableSpec {
  stream: string;
  name: string;
  /** Defaults to the stream's own subjects, so the create request names its filter (see nats-server.conf). */
  filterSubject?: string;
  /** How long a delivered message may stay unacknowledged before the server delivers it again. */
  ackWaitMs: number;
  /** Delivered but unacknowledged messages the server allows before it stops delivering. */
  maxAckPending: number;
  /** Where a durable created now starts (its first delivery); without it, the stream's first message. */
  startSeq?: number;
}

/** Where a durable stands, in stream sequences. */
export interface DurablePosition {
  /** Highest stream sequence ever delivered from it (0 before the first delivery). */
  deliveredSeq: number;
  /** Every sequence up to this one is acknowledged. */
  ackFloorSeq: number;
  /** Messages not delivered yet. */
  pending: number;
  /** Delivered, not acknowledged yet. */
  ackPending: number;
  /** Deliveries that were repeats. */
  redelivered: number;
  /**
   * 'all': acknowledging a message acknowledges every message delivered before it, so a batch needs one ack.
   * Durables created before Stockwire used it stay 'explicit' (changing it needs a delete the workers may not do).
   */
  ackPolicy: 'all' | 'explicit';
}

function position(info: ConsumerInfo): DurablePosition {
  return {
    deliveredSeq: info.delivered.stream_seq,
    ackFloorSeq: info.ack_floor.stream_seq,
    pending: info.num_pending,
    ackPending: info.num_ack_pending,
    redelivered: info.num_redelivered,
    ackPolicy: info.config.ack_policy === AckPolicy.All ? 'all' : 'explicit',
  };
}

function isConsumerNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound;
}

/** The durable's position, or null when it does not exist. */
export async function durablePosition(
  nc: NatsConnection,
  stream: string,
  name: string,
): Promise<DurablePosition | null> {
  const jsm = await jetStreamManagerOf(nc);
  try {
    return position(await jsm.consumers.info(stream, name));
  } catch (err) {
    if (isConsumerNotFound(err)) return null;
    throw err;
  }
}

/**
 * Creates the durable (delivering the whole stream, cumulative acks) or, when it exists, brings its ack wait and
 * ack-pending limit to the spec. Its position is never changed here.
 */
export async function ensureDurable(nc: NatsConnection, spec: DurableSpec): Promise<DurablePosition> {
  const jsm = await jetStreamManagerOf(nc);
  const ackWait = spec.ackWaitMs * NANOS_PER_MS;
  let info: ConsumerInfo | null = null;
  try {
    info = await jsm.consumers.info(spec.stream, spec.name);
  } catch (err) {
    if (!isConsumerNotFound(err)) throw err;
  }
  if (info === null) {
    const filter = spec.filterSubject ?? streamSubjectFilter(spec.stream);
    const config: Partial<ConsumerConfig> = {
      durable_name: spec.name,
      // One ack per batch instead of one per message: acks were a third of the projector's client work.
      ack_policy: AckPolicy.All,
      ...(spec.startSeq === undefined
        ? { deliver_policy: DeliverPolicy.All }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: spec.startSeq }),
      ack_wait: ackWait,
      max_ack_pending: spec.maxAckPending,
      max_deliver: -1,
      ...(filter !== undefined ? { filter_subject: filter } : {}),
    };
    return position(await jsm.consumers.add(spec.stream, config));
  }
  if (info.config.ack_wait !== ackWait || info.config.max_ack_pending !== spec.maxAckPending) {
    info = await jsm.consumers.update(spec.stream, spec.name, {
      ack_wait: ackWait,
      max_ack_pending: spec.maxAckPending,
    });
  }
  return position(info);
}

/** A delivered message: the core's RawMessage plus what the delivery says about it. */
export interface DeliveredMessage {
  message: StreamMessage;
  seq: number;
  /** Messages left in the stream after this one, for this consumer. */
  pending: number;
  redelivered: boolean;
  /**
   * Acknowledges the message (and, with ack policy "all", every one delivered before it); fire and forget: a lost
   * ack means one more delivery.
   */
  ack(): void;
}

export interface ConsumeDurableOptions {
  stream: string;
  name: string;
  signal: AbortSignal;
  /** At most this many messages per batch (default 1000). */
  batchSize?: number;
  /**
   * Pull request lifetime, ms (default 5000): bounds the silence after a server restart
   * (docs/platform-notes.md#the-natsjs-client).
   */
  expiresMs?: number;
  /** A partial batch is handed over after this long without reaching batchSize (default 20 ms). */
  lingerMs?: number;
  /** Notable events of the client (missed heartbeats, consumer gone, …), for the worker's log. */
  onNotice?: (type: string, detail: Record<string, unknown>) => void;
}

const NOTICES = new Set([
  'heartbeats_missed',
  'consumer_not_found',
  'stream_not_found',
  'consumer_deleted',
  'exceeded_limits',
  'no_responders',
]);

/**
 * Delivers the durable's messages in batches until the signal aborts. Throws when the consumer or its stream
 * disappears (the caller recreates it) or the subscription fails; it never acknowledges by itself.
 */
export async function* consumeDurable(
  nc: NatsConnection,
  options: ConsumeDurableOptions,
): AsyncGenerator<DeliveredMessage[]> {
  const { signal } = options;
  const batchSize = Math.max(1, options.batchSize ?? 1000);
  const lingerMs = options.lingerMs ?? 20;
  if (signal.aborted) return;
  const consumer = await jetStreamOf(nc).consumers.get(options.stream, options.name);

  const handoff = new Handoff<JsMsg>();
  const { buffer } = handoff;
  // True while the reader waits on an empty buffer: then the first message wakes it (and it lingers for more);
  // otherwise only a full batch or the end of the backlog does.
  let idle = false;
  const messages = await consumer.consume({
    max_messages: batchSize,
    expires: options.expiresMs ?? 5000,
    // A deleted durable must be noticed and recreated by the worker, not waited for.
    abort_on_missing_resource: true,
    callback: (m) => {
      buffer.push(m);
      if (idle || buffer.length >= batchSize || m.info.pending === 0) handoff.notify();
    },
  });
  handoff.follow(messages.closed());
  if (options.onNotice) {
    const onNotice = options.onNotice;
    void (async () => {
      for await (const n of messages.status()) {
        if (NOTICES.has(n.type)) {
          const { type, ...detail } = n as { type: string } & Record<string, unknown>;
          onNotice(type, detail);
        }
      }
    })().catch(() => undefined);
  }
  const removeAbortListener = handoff.stopOn(signal, () => messages.close());

  try {
    while (!signal.aborted) {
      if (buffer.length === 0) {
        if (handoff.finished) break;
        idle = true;
        await handoff.next();
        idle = false;
        continue;
      }
      const last = buffer[buffer.length - 1]!;
      if (buffer.length < batchSize && last.info.pending > 0 && !handoff.finished) {
        await handoff.linger(lingerMs);
        if (signal.aborted) break;
      }
      yield buffer.splice(0, batchSize).map(delivered);
    }
    if (!signal.aborted)
      throw handoff.failure ?? new Error(`the consumer ${options.name} of ${options.stream} stopped`);
  } finally {
    removeAbortListener();
    await messages.close().catch(() => undefined);
  }
}

function delivered(m: JsMsg): DeliveredMessage {
  return {
    message: toRawMessage(m),
    seq: m.seq,
    pending: m.info.pending,
    redelivered: m.redelivered,
    ack: () => m.ack(),
  };
}
