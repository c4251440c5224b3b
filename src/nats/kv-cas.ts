/**
 * Compare-and-set on one key of a KV bucket: read a key with its revision, write or delete it only if it is
 * still at that revision. A get-then-put without the check loses writes when two writers meet (a second
 * projector running `--rebuild` beside the first, test/workers/projector.int.test.ts); here the loser is
 * told, re-reads and decides again.
 *
 * Written on JetStream directly (a KV write is a publish to `$KV.<bucket>.<key>` expecting the key's last
 * sequence) because `kv.delete()` does not return the revision it created.
 */
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
import { kvStreamName, kvSubjectPrefix } from './names';
import { jetStreamOf, jetStreamManagerOf } from './jetstream-api';

/** What a key holds: its revision (0 = never written) and value (null = never written, deleted or purged). */
export interface KvSlot {
  revision: number;
  value: Uint8Array | null;
}

export type CasResult = { ok: true; revision: number } | { ok: false; conflict: true };

export interface CasBucket {
  readonly bucket: string;
  get(key: string): Promise<KvSlot>;
  /** Writes when the key is at `expectedRevision` (0: never written). */
  put(key: string, value: Uint8Array | string, expectedRevision: number): Promise<CasResult>;
  /** Leaves a delete marker when the key is at `expectedRevision`. */
  delete(key: string, expectedRevision: number): Promise<CasResult>;
}

const OPERATION_HEADER = 'KV-Operation';
const EMPTY = new Uint8Array(0);

function isConflict(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

export async function openCasBucket(
  nc: NatsConnection,
  bucket: string,
  options: { timeoutMs?: number } = {},
): Promise<CasBucket> {
  const timeout = options.timeoutMs ?? 5000;
  const js = jetStreamOf(nc, { timeout });
  const jsm = await jetStreamManagerOf(nc, { timeout });
  const stream = kvStreamName(bucket);
  const prefix = kvSubjectPrefix(bucket);

  async function publish(
    key: string,
    data: Uint8Array | string,
    expected: number,
    op?: string,
  ): Promise<CasResult> {
    const h = natsHeaders();
    if (op !== undefined) h.set(OPERATION_HEADER, op);
    try {
      const ack = await js.publish(`${prefix}${key}`, data, {
        headers: h,
        timeout,
        expect: { lastSubjectSequence: expected },
      });
      return { ok: true, revision: ack.seq };
    } catch (err) {
      if (isConflict(err)) return { ok: false, conflict: true };
      throw err;
    }
  }

  return {
    bucket,
    async get(key) {
      const sm = await jsm.streams.getMessage(stream, { last_by_subj: `${prefix}${key}` });
      if (sm === null) return { revision: 0, value: null };
      const op = sm.header?.get(OPERATION_HEADER) ?? '';
      return { revision: sm.seq, value: op === 'DEL' || op === 'PURGE' ? null : sm.data };
    },
    put: (key, value, expectedRevision) => publish(key, value, expectedRevision),
    delete: (key, expectedRevision) => publish(key, EMPTY, expectedRevision, 'DEL'),
  };
}
