/**
 * Turning nats.js errors into one plain sentence a person can act on, and into a small set of kinds
 * that callers branch on.
 */
import { errors as coreErrors } from '@nats-io/nats-core';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { MAX_PAYLOAD_BYTES } from '../core/events';
import { DASHBOARD_API_PREFIX } from './jetstream-api';
import { STREAMS } from '../core/resources';
import { EXPECTED_BUCKETS, EXPECTED_STREAMS, kvSubjectPrefix } from './names';

/** A stream or bucket that readers expect is missing: provisioning has not run against this server. */
export class MissingResourceError extends Error {
  readonly resource: string;
  constructor(kind: 'stream' | 'KV bucket', name: string) {
    super(`${kind} ${name} does not exist — run \`npm run provision\``);
    this.name = 'MissingResourceError';
    this.resource = name;
  }
}

export type NatsErrorKind =
  'auth' | 'unreachable' | 'permission' | 'no_stream' | 'conflict' | 'timeout' | 'closed' | 'other';

export interface ClassifiedError {
  kind: NatsErrorKind;
  message: string;
  /** The subject a permission was refused for. */
  subject?: string;
  /** For `conflict`: the subject's actual last sequence, when the server said it. */
  actualSeq?: number;
}

/** The error itself and its causes, most specific first is not guaranteed: callers test each. */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  let current: unknown = err;
  while (current !== undefined && current !== null && out.length < 8 && !out.includes(current)) {
    out.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return out;
}

function is<T extends Error>(e: unknown, type: abstract new (...args: never[]) => T, name: string): e is T {
  return e instanceof type || (e instanceof Error && e.name === name);
}

/** For classes the package does not export (the name is all we can test). */
function named(e: unknown, name: string): boolean {
  return e instanceof Error && e.name === name;
}

/** People reach JetStream under the dashboard accounts' import prefix; the subject means the same. */
function withoutImportPrefix(subject: string): string {
  if (!subject.startsWith(`${DASHBOARD_API_PREFIX}.`)) return subject;
  const rest = subject.slice(DASHBOARD_API_PREFIX.length + 1);
  return rest.startsWith('$KV.') ? rest : `$JS.API.${rest}`;
}

/** Describes a refused subject in domain words where we know the subject's meaning. */
export function describeSubject(operation: 'publish' | 'subscription', refused: string): string {
  const subject = withoutImportPrefix(refused);
  const api = /^\$JS\.API\.CONSUMER\.(?:DURABLE\.)?CREATE\.([^.]+)(?:\.([^.]+))?/.exec(subject);
  if (api) {
    return api[2]
      ? `create the consumer "${api[2]}" on stream ${api[1]}`
      : `create a consumer on stream ${api[1]}`;
  }
  const next = /^\$JS\.API\.CONSUMER\.MSG\.NEXT\.([^.]+)\.([^.]+)$/.exec(subject);
  if (next) return `read from the consumer "${next[2]}" of stream ${next[1]}`;
  const streamApi = /^\$JS\.API\.STREAM\.([A-Z]+)\.([^.]+)/.exec(subject);
  if (streamApi) return `${streamApi[1]!.toLowerCase()} stream ${streamApi[2]}`;
  const kv = /^\$KV\.([^.]+)\.(.+)$/.exec(subject);
  if (kv) return `write key "${kv[2]}" of bucket ${kv[1]}`;
  return operation === 'publish' ? `publish to ${refused}` : `subscribe to ${refused}`;
}

/** What the failed request was about, where the caller knows it: the wording can then name the limit. */
export interface ErrorContext {
  /** The subject that was published to (an event's, or a KV key's `$KV.<bucket>.<key>`). */
  subject?: string;
}

/** Server error codes of the limits that refuse a write (nats-server's errors.json). */
const MESSAGE_TOO_LARGE = 10054;
const STREAM_FULL = 10077;
const STORAGE_UNAVAILABLE = 10047;

/** NATS subject matching: `*` is one token, `>` the rest (one token or more). */
function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length || (f[i] !== '*' && f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}

function sizeText(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}

type Target =
  | { kind: 'stream'; name: string; maxMsgSize: number }
  | { kind: 'bucket'; name: string; maxValueSize: number }
  | { kind: 'unknown stream' }
  | { kind: 'unknown' };

function targetOf(subject: string | undefined): Target {
  if (subject === undefined) return { kind: 'unknown' };
  const plain = withoutImportPrefix(subject);
  const bucket = EXPECTED_BUCKETS.find((b) => plain.startsWith(kvSubjectPrefix(b.bucket)));
  if (bucket) return { kind: 'bucket', name: bucket.bucket, maxValueSize: bucket.maxValueSize };
  const stream = EXPECTED_STREAMS.find((st) => st.subjects.some((f) => subjectMatches(f, plain)));
  if (stream) return { kind: 'stream', name: stream.name, maxMsgSize: stream.maxMsgSize };
  return { kind: 'unknown stream' };
}

/** For the limits a stream or bucket puts on a write (docs/security.md). */
function limitRefusal(code: number, subject: string | undefined): string | undefined {
  const target = targetOf(subject);
  const noun = target.kind === 'bucket' ? 'value' : target.kind === 'unknown' ? 'message' : 'event';
  if (code === MESSAGE_TOO_LARGE) {
    let limit: string;
    switch (target.kind) {
      case 'stream':
        // Headers count too, but ours never fill their room: the payload is what a publisher controls.
        limit =
          target.name === STREAMS.warehouse
            ? `the ${sizeText(MAX_PAYLOAD_BYTES)} an event may have`
            : `the ${sizeText(target.maxMsgSize)} stream ${target.name} accepts for one event, headers included`;
        break;
      case 'bucket':
        limit = `the ${sizeText(target.maxValueSize)} a value of bucket ${target.name} may have`;
        break;
      default:
        limit = 'what its stream accepts for one message (max_msg_size)';
    }
    return `The server refused the ${noun}: it is larger than ${limit}.`;
  }
  if (code === STREAM_FULL) {
    const what =
      target.kind === 'bucket'
        ? `bucket ${target.name} is full`
        : target.kind === 'stream'
          ? `stream ${target.name} is full`
          : 'the stream is full';
    return `The server refused the ${noun}: ${what} (its max_bytes limit); nothing was dropped — an operator must raise the limit.`;
  }
  if (code === STORAGE_UNAVAILABLE) {
    return (
      'The server cannot set aside the storage asked for (max_bytes): the server or the account has less ' +
      'room left (jetstream max_file) — free disk space, raise that limit, or lower the max_bytes asked for.'
    );
  }
  return undefined;
}

function isMaxPayloadError(e: unknown): boolean {
  return named(e, 'InvalidArgumentError') && (e as Error).message.includes('max_payload');
}

/** `context` sharpens the wording of limit errors; everything else reads the same without it. */
export function classifyNatsError(err: unknown, context: ErrorContext = {}): ClassifiedError {
  const all = chain(err);
  for (const e of all) {
    if (e instanceof MissingResourceError) return { kind: 'no_stream', message: e.message };
  }
  for (const e of all) {
    if (is(e, coreErrors.PermissionViolationError, 'PermissionViolationError')) {
      return {
        kind: 'permission',
        message: `Permission denied: this user may not ${describeSubject(e.operation, e.subject)}.`,
        subject: e.subject,
      };
    }
  }
  for (const e of all) {
    if (is(e, coreErrors.AuthorizationError, 'AuthorizationError')) {
      return {
        kind: 'auth',
        message:
          'The server refused the sign-in: wrong user or password, or this user may not connect this way ' +
          '(browser roles use the WebSocket port, admin and services the NATS port).',
      };
    }
    if (is(e, coreErrors.UserAuthenticationExpiredError, 'UserAuthenticationExpiredError')) {
      return { kind: 'auth', message: 'The server refused the sign-in: the credentials have expired.' };
    }
  }
  for (const e of all) {
    if (
      named(e, 'StreamNotFoundError') ||
      (e instanceof JetStreamApiError && e.code === JetStreamApiCodes.StreamNotFound)
    ) {
      return { kind: 'no_stream', message: 'The stream does not exist — run `npm run provision`.' };
    }
    if (e instanceof JetStreamApiError) {
      if (e.code === JetStreamApiCodes.StreamWrongLastSequence) {
        const actual = /wrong last sequence: (\d+)/.exec(e.message);
        const actualSeq = actual ? Number(actual[1]) : undefined;
        return {
          kind: 'conflict',
          message:
            actualSeq === undefined
              ? 'The product changed since it was read: reload and try again.'
              : `The product changed since it was read (it is now at sequence ${actualSeq}): reload and try again.`,
          ...(actualSeq === undefined ? {} : { actualSeq }),
        };
      }
      const refusal = limitRefusal(e.code, context.subject);
      if (refusal) return { kind: 'other', message: refusal };
      return { kind: 'other', message: `The server refused the request: ${e.message}.` };
    }
    if (isMaxPayloadError(e)) {
      // nats.js checks the server's max_payload before sending: the server never saw it.
      return {
        kind: 'other',
        message:
          'The message was not sent: it is larger than the server accepts for any message (max_payload).',
      };
    }
    if (named(e, 'JetStreamNotEnabled') || is(e, coreErrors.NoRespondersError, 'NoRespondersError')) {
      return {
        kind: 'no_stream',
        message: 'No stream stores this subject (or JetStream is off) — run `npm run provision`.',
      };
    }
  }
  for (const e of all) {
    if (is(e, coreErrors.TimeoutError, 'TimeoutError')) {
      return { kind: 'timeout', message: 'The NATS server did not answer in time.' };
    }
    if (
      is(e, coreErrors.ClosedConnectionError, 'ClosedConnectionError') ||
      is(e, coreErrors.DrainingConnectionError, 'DrainingConnectionError')
    ) {
      return { kind: 'closed', message: 'The connection to the NATS server is closed.' };
    }
  }
  for (const e of all) {
    if (is(e, coreErrors.ConnectionError, 'ConnectionError') || isSocketError(e)) {
      // A browser WebSocket failure carries no text (and neither does a refused origin); say nothing then.
      const detail = (e instanceof Error ? e.message : String(e)).trim();
      return {
        kind: 'unreachable',
        message: `The NATS server is unreachable${detail ? ` (${detail})` : ''}: is it running, is the address right, and does it allow this page's origin?`,
      };
    }
  }
  const first = all[0];
  const text = first instanceof Error ? first.message : String(first);
  return { kind: 'other', message: text.endsWith('.') ? text : `${text}.` };
}

function isSocketError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|ETIMEDOUT)$/.test(code)
  );
}

/** One plain sentence for a person: what went wrong and, where we know it, what to do. */
export function describeNatsError(err: unknown, context: ErrorContext = {}): string {
  return classifyNatsError(err, context).message;
}

export type SignInErrorKind = 'auth' | 'unreachable' | 'no_stream' | 'other';

/** For a failed connect or start-up check: what a sign-in form shows. */
export function classifySignInError(err: unknown): { kind: SignInErrorKind; message: string } {
  const c = classifyNatsError(err);
  const kind: SignInErrorKind =
    c.kind === 'auth' || c.kind === 'unreachable' || c.kind === 'no_stream' ? c.kind : 'other';
  return { kind, message: c.message };
}
