/**
 * Commands waiting to be sent, kept on this device (docs/architecture.md#nothing-typed-is-lost): one record per
 * command, written when it is submitted and each time it is sent, deleted when the server has answered it. One
 * record each rather than one list, so two tabs of the same person never overwrite each other's queue.
 *
 * Records belong to a deployment (its servers, stream and header names) and a person: the next sign-in of that
 * person to that deployment resumes them; nobody else's does.
 */
import type { HeaderNames } from '../core/events';
import { DEVICE_STORES, inDeviceStore } from './device-db';
import type { KeptCommand } from './outbox';

interface KeptRecord {
  readonly owner: string;
  readonly command: KeptCommand;
}

/** Whose commands these are: a person on a deployment. */
export function keptCommandsOwner(
  servers: string | string[],
  stream: string,
  names: HeaderNames,
  user: string,
): string {
  return JSON.stringify([[servers].flat(), stream, names.type, user]);
}

const recordKey = (owner: string, id: string): string => `${owner}|${id}`;

export async function keepCommand(owner: string, command: KeptCommand): Promise<void> {
  const record: KeptRecord = { owner, command };
  await inDeviceStore(DEVICE_STORES.commands, 'readwrite', (store) =>
    store.put(record, recordKey(owner, command.id)),
  );
}

export async function forgetCommand(owner: string, id: string): Promise<void> {
  await inDeviceStore(DEVICE_STORES.commands, 'readwrite', (store) => store.delete(recordKey(owner, id)));
}

/** The owner's kept commands, oldest first; a record that does not check out is skipped, not trusted. */
export async function keptCommands(owner: string): Promise<KeptCommand[]> {
  const records = (await inDeviceStore(DEVICE_STORES.commands, 'readonly', (store) =>
    store.getAll(),
  )) as unknown[];
  return records
    .filter((r): r is KeptRecord => isKeptRecord(r) && r.owner === owner)
    .map((r) => r.command)
    .sort((a, b) => a.timestampMs - b.timestampMs);
}

function isKeptRecord(value: unknown): value is KeptRecord {
  if (typeof value !== 'object' || value === null) return false;
  const { owner, command } = value as Partial<KeptRecord>;
  if (typeof owner !== 'string' || typeof command !== 'object' || command === null) return false;
  const c = command as Partial<KeptCommand>;
  return (
    typeof c.id === 'string' &&
    typeof c.timestampMs === 'number' &&
    typeof c.attempts === 'number' &&
    (c.firstSentMs === null || typeof c.firstSentMs === 'number') &&
    typeof c.command?.warehouse === 'string' &&
    typeof c.command.event?.type === 'string'
  );
}
