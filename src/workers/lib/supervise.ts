/**
 * Keeps a worker alive: connects (waiting for a server that is not up yet), runs the worker's cycle, and when the
 * cycle fails or the connection is lost for good, backs off and starts again. Only shutdown ends it; the
 * connection is drained on the way out.
 */
import { connectNode } from '../../nats/connect-node';
import type { NatsConnection } from '../../nats/connection';
import { classifyNatsError } from '../../nats/errors';
import { watchConnection } from '../../nats/status';
import { AbortedError, backoffDelay, sleep } from '../../lib/backoff';
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

export async function supervise(options: SuperviseOptions): Promise<void> {
  const { target, name, signal, log } = options;
  let attempt = 0;
  while (!signal.aborted) {
    let nc: NatsConnection;
    try {
      nc = await connectNode({
        servers: target.servers,
        user: target.user,
        password: target.password,
        name,
        // Fail the attempt and say why (wrong CA, refused password, nothing listening) instead of waiting
        // silently inside the client: the loop below retries with backoff anyway.
        waitOnFirstConnect: false,
        maxReconnectAttempts: -1,
        timeoutMs: 5000,
        ...(target.caFile !== undefined ? { tls: { caFile: target.caFile } } : {}),
      });
    } catch (err) {
      options.onError?.();
      const delay = backoffDelay(attempt++);
      log.error('cannot connect', { reason: classifyNatsError(err).message, retryInMs: delay });
      await sleep(delay, signal);
      continue;
    }
    log.info('connected', { server: nc.getServer(), user: target.user });
    const connection = new AbortController();
    const stop = () => connection.abort();
    signal.addEventListener('abort', stop, { once: true });
    void logConnectionChanges(nc, connection.signal, log);
    void nc.closed().then((err) => {
      if (!signal.aborted)
        log.warn('connection closed', err ? { reason: classifyNatsError(err).message } : {});
      stop();
    });

    while (!connection.signal.aborted) {
      const started = Date.now();
      let reason: string;
      try {
        await options.cycle(nc, connection.signal);
        reason = 'it ended by itself';
      } catch (err) {
        reason = classifyNatsError(err).message;
        if (err instanceof AbortedError) break;
      }
      if (connection.signal.aborted) break;
      options.onError?.();
      if (Date.now() - started > HEALTHY_RUN_MS) attempt = 0;
      const delay = backoffDelay(attempt++);
      log.error('cycle failed; starting it again', { reason, retryInMs: delay });
      await sleep(delay, connection.signal);
    }
    signal.removeEventListener('abort', stop);
    if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
  }
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
