/**
 * The fast replay path: an ephemeral push consumer delivering onto a plain core-NATS subscription, with the
 * ordered-consumer duties (gap detection, heartbeats, flow control) done here instead of by nats.js.
 *
 * Why: the stock ordered consumer costs the browser about half its time in per-message library work (a JsMsg
 * per message, every header decoded to text, pull round trips); plain core delivery is ~4× faster
 * (docs/platform-notes.md#replay-speed-in-chromium). Each message here costs one subject decode, one
 * reply-subject decode (stream sequence, time and pending count are in it) and a scan of the header block for
 * the few values the decoder asks for.
 *
 * Recovery is deliberately simple: any doubt (a consumer sequence gap, heartbeats stopping, the subscription
 * or consumer failing) ends the generator with an error; the caller restarts from its last applied sequence,
 * which it must do anyway after reconnects.
 */
import { AckPolicy, DeliverPolicy, ReplayPolicy } from '@nats-io/jetstream';
import { createInbox, nanos, type Msg, type NatsConnection, type Subscription } from '@nats-io/nats-core';
import { Handoff } from './handoff';
import { streamSubjectFilter } from './names';
import { MessageHeaders, rawHeaderBlock, subjectTexts, type StreamMessage } from './raw-message';
import { streamState, type ReplayBatch, type ReplayOptions } from './replay';
import { jetStreamManagerOf } from './jetstream-api';

export interface PushReplayOptions extends ReplayOptions {
  /** The connection's inbox prefix: browser roles may only subscribe below their own (nats-server.conf). */
  inboxPrefix: string;
  /** Idle heartbeat interval, ms (default 2000); three missed in a row end the replay. */
  heartbeatMs?: number;
}

const DEFAULT_HEARTBEAT_MS = 2000;
const MISSED_HEARTBEATS = 3;
const ACK_PREFIX = new TextEncoder().encode('$JS.ACK.');

export class ReplayGapError extends Error {
  constructor(detail: string) {
    super(`the replay lost its place (${detail}); restarting from the last applied event`);
    this.name = 'ReplayGapError';
  }
}

/**
 * Delivers the stream from `fromSeq` in batches, then follows it live until the signal aborts — the same
 * contract as `replayStream`, so callers can switch between them.
 */
export interface PushBatch extends ReplayBatch {
  messages: PushedMessage[];
}

export async function* pushReplay(nc: NatsConnection, options: PushReplayOptions): AsyncGenerator<PushBatch> {
  const { stream, signal } = options;
  const batchSize = Math.max(1, options.batchSize ?? 500);
  const lingerMs = options.lingerMs ?? 50;
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const fromSeq = Math.max(1, Math.floor(options.fromSeq));
  if (signal.aborted) return;
  const filter = options.filterSubject ?? streamSubjectFilter(stream);
  const unfiltered = filter === streamSubjectFilter(stream);

  const state = await streamState(nc, stream);
  let streamLastSeq = state.lastSeq;

  const handoff = new Handoff<PushedMessage>();
  const { buffer } = handoff;
  let lastConsumerSeq = 0;
  let received = 0;
  let lastHeardMs = Date.now();
  /** Flow-control requests are answered once the messages before them were taken: that is our back-pressure. */
  const flowControl: { reply: string; after: number }[] = [];
  const fail = (error: Error) => {
    if (handoff.finished) return;
    handoff.failure = error;
    handoff.finished = true;
    handoff.notify();
  };

  const inbox = createInbox(options.inboxPrefix);
  let sub: Subscription | null = null;
  sub = nc.subscribe(inbox, {
    callback: (err, m) => {
      if (err) return fail(err);
      lastHeardMs = Date.now();
      const raw = rawSubjects(m);
      const reply = raw.reply;
      if (reply === undefined || !startsWith(reply, ACK_PREFIX)) return control(m);
      const info = parseAckReply(reply);
      if (info === null) return fail(new ReplayGapError(`unreadable reply subject "${m.reply}"`));
      if (info.consumerSeq !== lastConsumerSeq + 1) {
        return fail(new ReplayGapError(`consumer sequence ${info.consumerSeq} after ${lastConsumerSeq}`));
      }
      lastConsumerSeq = info.consumerSeq;
      received++;
      const subjectBytes = raw.subject ?? encoder.encode(m.subject);
      const message = new PushedMessage(m, subjectBytes, info.streamSeq, info.timestampMs, info.pending);
      buffer.push(message);
      if (buffer.length === 1 || buffer.length >= batchSize || info.pending === 0) handoff.notify();
    },
  });

  function control(m: Msg): void {
    let h;
    try {
      h = m.headers;
    } catch {
      return; // not from the server: its status messages have well-formed headers
    }
    if (h === undefined || h.code !== 100) return;
    if (m.reply) {
      // A flow-control request: the server sends nothing more until we answer, so hand over what we have now
      // instead of lingering for a full batch.
      flowControl.push({ reply: m.reply, after: received });
      handoff.notify();
      return;
    }
    // An idle heartbeat. A stalled consumer names the subject that unblocks it.
    const stalled = h.get('Nats-Consumer-Stalled');
    if (stalled) nc.publish(stalled);
    const last = Number(h.get('Nats-Last-Consumer'));
    if (Number.isSafeInteger(last) && last > lastConsumerSeq) {
      fail(new ReplayGapError(`heartbeat says consumer sequence ${last}, last seen ${lastConsumerSeq}`));
    }
  }

  const monitor = setInterval(() => {
    if (Date.now() - lastHeardMs > heartbeatMs * MISSED_HEARTBEATS) {
      fail(new ReplayGapError(`no heartbeat for ${MISSED_HEARTBEATS * heartbeatMs} ms`));
    }
  }, heartbeatMs);
  const removeAbortListener = handoff.stopOn(signal, () => Promise.resolve(sub?.unsubscribe()));

  try {
    const jsm = await jetStreamManagerOf(nc);
    const created = await jsm.consumers.add(stream, {
      // A name puts the filter into the create subject, which is what the roles' permissions match. It is kept
      // short because it is repeated in every message's reply subject: bytes are what the browser's WebSocket
      // limits (npm run bench, "delivery alone"). 10 random characters: a clash is as likely as a lottery win.
      name: `sw_${inbox.slice(-10)}`,
      deliver_subject: inbox,
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: fromSeq,
      filter_subject: filter,
      replay_policy: ReplayPolicy.Instant,
      flow_control: true,
      idle_heartbeat: nanos(heartbeatMs),
      mem_storage: true,
      num_replicas: 1,
    });
    lastHeardMs = Date.now();
    if (created.num_pending === 0 && buffer.length === 0)
      yield { messages: [], caughtUp: true, streamLastSeq };

    let taken = 0;
    for (;;) {
      // A pending flow-control request means nothing more comes until it is answered: no lingering then.
      const moreComing = (m: PushedMessage) => m.pending > 0 && flowControl.length === 0;
      const batch = await handoff.takeBatch(batchSize, lingerMs, moreComing, signal);
      if (batch === null) break;
      const tail = batch[batch.length - 1]!;
      const caughtUp = buffer.length === 0 && tail.pending === 0;
      streamLastSeq = Math.max(streamLastSeq, tail.seq, unfiltered ? tail.seq + tail.pending : 0);
      yield { messages: batch, caughtUp, streamLastSeq };
      taken += batch.length;
      while (flowControl.length > 0 && flowControl[0]!.after <= taken) nc.publish(flowControl.shift()!.reply);
    }
    if (!signal.aborted) throw handoff.failure ?? new Error(`the replay of ${stream} stopped`);
  } finally {
    clearInterval(monitor);
    removeAbortListener();
    // The ephemeral consumer is removed by the server once nobody listens on its inbox.
    sub.unsubscribe();
  }
}

interface AckInfo {
  streamSeq: number;
  consumerSeq: number;
  timestampMs: number;
  pending: number;
}

/**
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time ns>.<pending>` (2.9), or the
 * newer form with domain and account hash before the stream and a random token at the end. Read from the bytes
 * without decoding or splitting them: this runs once per replayed event.
 */
export function parseAckReply(reply: Uint8Array): AckInfo | null {
  let count = 0;
  for (let i = 0; i < reply.length; i++) {
    if (reply[i] !== 0x2e) continue;
    if (count === dots.length) return null;
    dots[count++] = i;
  }
  dotCount = count;
  const tokens = count + 1;
  const base = tokens === 9 ? 5 : tokens === 11 || tokens === 12 ? 7 : -1;
  if (base < 0) return null;
  const streamSeq = digitsAt(reply, base, 0);
  const consumerSeq = digitsAt(reply, base + 1, 0);
  // Nanoseconds exceed 2^53; leaving out the last six digits gives exact milliseconds.
  const timestampMs = digitsAt(reply, base + 2, 6);
  const pending = digitsAt(reply, base + 3, 0);
  if (streamSeq < 0 || consumerSeq < 0 || timestampMs < 0 || pending < 0) return null;
  return { streamSeq, consumerSeq, timestampMs, pending };
}

const dots = new Int32Array(11);
let dotCount = 0;

/** The number in token `index` (positions from the last parseAckReply scan) without its last `drop` digits. */
function digitsAt(bytes: Uint8Array, index: number, drop: number): number {
  const start = index === 0 ? 0 : dots[index - 1]! + 1;
  const end = index < dotCount ? dots[index]! : bytes.length;
  if (end <= start) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = bytes[i]! - 48;
    if (digit < 0 || digit > 9) return -1;
    if (i < end - drop) value = value * 10 + digit;
  }
  return Number.isSafeInteger(value) ? value : -1;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

const encoder = new TextEncoder();

/**
 * Subject and reply as the bytes nats.js 3.4 parsed them into; decoded and re-encoded when a version keeps them
 * elsewhere (slower, same answers).
 */
function rawSubjects(m: Msg): { subject: Uint8Array | undefined; reply: Uint8Array | undefined } {
  const arg = (m as unknown as { _msg?: { subject?: unknown; reply?: unknown } })._msg;
  if (arg && arg.subject instanceof Uint8Array) {
    return {
      subject: arg.subject,
      reply: arg.reply instanceof Uint8Array && arg.reply.length > 0 ? arg.reply : undefined,
    };
  }
  return { subject: undefined, reply: m.reply ? encoder.encode(m.reply) : undefined };
}

/** What the decoders read of one delivered message, and its raw parts for packing (see packed-batch.ts). */
export class PushedMessage implements StreamMessage {
  readonly seq: number;
  readonly streamTimestampMs: number;
  readonly pending: number;
  readonly subjectBytes: Uint8Array;
  private readonly msg: Msg;
  // Built on first use: the replay pump only packs bytes and never needs them.
  private subjectText: string | null = null;
  private parsedHeaders: MessageHeaders | null = null;

  constructor(msg: Msg, subjectBytes: Uint8Array, seq: number, streamTimestampMs: number, pending: number) {
    this.msg = msg;
    this.subjectBytes = subjectBytes;
    this.seq = seq;
    this.streamTimestampMs = streamTimestampMs;
    this.pending = pending;
  }

  get subject(): string {
    return (this.subjectText ??= subjectTexts.get(this.subjectBytes));
  }

  private get headers(): MessageHeaders {
    return (this.parsedHeaders ??= MessageHeaders.of(this.msg));
  }

  get data(): Uint8Array {
    return this.msg.data;
  }

  /** The raw header block (null without headers); decoded and re-encoded when nats.js keeps it elsewhere. */
  get headerBytes(): Uint8Array | null {
    const block = rawHeaderBlock(this.msg);
    if (block !== undefined) return block;
    const entries = this.headers.entries();
    if (entries.length === 0) return null;
    return encoder.encode(`NATS/1.0\r\n${entries.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
  }

  header(name: string): string | undefined {
    return this.headers.get(name);
  }

  headerEntries(): [string, string][] {
    return this.headers.entries();
  }
}
