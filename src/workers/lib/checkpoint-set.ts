/**
 * Writes one set of shared checkpoints (docs/architecture.md#checkpoints): each warehouse's first, then the
 * index of the chain's warehouses, then the chain's, so that a chain checkpoint in the store always has its
 * warehouses' beside it. A warehouse's is its `latest`, or at the end of a week the one named by that week.
 */
import { checkpointName, warehouseCheckpointName, weekOf } from '../../core/checkpoint-catalog';
import { decodeCheckpoint, encodeCheckpoint } from '../../core/checkpoint-codec';
import type { CheckpointTag } from '../../core/checkpoint-catalog';
import type { CheckpointSetContent } from '../../core/checkpoint-folds';
import type { TimedFoldStart } from '../../core/timed-fold';
import { LEDGER_SNAPSHOT_VERSION } from '../../core/ledger-snapshot';
import { encodeWarehouseIndex, warehouseIndexName } from '../../core/warehouse-index';
import { readCheckpoint, writeCheckpoint } from '../../nats/checkpoint-store';
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

export type SetRead =
  | { ok: true; chain: TimedFoldStart; warehouses: Map<string, TimedFoldStart> }
  | { ok: false; why: string; name: string };

/**
 * The folds a set was written from, to go on folding: the chain's checkpoint and its warehouses' of the same
 * moment. Refused when one does not read back, is of another moment (a write cut short leaves some ahead), or a
 * warehouse the chain has seen has none: resuming from folds of different moments would mix histories.
 */
export async function readCheckpointSet(
  nc: NatsConnection,
  chain: CheckpointTag,
  beside: readonly CheckpointTag[],
): Promise<SetRead> {
  const chainRead = decodeCheckpoint(await readCheckpoint(nc, chain.name));
  if (!chainRead.ok) return { ok: false, why: chainRead.detail, name: chain.name };
  const warehouses = new Map<string, TimedFoldStart>();
  for (const tag of beside) {
    const read = tag.seq === chain.seq ? decodeCheckpoint(await readCheckpoint(nc, tag.name)) : null;
    if (!read?.ok || read.ledger.lastSeq !== chain.seq) {
      return { ok: false, why: `not of the chain's moment #${chain.seq}`, name: tag.name };
    }
    warehouses.set(tag.warehouse as string, read);
  }
  const missing = [...chainRead.ledger.stock.subjectSeqs.keys()].filter((w) => !warehouses.has(w));
  if (missing.length > 0) {
    return {
      ok: false,
      why: `no checkpoint of warehouses ${missing.slice(0, 10).join(', ')}`,
      name: chain.name,
    };
  }
  return { ok: true, chain: chainRead, warehouses };
}
