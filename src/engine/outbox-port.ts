/**
 * The outbox's view of the world in the engine: publishing over the page's connection with the command's
 * own id and time, the last sequence stored on a subject, and the ledger the replay folds.
 */
import { sleep } from '../lib/backoff';
import type { HeaderNames } from '../core/events';
import { publishStockEvent } from '../nats/publish';
import { lastSeqOnSubject } from '../nats/replay';
import { STREAMS } from '../core/resources';
import { EXPECTED_STREAMS } from '../nats/names';
import type { NatsConnection } from '../nats/connection';
import type { OutboxPort } from './outbox';

export function natsOutboxPort(
  nc: NatsConnection,
  names: HeaderNames,
  /** The person signed in: every event they record says so (docs/architecture.md#who-did-it). */
  user: string,
  replayed: OutboxPort['replayed'],
  device: Pick<OutboxPort, 'keep' | 'forget'>,
): OutboxPort {
  return {
    ...device,
    send: (entry) =>
      publishStockEvent(nc, entry.command.warehouse, entry.command.event, {
        id: entry.id,
        timestampMs: entry.timestampMs,
        expectedLastSubjectSeq: entry.command.expectedLastSubjectSeq,
        names,
        user,
      }),
    lastStoredSeq: (subject) => lastSeqOnSubject(nc, STREAMS.warehouse, subject),
    replayed,
    now: () => Date.now(),
    sleep,
    newId: () => crypto.randomUUID(),
  };
}

/** How long the server remembers an event id of the warehouse stream (names.ts). */
export const WAREHOUSE_DUPLICATE_WINDOW_MS =
  EXPECTED_STREAMS.find((s) => s.name === STREAMS.warehouse)?.duplicateWindowMs ?? 0;
