/**
 * Names of the JetStream resources (ARCHITECTURE §2) and the configuration provisioning expects them to
 * have. nats-server.conf grants permissions by these names: rename both together.
 */

export const WAREHOUSE_STREAM = 'WAREHOUSE_EVENTS';
export const PROCUREMENT_STREAM = 'PROCUREMENT_EVENTS';
export const STOCK_LEVELS_BUCKET = 'stock_levels';
export const STOCK_THRESHOLDS_BUCKET = 'stock_thresholds';
/** One key per Node worker with its latest status (see worker-status.ts). */
export const WORKER_STATUS_BUCKET = 'worker_status';

export const STREAMS = { warehouse: WAREHOUSE_STREAM, procurement: PROCUREMENT_STREAM } as const;
export const BUCKETS = {
  stockLevels: STOCK_LEVELS_BUCKET,
  stockThresholds: STOCK_THRESHOLDS_BUCKET,
  workerStatus: WORKER_STATUS_BUCKET,
} as const;

/** Durable consumer names reserved for the Node workers (denied to every other user by the server). */
export const PROJECTOR_DURABLE = 'projector';
export const NOTIFIER_DURABLE = 'notifier';

export const DEFAULT_THRESHOLD_KEY = 'default';
export const DEFAULT_THRESHOLD = 10;

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** The stream that backs a KV bucket. */
export function kvStreamName(bucket: string): string {
  return `KV_${bucket}`;
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
  /** Events are never edited (ARCHITECTURE §1): no message deletes, no purges. */
  denyDelete: boolean;
  denyPurge: boolean;
}

export interface ExpectedBucket {
  bucket: string;
  storage: 'file';
  history: number;
}

export const EXPECTED_STREAMS: readonly ExpectedStream[] = [
  {
    name: WAREHOUSE_STREAM,
    subjects: ['warehouse.*.product.>'],
    storage: 'file',
    retention: 'limits',
    maxAgeMs: 0,
    duplicateWindowMs: 2 * MINUTE_MS,
    allowDirect: true,
    denyDelete: true,
    denyPurge: true,
  },
  {
    name: PROCUREMENT_STREAM,
    subjects: ['procurement.*.product.>'],
    storage: 'file',
    retention: 'limits',
    maxAgeMs: 30 * DAY_MS,
    duplicateWindowMs: 2 * MINUTE_MS,
    allowDirect: true,
    denyDelete: false,
    denyPurge: false,
  },
];

export const EXPECTED_BUCKETS: readonly ExpectedBucket[] = [
  { bucket: STOCK_LEVELS_BUCKET, storage: 'file', history: 1 },
  { bucket: STOCK_THRESHOLDS_BUCKET, storage: 'file', history: 1 },
  { bucket: WORKER_STATUS_BUCKET, storage: 'file', history: 1 },
];

/** A filter equal to a stream's own subjects, so every consumer create names its filter (see the conf). */
export function streamSubjectFilter(stream: string): string | undefined {
  const known = EXPECTED_STREAMS.find((s) => s.name === stream);
  if (known && known.subjects.length === 1) return known.subjects[0];
  const bucket = stream.startsWith('KV_') ? stream.slice(3) : undefined;
  return bucket ? `${kvSubjectPrefix(bucket)}>` : undefined;
}
