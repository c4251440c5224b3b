/// <reference lib="webworker" />
/**
 * The replay pump: a second worker with its own connection that only receives the backlog and hands it to the
 * engine in packed batches. The browser's WebSocket stops delivering while the thread that owns it is busy, so
 * when one thread both received and folded, the two took turns; with the pump they overlap (npm run bench,
 * "delivery alone" against "cold replay").
 */
import { connectBrowser } from '../nats/connect-browser';
import { describeNatsError } from '../nats/errors';
import { packBatch } from '../nats/packed-batch';
import { pushReplay } from '../nats/push-replay';
import type { FromPump, ToPump } from './replay-pump-protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: FromPump, transfer: Transferable[] = []) => scope.postMessage(message, transfer);
/** Batches handed over and not yet folded: the pump waits rather than fill the engine's memory. */
const MAX_IN_FLIGHT = 8;

let inFlight = 0;
let wake: (() => void) | null = null;
const abort = new AbortController();

scope.onmessage = (event: MessageEvent<ToPump>) => {
  const message = event.data;
  if (message.type === 'start') void run(message);
  else if (message.type === 'taken') {
    inFlight -= 1;
    wake?.();
  } else if (message.type === 'stop') abort.abort();
};

async function run(request: Extract<ToPump, { type: 'start' }>): Promise<void> {
  let nc;
  try {
    nc = await connectBrowser({
      servers: request.servers,
      user: request.user,
      password: request.password,
      name: 'stockwire-replay-pump',
      maxReconnectAttempts: 0,
    });
  } catch (error) {
    post({ type: 'failed', message: describeNatsError(error) });
    return;
  }
  try {
    for await (const batch of pushReplay(nc, {
      stream: request.stream,
      fromSeq: request.fromSeq,
      signal: abort.signal,
      batchSize: 1000,
      inboxPrefix: request.inboxPrefix,
    })) {
      const last = batch.messages[batch.messages.length - 1];
      const packed = packBatch(
        batch.messages.map((m) => ({
          seq: m.seq,
          streamTimestampMs: m.streamTimestampMs,
          subjectBytes: m.subjectBytes,
          headerBytes: m.headerBytes,
          data: m.data,
        })),
      );
      inFlight += 1;
      post({ type: 'batch', packed, caughtUp: batch.caughtUp, streamLastSeq: batch.streamLastSeq }, [
        packed.buffer,
      ]);
      if (batch.caughtUp || (last !== undefined && last.seq >= request.untilSeq)) break;
      while (inFlight >= MAX_IN_FLIGHT && !abort.signal.aborted) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    }
    post({ type: 'done' });
  } catch (error) {
    if (!abort.signal.aborted) post({ type: 'failed', message: describeNatsError(error) });
  } finally {
    abort.abort();
    await nc.close().catch(() => undefined);
  }
}
