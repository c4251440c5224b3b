/**
 * The configuration provisioning expects the JetStream resources to have
 * (docs/architecture.md#jetstream-resources), and the NATS subjects and names derived from them. The resources'
 * names are in core/resources.ts.
 */
import { ALL_PROCUREMENT_SUBJECTS, ALL_STOCK_SUBJECTS, MAX_PAYLOAD_BYTES } from '../core/events';
import { BUCKETS, OBJECT_STORES, STREAMS } from '../core/resources';

/**
 * The projector's durable consumer. The server denies this name (and `notifier`, which the notifier keeps
 * free although it holds no durable) to every other user: nats-server.conf.
 */
export const PROJECTOR_DURABLE = 'projector';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/**
 * The server counts headers in max_msg_size, not only the payload. An event's five headers (codec.ts) with
 * ids of the 200 characters a publisher allows, a short prefix such as `myorg` and a publish's expectation
 * header come to about 600 bytes.
 */
export const EVENT_HEADER_ROOM = 1 * KiB;

/** The stream that backs a KV bucket. */
export function kvStreamName(bucket: string): string {
  return `KV_${bucket}`;
}

/** The stream that backs an object store. */
export function objStreamName(bucket: string): string {
  return `OBJ_${bucket}`;
}

/** Subject prefix of an object store's chunks and metadata. */
export function objSubjectPrefix(bucket: string): string {
  return `$O.${bucket}.`;
}

/** Subject prefix of a bucket's keys. */
export function kvSubjectPrefix(bucket: string): string {
  return `$KV.${bucket}.`;
}

/** Each user subscribes only to its own inbox tree (nats-server.conf `_INBOX_<user>.>`). */
export function inboxPrefixFor(user: string): string {
  return `_INBOX_${user}`;
}

/**
 * A person's inbox tree. Push consumers deliver into the account that holds the streams, which exports only
 * `_INBOX_dash.>` to the dashboard account: the workers' own replies never cross over (docs/security.md).
 */
export function personInboxPrefix(user: string): string {
  return `_INBOX_dash.${user}`;
}

export interface ExpectedStream {
  name: string;
  subjects: string[];
  storage: 'file';
  retention: 'limits';
  /** 0 = kept forever. */
  maxAgeMs: number;
  duplicateWindowMs: number;
  /** Lets readers fetch the last event of one subject (`$JS.API.DIRECT.GET`), e.g. for optimistic concurrency. */
  allowDirect: boolean;
  /** Events are never edited (docs/architecture.md#events): no message deletes, no purges. */
  denyDelete: boolean;
  denyPurge: boolean;
  /** Largest message the server stores, headers included (`max_msg_size`); larger ones are refused. */
  maxMsgSize: number;
  /** Size the stream may reach on disk (`max_bytes`); the server reserves it when the stream is created. */
  maxBytes: number;
  /** What a full stream does: `new` refuses the publish, `old` drops the oldest messages to make room. */
  discard: 'new' | 'old';
  maxConsumers: number;
}

export interface ExpectedBucket {
  bucket: string;
  storage: 'file';
  history: number;
  /** Largest value (with its headers) a write may carry; the bucket's `max_msg_size`. */
  maxValueSize: number;
  /** Size the bucket may reach; a full bucket refuses writes (buckets always discard new). */
  maxBytes: number;
}

export const EXPECTED_STREAMS: readonly ExpectedStream[] = [
  {
    name: STREAMS.warehouse,
    subjects: [ALL_STOCK_SUBJECTS],
    storage: 'file',
    retention: 'limits',
    maxAgeMs: 0,
    duplicateWindowMs: 2 * MINUTE_MS,
    allowDirect: true,
    denyDelete: true,
    denyPurge: true,
    // Readers call a larger payload malformed, so the server need not store one: it refuses it at the door.
    maxMsgSize: MAX_PAYLOAD_BYTES + EVENT_HEADER_ROOM,
    // Kept forever, so only a size bound keeps one runaway publisher from filling the disk: some 20 million
    // events of a few hundred bytes. The server reserves it up front against the account's and the server's
    // max_file (docs/security.md), so it is sized to fit a modest disk; raise it deliberately with the disk.
    maxBytes: 8 * GiB,
    // Full means refuse new events loudly: `old` would silently drop the history every view is folded from.
    discard: 'new',
    // 50 and more dashboards with a few consumers each, plus the workers; bounds a consumer flood.
    maxConsumers: 1000,
  },
  {
    name: STREAMS.procurement,
    subjects: [ALL_PROCUREMENT_SUBJECTS],
    storage: 'file',
    retention: 'limits',
    maxAgeMs: 30 * DAY_MS,
    duplicateWindowMs: 2 * MINUTE_MS,
    allowDirect: true,
    denyDelete: false,
    denyPurge: false,
    // A stock.low payload is a few hundred bytes (tokens of at most 64 characters); the rest is headers.
    maxMsgSize: 4 * KiB,
    maxBytes: 256 * MiB,
    // A 30-day alerts feed that max_age already bounds: dropping its oldest alerts loses nothing of record.
    discard: 'old',
    maxConsumers: 1000,
  },
];

export const EXPECTED_BUCKETS: readonly ExpectedBucket[] = [
  {
    bucket: BUCKETS.stockLevels,
    storage: 'file',
    history: 1,
    // A level is a JSON object of two 64-character tokens and three numbers, about 200 bytes.
    maxValueSize: 1 * KiB,
    // One key per product and warehouse, about 300 bytes stored each: room for some 800,000.
    maxBytes: 256 * MiB,
  },
  {
    bucket: BUCKETS.stockThresholds,
    storage: 'file',
    history: 1,
    // `{"threshold":n}`: anything near this limit is not a threshold.
    maxValueSize: 1 * KiB,
    // One key per product plus the default; bounds what a procurement user may write.
    maxBytes: 64 * MiB,
  },
  {
    bucket: BUCKETS.workerStatus,
    storage: 'file',
    history: 1,
    // A worker's status is a flat JSON object of counters, well under 1 KiB.
    maxValueSize: 4 * KiB,
    // One key per worker: a handful of values, with room for tombstones.
    maxBytes: 16 * MiB,
  },
];

export interface ExpectedObjectStore {
  bucket: string;
  storage: 'file';
  /** Size the store may reach; a full store refuses new objects (object stores discard new). */
  maxBytes: number;
}

export const EXPECTED_OBJECT_STORES: readonly ExpectedObjectStore[] = [
  {
    bucket: OBJECT_STORES.checkpoints,
    storage: 'file',
    // The checkpointer keeps three recent checkpoints and one a day for a week, each a gzipped fold of some
    // megabytes: room for ten times that, and a bound on what a runaway writer can take.
    maxBytes: 1 * GiB,
  },
];

/** A filter equal to a stream's own subjects, so every consumer create names its filter (see the conf). */
export function streamSubjectFilter(stream: string): string | undefined {
  const known = EXPECTED_STREAMS.find((s) => s.name === stream);
  if (known && known.subjects.length === 1) return known.subjects[0];
  const bucket = stream.startsWith('KV_') ? stream.slice(3) : undefined;
  return bucket ? `${kvSubjectPrefix(bucket)}>` : undefined;
}
