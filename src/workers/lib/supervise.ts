/**
 * Keeps a worker alive: connects (waiting for a server that is not up yet), runs the worker's cycle, and when the
 * connection attempt or the cycle fails, backs off and starts again (src/lib/restart-loop.ts); a connection
 * closed for good is replaced at once. Only shutdown ends it; the connection is drained on the way out.
 */
import { connectNode } from '../../nats/connect-node';
import type { NatsConnection } from '../../nats/connection';
import { classifyNatsError } from '../../nats/errors';
import { watchConnection } from '../../nats/status';
import { AbortedError } from '../../lib/backoff';
import { startRestartLoop, type RunEnd } from '../../lib/restart-loop';
import type { Logger } from './log';
import type { WorkerTarget } from './options';

export interface SuperviseOptions {
  target: WorkerTarget;
  /** Connection name shown in the server's /connz. */
  name: string;
  signal: AbortSignal;
  log: Logger;
  /** Runs until its signal aborts; a throw is logged and the cycle is run again after a pause. */
  cycle(nc: NatsConnection, signal: AbortSignal): Promise<void>;
  /** Counts failures for the worker's status. */
  onError?(): void;
}

/** A cycle that ran this long before failing starts over with the shortest pause. */
const HEALTHY_RUN_MS = 60_000;

/** One connection and the signal its cycles run under: it aborts on shutdown or when the connection closes. */
interface Link {
  nc: NatsConnection;
  signal: AbortSignal;
  /** Drains what is still open. */
  close(): Promise<void>;
}

/** The connection attempt failed, as opposed to the cycle: it is logged differently. */
class CannotConnect extends Error {
  constructor(readonly reason: unknown) {
    super('cannot connect');
  }
}

export async function supervise(options: SuperviseOptions): Promise<void> {
  const { signal, log } = options;
  let link: Link | null = null;
  const drop = async (gone: Link): Promise<void> => {
    if (link === gone) link = null;
    await gone.close();
  };
  await startRestartLoop({
    signal,
    healthyRunMs: HEALTHY_RUN_MS,
    run: async () => {
      // The connection may have closed during the pause after a failed cycle.
      if (link?.signal.aborted) await drop(link);
      link ??= await open(options);
      const current = link;
      const stopped = await options.cycle(current.nc, current.signal).then(
        () => current.signal.aborted,
        (err: unknown) => {
          if (current.signal.aborted || err instanceof AbortedError) return true;
          throw err;
        },
      );
      // Ended by itself on a live connection: a failure like any other.
      if (!stopped) return;
      // Shutdown or a closed connection stopped it: drain; a new connection is not a retry and owes no pause.
      await drop(current);
      return 'again';
    },
    onPause: (end: RunEnd, delayMs) => {
      options.onError?.();
      if (end.error instanceof CannotConnect) {
        log.error('cannot connect', {
          reason: classifyNatsError(end.error.reason).message,
          retryInMs: delayMs,
        });
      } else {
        const reason = end.threw ? classifyNatsError(end.error).message : 'it ended by itself';
        log.error('cycle failed; starting it again', { reason, retryInMs: delayMs });
      }
    },
  }).done;
  if (link) await drop(link);
}

async function open(options: SuperviseOptions): Promise<Link> {
  const { target, name, signal, log } = options;
  let nc: NatsConnection;
  try {
    nc = await connectNode({
      servers: target.servers,
      user: target.user,
      password: target.password,
      name,
      // Fail the attempt and say why (wrong CA, refused password, nothing listening) instead of waiting
      // silently inside the client: the restart loop retries with backoff anyway.
      waitOnFirstConnect: false,
      maxReconnectAttempts: -1,
      timeoutMs: 5000,
      ...(target.caFile !== undefined ? { tls: { caFile: target.caFile } } : {}),
    });
  } catch (err) {
    throw new CannotConnect(err);
  }
  log.info('connected', { server: nc.getServer(), user: target.user });
  const connection = new AbortController();
  const stop = () => connection.abort();
  signal.addEventListener('abort', stop, { once: true });
  // Shutdown during the connection attempt: the listener above came too late to hear it.
  if (signal.aborted) stop();
  void logConnectionChanges(nc, connection.signal, log);
  void nc.closed().then((err) => {
    if (!signal.aborted) log.warn('connection closed', err ? { reason: classifyNatsError(err).message } : {});
    stop();
  });
  return {
    nc,
    signal: connection.signal,
    close: async () => {
      signal.removeEventListener('abort', stop);
      if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
    },
  };
}

async function logConnectionChanges(nc: NatsConnection, signal: AbortSignal, log: Logger): Promise<void> {
  try {
    for await (const change of watchConnection(nc, signal)) {
      if (change.state === 'disconnected') log.warn('disconnected', { server: change.detail });
      else if (change.state === 'reconnecting') log.warn('reconnecting');
      else if (change.state === 'connected' && change.detail)
        log.info('reconnected', { server: change.detail });
    }
  } catch {
    // Connection state is reported for people only; the worker does not depend on it.
  }
}
