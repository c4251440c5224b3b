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
import { BUCKETS } from '../core/resources';
import { kvSubjectPrefix } from './names';
import { jetStreamOf } from './jetstream-api';
import type { WorkerStatus } from '../core/worker-status';

export type StatusWriteResult = { ok: true } | { ok: false; kind: NatsErrorKind; message: string };

/** Writes a worker's status (last value wins; no compare-and-set: one writer per key). */
export async function putWorkerStatus(
  nc: NatsConnection,
  key: string,
  status: WorkerStatus,
  options: { timeoutMs?: number } = {},
): Promise<StatusWriteResult> {
  const timeout = options.timeoutMs ?? 2000;
  const subject = `${kvSubjectPrefix(BUCKETS.workerStatus)}${key}`;
  try {
    await jetStreamOf(nc, { timeout }).publish(subject, JSON.stringify(status), { timeout });
    return { ok: true };
  } catch (err) {
    const c = classifyNatsError(err, { subject });
    return { ok: false, kind: c.kind, message: c.message };
  }
}
