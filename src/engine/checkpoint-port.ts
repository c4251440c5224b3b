/**
 * The shared checkpoints as the engine reads them (docs/architecture.md#checkpoints): the NATS side of the
 * warehouse follower's start, given to it as functions so that its tests need no server.
 */
import type { CheckpointTag } from '../core/checkpoint-catalog';
import { findCheckpoint, listCheckpoints, readCheckpoint } from '../nats/checkpoint-store';
import type { NatsConnection } from '../nats/connect-browser';

export interface SharedCheckpoints {
  /** The checkpoints in the store; none when it does not exist. Throws when the server cannot be asked. */
  list(): Promise<CheckpointTag[]>;
  /** One checkpoint's tag by name (a warehouse's are not listed); null when there is none. */
  find(name: string): Promise<CheckpointTag | null>;
  /** One checkpoint's bytes, uncompressed; throws when it is gone, damaged or unreadable. */
  read(name: string): Promise<Uint8Array>;
}

export function natsCheckpointPort(nc: NatsConnection): SharedCheckpoints {
  return {
    list: async () => (await listCheckpoints(nc)).tags,
    find: (name) => findCheckpoint(nc, name),
    read: (name) => readCheckpoint(nc, name),
  };
}
