/**
 * Where the Node workers report how they are doing, for the procurement page: one key per worker in a KV bucket,
 * rewritten every couple of seconds. A KV value (not a core subject) so a page that opens gets the latest status
 * at once, and can tell a stopped worker by an old `updatedMs`.
 *
 * The bucket is created by provisioning and readable by the browser roles
 * (docs/security.md#3-roles-and-people; the imports are in nats-server.conf); until then a worker runs
 * without it and says so once in its log.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { classifyNatsError, type NatsErrorKind } from './errors';
import { kvSubjectPrefix, WORKER_STATUS_BUCKET } from './names';
import { jetStreamOf } from './jetstream-api';

export const PROJECTOR_STATUS_KEY = 'projector';
export const NOTIFIER_STATUS_KEY = 'notifier';
/** A status older than this (ms) means the worker is stopped or cut off. */
export const WORKER_STATUS_STALE_MS = 10_000;

export interface ProjectorStatus {
  worker: 'projector';
  /** Highest stream sequence whose effect is in `stock_levels`. */
  lastAppliedSeq: number;
  /** Events in WAREHOUSE_EVENTS after lastAppliedSeq. */
  lagEvents: number;
  /** Events folded per second over the last few seconds. */
  eventsPerSecond: number;
  /** Failed attempts (NATS errors, refused writes) since start; each one was retried. */
  errors: number;
  /** Malformed events in the stream up to lastAppliedSeq (acknowledged and skipped). */
  malformed: number;
  /** Repeated event ids skipped up to lastAppliedSeq. */
  duplicates: number;
  /** Keys in stock_levels as the projector sees them. */
  keys: number;
  phase: 'starting' | 'catching-up' | 'live';
  startedMs: number;
  updatedMs: number;
}

export interface NotifierStatus {
  worker: 'notifier';
  /** Keys of stock_levels with a value. */
  keys: number;
  /** Of those, keys below their threshold now. */
  below: number;
  /** stock.low events published since start. */
  alerts: number;
  errors: number;
  /** Unreadable stock_levels or stock_thresholds values. */
  malformed: number;
  lastLevelRevision: number;
  lastThresholdRevision: number;
  phase: 'starting' | 'live';
  startedMs: number;
  updatedMs: number;
}

export type WorkerStatus = ProjectorStatus | NotifierStatus;

export type StatusWriteResult = { ok: true } | { ok: false; kind: NatsErrorKind; message: string };

/** Writes a worker's status (last value wins; no compare-and-set: one writer per key). */
export async function putWorkerStatus(
  nc: NatsConnection,
  key: string,
  status: WorkerStatus,
  options: { timeoutMs?: number } = {},
): Promise<StatusWriteResult> {
  const timeout = options.timeoutMs ?? 2000;
  const subject = `${kvSubjectPrefix(WORKER_STATUS_BUCKET)}${key}`;
  try {
    await jetStreamOf(nc, { timeout }).publish(subject, JSON.stringify(status), { timeout });
    return { ok: true };
  } catch (err) {
    const c = classifyNatsError(err, { subject });
    return { ok: false, kind: c.kind, message: c.message };
  }
}
