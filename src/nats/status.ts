/** The connection's state as a stream of changes, for status badges and supervisors. */
import type { NatsConnection, Status } from '@nats-io/nats-core';
import { classifyNatsError } from './errors';

export type ConnectionState = 'connected' | 'reconnecting' | 'disconnected' | 'closed';

export interface ConnectionChange {
  state: ConnectionState;
  atMs: number;
  /** Server address or error text, when there is one. */
  detail?: string;
  /** Closed because the server refused the credential: the person was revoked or their password changed. */
  refused?: boolean;
}

function toChange(s: Status, atMs: number): ConnectionChange | null {
  switch (s.type) {
    case 'disconnect':
      return { state: 'disconnected', atMs, detail: s.server };
    case 'reconnecting':
      return { state: 'reconnecting', atMs };
    case 'reconnect':
      return { state: 'connected', atMs, detail: s.server };
    default:
      // `close` is reported by closed() below, with its reason. Pings, cluster updates, slow consumers
      // and async errors do not change the state.
      return null;
  }
}

/**
 * Yields the current state first, then every change, until the signal aborts or the connection
 * closes (the last change is then `closed`, with the reason when there was one).
 */
export async function* watchConnection(
  nc: NatsConnection,
  signal: AbortSignal,
): AsyncGenerator<ConnectionChange> {
  if (signal.aborted) return;
  const statuses = nc.status() as AsyncIterable<Status> & { stop?: () => void };
  const queue: ConnectionChange[] = [];
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  void (async () => {
    for await (const s of statuses) {
      const change = toChange(s, Date.now());
      if (change) {
        queue.push(change);
        notify();
      }
    }
  })().catch(() => undefined);
  void nc.closed().then((err) => {
    queue.push({
      state: 'closed',
      atMs: Date.now(),
      ...(err instanceof Error ? { detail: err.message } : {}),
      ...(err !== undefined && classifyNatsError(err).kind === 'auth' ? { refused: true } : {}),
    });
    ended = true;
    notify();
  });
  const onAbort = () => notify();
  signal.addEventListener('abort', onAbort, { once: true });

  let last: ConnectionState | null = nc.isClosed() ? 'closed' : 'connected';
  try {
    yield { state: last, atMs: Date.now() };
    while (!signal.aborted && last !== 'closed') {
      const change = queue.shift();
      if (change) {
        // A state is only news when it changes (a reconnect attempt may repeat `reconnecting`).
        if (change.state === last) continue;
        last = change.state;
        yield change;
        continue;
      }
      if (ended) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    statuses.stop?.();
  }
}
