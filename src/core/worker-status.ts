/**
 * What the Node workers report about themselves into the `worker_status` bucket, and how a reader tells a
 * report from anything else under the key. The writing is in src/nats/worker-status.ts; the procurement page
 * reads it through the engine (docs/architecture.md#projector).
 */

export const PROJECTOR_STATUS_KEY = 'projector';
export const NOTIFIER_STATUS_KEY = 'notifier';
export const CHECKPOINTER_STATUS_KEY = 'checkpointer';
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

export interface CheckpointerStatus {
  worker: 'checkpointer';
  /** Highest stream sequence folded. */
  foldedSeq: number;
  lagEvents: number;
  eventsPerSecond: number;
  /** The newest checkpoint written: its sequence, its size gzipped, and when (0 when none yet). */
  lastCheckpointSeq: number;
  lastCheckpointBytes: number;
  lastCheckpointMs: number;
  /** Checkpoints written since start. */
  written: number;
  errors: number;
  phase: 'starting' | 'catching-up' | 'live';
  startedMs: number;
  updatedMs: number;
}

export type WorkerStatus = ProjectorStatus | NotifierStatus | CheckpointerStatus;

/** A value read from the bucket is only trusted as `T` when it names the worker and says when it was written. */
export function isWorkerStatus<T extends WorkerStatus>(value: unknown, worker: T['worker']): value is T {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { worker?: unknown }).worker === worker &&
    typeof (value as { updatedMs?: unknown }).updatedMs === 'number'
  );
}
