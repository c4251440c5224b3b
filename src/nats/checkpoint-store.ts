/**
 * The object store of shared checkpoints (docs/architecture.md#checkpoints): the checkpointer writes and
 * prunes, browsers list and read. Objects are gzip-compressed (the platform's CompressionStream, in Node and
 * in the browser alike); the store checks each object's SHA-256 digest on read, and gzip its CRC, so a
 * damaged object is refused rather than decoded.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { Base64UrlPaddedCodec, type ObjectStore } from '@nats-io/obj';
import { checkpointMetadata, parseCheckpointTag, type CheckpointTag } from '../core/checkpoint-catalog';
import { jetStreamManagerOf } from './jetstream-api';
import { objectStoreManagerOf } from './object-store-api';
import { OBJECT_STORES } from '../core/resources';
import { objStreamName, objSubjectPrefix } from './names';

export interface CheckpointListing {
  /** False when the bucket does not exist (never provisioned): there is nothing to start from. */
  bucket: boolean;
  tags: CheckpointTag[];
  /** Objects whose metadata is not a checkpoint's tag. */
  untagged: number;
}

/** Timeout of each request; a checkpoint of a few MB is read in chunks of 128 KiB. */
const TIMEOUT_MS = 10_000;

async function openStore(nc: NatsConnection): Promise<ObjectStore | null> {
  try {
    return await objectStoreManagerOf(nc, { timeout: TIMEOUT_MS }).open(OBJECT_STORES.checkpoints);
  } catch (error) {
    if (error instanceof Error && /not found/i.test(error.message)) return null;
    throw error;
  }
}

export async function listCheckpoints(nc: NatsConnection): Promise<CheckpointListing> {
  const store = await openStore(nc);
  if (!store) return { bucket: false, tags: [], untagged: 0 };
  const tags: CheckpointTag[] = [];
  let untagged = 0;
  for (const info of await store.list()) {
    if (info.deleted) continue;
    const tag = parseCheckpointTag(info.name, info.metadata);
    if (tag) tags.push(tag);
    else untagged++;
  }
  return { bucket: true, tags, untagged };
}

/**
 * One checkpoint's tag, found by name without listing the store; null when there is no such object or it is not
 * a checkpoint.
 */
export async function findCheckpoint(nc: NatsConnection, name: string): Promise<CheckpointTag | null> {
  const store = await openStore(nc);
  const info = store ? await store.info(name) : null;
  return info && !info.deleted ? parseCheckpointTag(info.name, info.metadata) : null;
}

/** The checkpoint's bytes, uncompressed; throws when it is gone, damaged or cannot be read. */
export async function readCheckpoint(nc: NatsConnection, name: string): Promise<Uint8Array> {
  const store = await openStore(nc);
  if (!store) throw new Error(`object store ${OBJECT_STORES.checkpoints} does not exist`);
  const compressed = await store.getBlob(name);
  if (compressed === null) throw new Error(`checkpoint ${name} is gone`);
  return gunzip(compressed);
}

/** Writes one checkpoint; returns its compressed size. Needs a writer (`services`, `admin`). */
export async function writeCheckpoint(
  nc: NatsConnection,
  tag: CheckpointTag,
  bytes: Uint8Array,
): Promise<{ compressedBytes: number }> {
  const store = await openStore(nc);
  if (!store)
    throw new Error(`object store ${OBJECT_STORES.checkpoints} does not exist: run npm run provision`);
  const compressed = await gzip(bytes);
  const { name, ...rest } = tag;
  await store.putBlob({ name, metadata: checkpointMetadata(rest) }, compressed);
  return { compressedBytes: compressed.length };
}

/**
 * Deletes a checkpoint, tombstone included: the store marks a deleted object with a metadata message that
 * every listing would read forever, one per checkpoint ever written, so that message is purged too.
 */
export async function deleteCheckpoint(nc: NatsConnection, name: string): Promise<void> {
  const store = await openStore(nc);
  if (!store) return;
  await store.delete(name);
  const jsm = await jetStreamManagerOf(nc, { timeout: TIMEOUT_MS });
  await jsm.streams.purge(objStreamName(OBJECT_STORES.checkpoints), {
    filter: `${objSubjectPrefix(OBJECT_STORES.checkpoints)}M.${Base64UrlPaddedCodec.encode(name)}`,
  });
}

export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  return through(bytes, new CompressionStream('gzip'));
}

export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  return through(bytes, new DecompressionStream('gzip'));
}

async function through(
  bytes: Uint8Array,
  transform: CompressionStream | DecompressionStream,
): Promise<Uint8Array> {
  const out = new Blob([bytes as BlobPart]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(out).arrayBuffer());
}
