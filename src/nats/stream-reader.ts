/**
 * Reading a stream by sequence for the event log: newest first in pages, forward for exports, one message
 * by sequence, and a sequence for a moment in time. Nothing here changes server state beyond short-lived
 * ephemeral consumers (memory storage, no acks) that the server removes after INACTIVE_MS unused: browser
 * roles may create consumers but not delete them.
 *
 * Counting and seeking use a consumer's `num_pending` at creation: the number of messages matching its
 * filter at or after its start sequence. The difference of two such counts is the number in a range,
 * which is how a page finds the window that holds its events without reading the stream from the start.
 */
import { AckPolicy, DeliverPolicy, type ConsumerInfo, type StoredMsg } from '@nats-io/jetstream';
import { nanos, nuid, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import { streamSubjectFilter } from './names';
import { toRawMessage, type StreamMessage } from './raw-message';
import { streamState } from './replay';
import { jetStreamOf, jetStreamManagerOf } from './jetstream-api';

/** Unused consumers disappear after this long; every read pulls again well within it. */
const INACTIVE_MS = 10_000;
/** Messages per pull request (measured best for replays: docs/platform-notes.md#replay-speed-in-chromium). */
const FETCH_MAX = 1000;
/** A pull that gets nothing for this long means the stream has nothing more for it. */
const FETCH_EXPIRES_MS = 5000;
/**
 * A window may hold this many more messages than wanted before it is narrowed: reading a few hundred
 * extra costs less than another consumer round trip.
 */
const WINDOW_SLACK = 500;
/** Window searches converge in a handful of probes; this bounds a pathological stream. */
const MAX_PROBES = 16;
/** Counting retries when a matching event lands between the two probes of a count. */
const COUNT_ATTEMPTS = 5;

export interface ReadScopeOptions {
  stream: string;
  /**
   * One subject filter inside the stream's subjects: a consumer create names a single filter in its subject,
   * and that form is the one people's accounts import (docs/security.md).
   */
  filterSubject: string;
  /** Storage time range [fromMs, untilMs), ms since epoch; null = open. */
  fromMs: number | null;
  untilMs: number | null;
}

/** The part of a stream a query covers, fixed when it is opened so that paging is stable. */
export interface ReadScope {
  stream: string;
  filterSubject: string;
  /** The stream's last sequence when the scope was opened. */
  headSeq: number;
  firstSeq: number;
  /** Sequences [lowSeq, highSeq] lie in the time range; highSeq < lowSeq when nothing does. */
  lowSeq: number;
  highSeq: number;
  /** Messages in [lowSeq, highSeq] matching the subject filter. */
  matching: number;
  /** False only when events kept arriving faster than a count could be taken twice the same. */
  matchingExact: boolean;
  /** Every message in the stream, whatever its subject or time. */
  streamMessages: number;
}

function manager(nc: NatsConnection) {
  return jetStreamManagerOf(nc);
}

/**
 * An ephemeral consumer starting at `seq` (or at a time): its `num_pending` is the count of matching
 * messages from there on. Named, so that the create request names its filter in the subject, which is
 * what nats-server.conf grants to the browser roles.
 */
async function createConsumer(
  nc: NatsConnection,
  stream: string,
  filterSubject: string,
  start: { seq: number } | { timeMs: number },
): Promise<ConsumerInfo> {
  const jsm = await manager(nc);
  return jsm.consumers.add(stream, {
    name: `eventlog_${nuid.next()}`,
    filter_subject: filterSubject,
    ...('seq' in start
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, start.seq) }
      : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(start.timeMs).toISOString() }),
    ack_policy: AckPolicy.None,
    mem_storage: true,
    num_replicas: 1,
    inactive_threshold: nanos(INACTIVE_MS),
  });
}

/** Matching messages at or after `seq`, now. */
export async function pendingFrom(
  nc: NatsConnection,
  stream: string,
  filterSubject: string,
  seq: number,
): Promise<number> {
  return (await createConsumer(nc, stream, filterSubject, { seq })).num_pending;
}

/**
 * Matching messages in [fromSeq, toSeq]. Two counts taken at different instants differ by the events that
 * arrived in between, so the upper count is taken before and after the lower one; equal means exact.
 */
export async function countMatching(
  nc: NatsConnection,
  stream: string,
  filterSubject: string,
  fromSeq: number,
  toSeq: number,
): Promise<{ count: number; exact: boolean }> {
  if (toSeq < fromSeq) return { count: 0, exact: true };
  let above = await pendingFrom(nc, stream, filterSubject, toSeq + 1);
  let count = 0;
  for (let attempt = 0; attempt < COUNT_ATTEMPTS; attempt++) {
    const from = await pendingFrom(nc, stream, filterSubject, fromSeq);
    const again = await pendingFrom(nc, stream, filterSubject, toSeq + 1);
    count = from - again;
    if (again === above) return { count, exact: true };
    above = again;
  }
  // `from` was taken before `again`: what arrived in between is subtracted, never added.
  return { count, exact: false };
}

/** The first sequence stored at or after `timeMs`; the stream's next sequence when none is yet. */
export async function seqAtTime(nc: NatsConnection, stream: string, timeMs: number): Promise<number> {
  const all = streamSubjectFilter(stream) ?? '>';
  const info = await createConsumer(nc, stream, all, { timeMs });
  if (info.num_pending === 0) return (await streamState(nc, stream)).lastSeq + 1;
  const consumer = jetStreamOf(nc).consumers.getConsumerFromInfo(info);
  const messages = await consumer.fetch({ max_messages: 1, expires: FETCH_EXPIRES_MS });
  for await (const m of messages) return m.seq;
  throw new Error(`no message of ${stream} at or after ${new Date(timeMs).toISOString()} arrived`);
}

export async function openScope(nc: NatsConnection, options: ReadScopeOptions): Promise<ReadScope> {
  const { stream, filterSubject, fromMs, untilMs } = options;
  const state = await streamState(nc, stream);
  const headSeq = state.lastSeq;
  const firstSeq = Math.max(1, state.firstSeq);
  const lowSeq = fromMs === null ? firstSeq : Math.max(firstSeq, await seqAtTime(nc, stream, fromMs));
  const highSeq = untilMs === null ? headSeq : Math.min(headSeq, (await seqAtTime(nc, stream, untilMs)) - 1);
  // The whole stream under its own filter is counted by the stream info already taken.
  const whole = filterSubject === streamSubjectFilter(stream) && fromMs === null && untilMs === null;
  const { count, exact } = whole
    ? { count: state.messages, exact: true }
    : await countMatching(nc, stream, filterSubject, lowSeq, highSeq);
  return {
    stream,
    filterSubject,
    headSeq,
    firstSeq,
    lowSeq,
    highSeq,
    matching: count,
    matchingExact: exact,
    streamMessages: state.messages,
  };
}

/**
 * Reads every matching message of [consumer start, toSeq] in order: stops at `toSeq`, at the end of the
 * stream, or when `enough` says so.
 */
async function readUpTo(
  nc: NatsConnection,
  info: ConsumerInfo,
  toSeq: number,
  expected: number,
  take: (m: StreamMessage) => 'more' | 'enough',
  signal?: AbortSignal,
): Promise<void> {
  const consumer = jetStreamOf(nc).consumers.getConsumerFromInfo(info);
  let received = 0;
  for (;;) {
    if (signal?.aborted) return;
    const batch = Math.min(FETCH_MAX, Math.max(1, expected - received));
    const messages = await consumer.fetch({ max_messages: batch, expires: FETCH_EXPIRES_MS });
    let got = 0;
    for await (const m of messages) {
      got += 1;
      received += 1;
      if (m.seq > toSeq) return;
      if (take(toRawMessage(m)) === 'enough' || m.seq >= toSeq || m.info.pending === 0) return;
      if (signal?.aborted) return;
    }
    if (got < batch) return;
  }
}

export interface PageRead<T> {
  /** Newest first: every message of [fromSeq, toSeq] that `select` kept. */
  items: T[];
  /** The interval read, inclusive; empty (fromSeq > toSeq) when there was nothing to read. */
  fromSeq: number;
  toSeq: number;
  /** Messages matching the subject filter that were read and given to `select`. */
  scanned: number;
}

export interface ReadPageOptions<T> {
  stream: string;
  filterSubject: string;
  /** Items wanted. */
  limit: number;
  /** Messages to read at most; a page of a selective filter stops there with fewer items. */
  budget: number;
  /** Whether `select` drops messages: then windows are sized for the budget, not the limit. */
  selective: boolean;
  /** Turns a message into an item, or drops it (undefined). */
  select: (m: StreamMessage) => T | undefined;
  /**
   * Matching messages per sequence, when known (a scope's count over its span): sizes the first window
   * so that a sparse filter does not start by probing a window too small.
   */
  densityHint?: number;
  signal?: AbortSignal;
}

/**
 * How many messages a window should hold for the next step of a page: what is still wanted, divided by
 * the share of messages a selective filter kept so far (a thousand before anything is known).
 */
function windowWant(options: ReadPageOptions<unknown>, items: number, scanned: number): number {
  const left = options.budget - scanned;
  const wanted = options.limit - items;
  if (!options.selective) return Math.max(1, Math.min(left, wanted));
  const guess = items === 0 ? FETCH_MAX : Math.ceil((wanted * 1.25 * scanned) / items);
  return Math.max(1, Math.min(left, FETCH_MAX * 4, Math.max(wanted, guess)));
}

/**
 * The newest `limit` items before `before` (exclusive) down to `lowSeq`. Each step finds a window
 * [lo, hi] holding about as many matching messages as it needs — by the difference of two counts,
 * narrowing or widening by the density seen — and reads only that window, forward, from a consumer that
 * was created for the count anyway. The first page of a million-event stream reads one window.
 */
export async function readOlder<T>(
  nc: NatsConnection,
  options: ReadPageOptions<T> & { before: number; lowSeq: number },
): Promise<PageRead<T>> {
  const { stream, filterSubject, lowSeq, limit, budget, signal } = options;
  const toSeq = options.before - 1;
  const items: T[] = [];
  let scanned = 0;
  let hi = toSeq;
  if (hi < lowSeq) return { items, fromSeq: options.before, toSeq, scanned };
  let fromSeq = hi + 1;
  let above = await pendingFrom(nc, stream, filterSubject, hi + 1);
  // Messages per sequence: 1 for an unfiltered stream; learnt from each count for a filter.
  let density = Math.min(1, Math.max(options.densityHint ?? 1, 1e-9));
  while (items.length < limit && hi >= lowSeq && scanned < budget && !signal?.aborted) {
    const want = windowWant(options, items.length, scanned);
    let lo = Math.max(lowSeq, hi - Math.ceil(want / density) + 1);
    // A lo known to give too few (search lower) and one known to give too many (search higher).
    let tooFew = hi + 1;
    let tooMany = lowSeq - 1;
    let info = await createConsumer(nc, stream, filterSubject, { seq: lo });
    let count = info.num_pending - above;
    for (let probe = 1; probe < MAX_PROBES; probe++) {
      const span = hi - lo + 1;
      let next: number;
      if (count < want && lo > lowSeq) {
        tooFew = lo;
        const seen = Math.max(count, 1) / span;
        // Widen by what the density seen says, at least doubling, never past a bound already tried.
        next = Math.min(hi - Math.ceil((want * 1.25) / seen) + 1, hi - 2 * span + 1);
      } else if (count > want + WINDOW_SLACK && lo < hi) {
        tooMany = lo;
        next = hi - Math.floor((span * want) / count) + 1;
      } else {
        break;
      }
      next = Math.max(next, tooMany + 1, lowSeq);
      next = Math.min(next, tooFew - 1);
      if (next === lo || next <= tooMany || next >= tooFew) break;
      lo = next;
      info = await createConsumer(nc, stream, filterSubject, { seq: lo });
      count = info.num_pending - above;
    }
    const window: StreamMessage[] = [];
    // `count` can only overstate (events arriving between the two counts): zero means the window is empty.
    if (count > 0) {
      await readUpTo(
        nc,
        info,
        hi,
        count,
        (m) => {
          window.push(m);
          return 'more';
        },
        signal,
      );
    }
    let stopped = false;
    for (let i = window.length - 1; i >= 0; i--) {
      const m = window[i]!;
      scanned += 1;
      const item = options.select(m);
      if (item !== undefined) items.push(item);
      if (items.length >= limit || scanned >= budget) {
        fromSeq = m.seq;
        stopped = true;
        break;
      }
    }
    if (stopped || signal?.aborted) break;
    fromSeq = lo;
    density = Math.max(window.length, 1) / (hi - lo + 1);
    above = info.num_pending;
    hi = lo - 1;
  }
  return { items, fromSeq, toSeq, scanned };
}

/** The oldest `limit` items after `after` (exclusive) up to `highSeq`, returned newest first. */
export async function readNewer<T>(
  nc: NatsConnection,
  options: ReadPageOptions<T> & { after: number; highSeq: number },
): Promise<PageRead<T>> {
  const { stream, filterSubject, highSeq, limit, budget, signal } = options;
  const fromSeq = options.after + 1;
  const items: T[] = [];
  let scanned = 0;
  if (highSeq < fromSeq) return { items, fromSeq, toSeq: highSeq, scanned };
  let toSeq = highSeq;
  const info = await createConsumer(nc, stream, filterSubject, { seq: fromSeq });
  if (info.num_pending > 0) {
    await readUpTo(
      nc,
      info,
      highSeq,
      options.selective ? budget : limit,
      (m) => {
        scanned += 1;
        const item = options.select(m);
        if (item !== undefined) items.push(item);
        if (items.length >= limit || scanned >= budget) {
          toSeq = m.seq;
          return 'enough';
        }
        return 'more';
      },
      signal,
    );
  }
  return { items: items.reverse(), fromSeq, toSeq, scanned };
}

/**
 * Every matching message of [fromSeq, toSeq] in order, in batches, for exports: one consumer, pulled as
 * fast as the caller takes the batches. Ends at toSeq, at the end of the stream, or on abort.
 */
export async function* readForward(
  nc: NatsConnection,
  options: { stream: string; filterSubject: string; fromSeq: number; toSeq: number; signal?: AbortSignal },
): AsyncGenerator<StreamMessage[]> {
  const { stream, filterSubject, fromSeq, toSeq, signal } = options;
  if (toSeq < fromSeq || signal?.aborted) return;
  const info = await createConsumer(nc, stream, filterSubject, { seq: fromSeq });
  if (info.num_pending === 0) return;
  const consumer = jetStreamOf(nc).consumers.getConsumerFromInfo(info);
  for (;;) {
    const messages = await consumer.fetch({ max_messages: FETCH_MAX, expires: FETCH_EXPIRES_MS });
    const batch: StreamMessage[] = [];
    let got = 0;
    let done = false;
    for await (const m of messages) {
      got += 1;
      if (m.seq > toSeq) {
        done = true;
        break;
      }
      batch.push(toRawMessage(m));
      if (m.seq >= toSeq || m.info.pending === 0) {
        done = true;
        break;
      }
    }
    if (batch.length > 0) yield batch;
    if (done || got < FETCH_MAX || signal?.aborted) return;
  }
}

function fromStored(m: StoredMsg): StreamMessage {
  const h: MsgHdrs = m.header;
  return {
    subject: m.subject,
    seq: m.seq,
    streamTimestampMs: m.time.getTime(),
    data: m.data,
    header: (name) => (h.has(name) ? h.get(name) : undefined),
    headerEntries: () => h.keys().flatMap((k) => h.values(k).map((v): [string, string] => [k, v])),
  };
}

/**
 * One message by sequence, whole, with exactly the headers it was stored with (a direct get would add
 * its own Nats-* headers). Null when there is no such message.
 */
export async function getMessage(
  nc: NatsConnection,
  stream: string,
  seq: number,
): Promise<StreamMessage | null> {
  const jsm = await manager(nc);
  const stored = await jsm.streams.getMessage(stream, { seq });
  return stored === null ? null : fromStored(stored);
}
