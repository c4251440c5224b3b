/**
 * Writes one set of shared checkpoints (docs/architecture.md#checkpoints): each warehouse's first, then the
 * index of the chain's warehouses, then the chain's, so that a chain checkpoint in the store always has its
 * warehouses' beside it. A warehouse's is its `latest`, or at the end of a week the one named by that week.
 */
import { checkpointName, warehouseCheckpointName, weekOf } from '../../core/checkpoint-catalog';
import { encodeCheckpoint } from '../../core/checkpoint-codec';
import type { CheckpointSetContent } from '../../core/checkpoint-folds';
import { LEDGER_SNAPSHOT_VERSION } from '../../core/ledger-snapshot';
import { encodeWarehouseIndex, warehouseIndexName } from '../../core/warehouse-index';
import { writeCheckpoint } from '../../nats/checkpoint-store';
import type { NatsConnection } from '../../nats/connection';

export interface SetWritten {
  /** Null when the chain's was not due (written already at this sequence). */
  chain: { name: string; bytes: number; compressedBytes: number; encodeMs: number; writeMs: number } | null;
  warehouses: number;
  warehouseBytes: number;
  warehousesMs: number;
}

export async function writeCheckpointSet(
  nc: NatsConnection,
  set: CheckpointSetContent,
  options: { streamCreated: string; weekEnd: boolean; withChain: boolean; now: () => number },
): Promise<SetWritten> {
  const { streamCreated, now } = options;
  const finite = (ms: number) => (Number.isFinite(ms) ? ms : 0);
  const week = weekOf(set.maxEventMs);
  const which = options.weekEnd && Number.isFinite(week) ? week : 'latest';
  const t0 = now();
  let warehouseBytes = 0;
  for (const [warehouse, content] of set.warehouses) {
    const { compressedBytes } = await writeCheckpoint(
      nc,
      {
        name: warehouseCheckpointName(warehouse, LEDGER_SNAPSHOT_VERSION, which),
        seq: set.seq,
        viewsVersion: LEDGER_SNAPSHOT_VERSION,
        streamCreated,
        maxEventMs: finite(content.maxEventMs),
        warehouse,
      },
      encodeCheckpoint(content),
    );
    warehouseBytes += compressedBytes;
  }
  await writeCheckpoint(
    nc,
    {
      name: warehouseIndexName(LEDGER_SNAPSHOT_VERSION),
      seq: set.seq,
      viewsVersion: LEDGER_SNAPSHOT_VERSION,
      streamCreated,
      maxEventMs: finite(set.maxEventMs),
    },
    encodeWarehouseIndex(set.names),
  );
  const warehousesMs = now() - t0;
  const written = { warehouses: set.warehouses.length, warehouseBytes, warehousesMs };
  if (!options.withChain) return { chain: null, ...written };
  const t1 = now();
  const bytes = encodeCheckpoint(set.chain);
  const encodeMs = now() - t1;
  const name = checkpointName(LEDGER_SNAPSHOT_VERSION, set.seq);
  const { compressedBytes } = await writeCheckpoint(
    nc,
    {
      name,
      seq: set.seq,
      viewsVersion: LEDGER_SNAPSHOT_VERSION,
      streamCreated,
      maxEventMs: finite(set.maxEventMs),
    },
    bytes,
  );
  return {
    chain: { name, bytes: bytes.length, compressedBytes, encodeMs, writeMs: now() - t1 - encodeMs },
    ...written,
  };
}
