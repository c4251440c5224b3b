/**
 * Creating the streams and buckets of docs/architecture.md#jetstream-resources (idempotent, reports
 * differences instead of rewriting them) and checking that they exist before a reader starts.
 */
import {
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { MissingResourceError } from './errors';
import { DEFAULT_THRESHOLD, DEFAULT_THRESHOLD_KEY, thresholdJson } from '../core/thresholds';
import { BUCKETS, STREAMS } from '../core/resources';
import {
  EXPECTED_BUCKETS,
  EXPECTED_OBJECT_STORES,
  EXPECTED_STREAMS,
  kvStreamName,
  objStreamName,
  type ExpectedBucket,
  type ExpectedObjectStore,
  type ExpectedStream,
} from './names';
import { jetStreamManagerOf } from './jetstream-api';
import { kvManagerOf } from './kv-api';
import { objectStoreManagerOf } from './object-store-api';

export interface Drift {
  resource: string;
  field: string;
  expected: string | number | boolean;
  actual: string | number | boolean;
}

export interface ProvisionOptions {
  /**
   * Copies of every stream and bucket (1 to 5; JetStream keeps them on distinct servers of a cluster, so
   * 3 survive the loss of one node). Default 1. When given, an existing resource with another count is
   * reported as drift; when omitted, replicas are not compared, so one setup tool fits any deployment.
   */
  replicas?: number;
}

export interface ProvisionReport {
  created: string[];
  unchanged: string[];
  drift: Drift[];
}

const NANOS_PER_MS = 1_000_000;
/** JetStream's upper bound for num_replicas. */
const MAX_REPLICAS = 5;

/** Stream info, or null when the stream does not exist; other errors (permission, timeout) propagate. */
async function infoOrNull(jsm: JetStreamManager, stream: string): Promise<StreamInfo | null> {
  try {
    return await jsm.streams.info(stream);
  } catch (err) {
    if (isStreamNotFound(err)) return null;
    throw err;
  }
}

function isStreamNotFound(err: unknown): boolean {
  return (
    err instanceof Error && (err.name === 'StreamNotFoundError' || (err as { code?: unknown }).code === 10059)
  );
}

function streamConfig(s: ExpectedStream, replicas: number): Partial<StreamConfig> & { name: string } {
  return {
    name: s.name,
    subjects: [...s.subjects],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: s.discard === 'new' ? DiscardPolicy.New : DiscardPolicy.Old,
    max_msg_size: s.maxMsgSize,
    max_bytes: s.maxBytes,
    max_consumers: s.maxConsumers,
    max_age: s.maxAgeMs * NANOS_PER_MS,
    duplicate_window: s.duplicateWindowMs * NANOS_PER_MS,
    num_replicas: replicas,
    allow_direct: s.allowDirect,
    deny_delete: s.denyDelete,
    deny_purge: s.denyPurge,
  };
}

function streamDrift(s: ExpectedStream, info: StreamInfo, replicas: number | undefined): Drift[] {
  const c = info.config;
  const fields: DriftField[] = [
    ['subjects', [...s.subjects].sort().join(' '), [...(c.subjects ?? [])].sort().join(' ')],
    ['storage', s.storage, c.storage],
    ['retention', s.retention, c.retention],
    ['max_age_ms', s.maxAgeMs, Math.round((c.max_age ?? 0) / NANOS_PER_MS)],
    ['duplicate_window_ms', s.duplicateWindowMs, Math.round((c.duplicate_window ?? 0) / NANOS_PER_MS)],
    ['allow_direct', s.allowDirect, c.allow_direct ?? false],
    ['deny_delete', s.denyDelete, c.deny_delete ?? false],
    ['deny_purge', s.denyPurge, c.deny_purge ?? false],
    // The server reports an unlimited field as -1.
    ['max_msg_size', s.maxMsgSize, c.max_msg_size ?? -1],
    ['max_bytes', s.maxBytes, c.max_bytes ?? -1],
    ['discard', s.discard, c.discard ?? 'old'],
    ['max_consumers', s.maxConsumers, c.max_consumers ?? -1],
    ...replicasField(replicas, info),
  ];
  return fields
    .filter(([, expected, actual]) => expected !== actual)
    .map(([field, expected, actual]) => ({ resource: s.name, field, expected, actual }));
}

type DriftField = [string, string | number | boolean, string | number | boolean];

function replicasField(replicas: number | undefined, info: StreamInfo): DriftField[] {
  return replicas === undefined ? [] : [['num_replicas', replicas, info.config.num_replicas ?? 1]];
}

function bucketDrift(b: ExpectedBucket, info: StreamInfo, replicas: number | undefined): Drift[] {
  const c = info.config;
  const resource = `KV ${b.bucket}`;
  const fields: DriftField[] = [
    ['storage', b.storage, c.storage],
    ['history', b.history, c.max_msgs_per_subject ?? 0],
    // A bucket's value size is its stream's max_msg_size.
    ['max_value_size', b.maxValueSize, c.max_msg_size ?? -1],
    ['max_bytes', b.maxBytes, c.max_bytes ?? -1],
    ...replicasField(replicas, info),
  ];
  return fields
    .filter(([, expected, actual]) => expected !== actual)
    .map(([field, expected, actual]) => ({ resource, field, expected, actual }));
}

function objectStoreDrift(o: ExpectedObjectStore, info: StreamInfo, replicas: number | undefined): Drift[] {
  const c = info.config;
  const resource = `object store ${o.bucket}`;
  const fields: DriftField[] = [
    ['storage', o.storage, c.storage],
    ['max_bytes', o.maxBytes, c.max_bytes ?? -1],
    ...replicasField(replicas, info),
  ];
  return fields
    .filter(([, expected, actual]) => expected !== actual)
    .map(([field, expected, actual]) => ({ resource, field, expected, actual }));
}

/**
 * Creates what is missing, leaves what exists alone and reports where it differs from the expected
 * configuration (changing a live stream is a decision for a person, not for a start-up script).
 * Needs a user allowed to create streams (`admin`).
 */
export async function provision(
  nc: NatsConnection,
  options: ProvisionOptions = {},
): Promise<ProvisionReport> {
  const { replicas } = options;
  if (replicas !== undefined && !(Number.isInteger(replicas) && replicas >= 1 && replicas <= MAX_REPLICAS)) {
    throw new RangeError(`replicas must be a whole number from 1 to ${MAX_REPLICAS}, got ${replicas}`);
  }
  const report: ProvisionReport = { created: [], unchanged: [], drift: [] };
  const jsm = await jetStreamManagerOf(nc, { checkAPI: true });

  for (const s of EXPECTED_STREAMS) {
    const info = await infoOrNull(jsm, s.name);
    if (!info) {
      await jsm.streams.add(streamConfig(s, replicas ?? 1));
      report.created.push(s.name);
      continue;
    }
    const drift = streamDrift(s, info, replicas);
    if (drift.length === 0) report.unchanged.push(s.name);
    report.drift.push(...drift);
  }

  const kvm = kvManagerOf(nc);
  for (const b of EXPECTED_BUCKETS) {
    const resource = `KV ${b.bucket}`;
    const info = await infoOrNull(jsm, kvStreamName(b.bucket));
    if (!info) {
      await kvm.create(b.bucket, {
        history: b.history,
        storage: StorageType.File,
        replicas: replicas ?? 1,
        maxValueSize: b.maxValueSize,
        max_bytes: b.maxBytes,
      });
      report.created.push(resource);
      continue;
    }
    const drift = bucketDrift(b, info, replicas);
    if (drift.length === 0) report.unchanged.push(resource);
    report.drift.push(...drift);
  }

  const objm = objectStoreManagerOf(nc);
  for (const o of EXPECTED_OBJECT_STORES) {
    const resource = `object store ${o.bucket}`;
    const info = await infoOrNull(jsm, objStreamName(o.bucket));
    if (!info) {
      await objm.create(o.bucket, {
        storage: StorageType.File,
        replicas: replicas ?? 1,
        max_bytes: o.maxBytes,
      });
      report.created.push(resource);
      continue;
    }
    const drift = objectStoreDrift(o, info, replicas);
    if (drift.length === 0) report.unchanged.push(resource);
    report.drift.push(...drift);
  }

  const thresholds = await kvm.open(BUCKETS.stockThresholds);
  const defaultResource = `KV ${BUCKETS.stockThresholds}/${DEFAULT_THRESHOLD_KEY}`;
  const existing = await thresholds.get(DEFAULT_THRESHOLD_KEY);
  if (existing && existing.operation === 'PUT') {
    report.unchanged.push(defaultResource);
  } else {
    try {
      // create() refuses when someone wrote the key in the meantime: their value wins.
      await thresholds.create(DEFAULT_THRESHOLD_KEY, thresholdJson(DEFAULT_THRESHOLD));
      report.created.push(defaultResource);
    } catch (err) {
      const again = await thresholds.get(DEFAULT_THRESHOLD_KEY);
      if (!again || again.operation !== 'PUT') throw err;
      report.unchanged.push(defaultResource);
    }
  }
  return report;
}

export type ResourceName = 'warehouse' | 'procurement' | 'stockLevels' | 'stockThresholds';

/**
 * Checks that the resources a reader needs exist, so that a server that was never provisioned gives a
 * clear error instead of a replay that waits forever. Needs only `$JS.API.STREAM.INFO.<stream>`.
 */
export async function checkResources(
  nc: NatsConnection,
  which: readonly ResourceName[] = ['warehouse', 'procurement', 'stockLevels', 'stockThresholds'],
): Promise<void> {
  const jsm = await jetStreamManagerOf(nc);
  const targets: Record<ResourceName, ['stream' | 'KV bucket', string, string]> = {
    warehouse: ['stream', STREAMS.warehouse, STREAMS.warehouse],
    procurement: ['stream', STREAMS.procurement, STREAMS.procurement],
    stockLevels: ['KV bucket', BUCKETS.stockLevels, kvStreamName(BUCKETS.stockLevels)],
    stockThresholds: ['KV bucket', BUCKETS.stockThresholds, kvStreamName(BUCKETS.stockThresholds)],
  };
  for (const key of which) {
    const [kind, name, stream] = targets[key];
    if (!(await infoOrNull(jsm, stream))) throw new MissingResourceError(kind, name);
  }
}
