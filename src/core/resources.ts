/**
 * The names of the JetStream streams and KV buckets (docs/architecture.md#jetstream-resources), for every
 * program that reads or writes them and every page that mentions them. How each is configured is NATS's
 * business and lives in src/nats/names.ts; nats-server.conf grants permissions by these names, so rename both
 * together.
 */

export const STREAMS = {
  /** The stock events, kept forever: every view is a fold of this stream. */
  warehouse: 'WAREHOUSE_EVENTS',
  /** The notifier's `stock.low` alerts. */
  procurement: 'PROCUREMENT_EVENTS',
} as const;

export const BUCKETS = {
  /** The projector's fold: one product's total per `<warehouse>.<product>` key. */
  stockLevels: 'stock_levels',
  /** Low-stock thresholds per `<warehouse>.<product>` key, and the `default` one. */
  stockThresholds: 'stock_thresholds',
  /** One key per Node worker with its latest status (core/worker-status.ts). */
  workerStatus: 'worker_status',
} as const;

export const OBJECT_STORES = {
  /** Shared checkpoints of the warehouse fold, written by the checkpointer (docs/architecture.md#checkpoints). */
  checkpoints: 'checkpoints',
} as const;
