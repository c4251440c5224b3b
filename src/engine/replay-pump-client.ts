/**
 * The engine's side of the replay pump: starts it, turns its packed batches back into messages, and stops it
 * when the caller stops reading. Any failure ends the generator with an error; the caller then reads the rest
 * on its own connection.
 */
import { unpackBatch } from '../nats/packed-batch';
import type { ReplayBatch } from '../nats/replay';
import { Handoff } from '../nats/handoff';
import { startPolicyBoundWorker } from './policy-bound-worker';
import type { FromPump, ToPump } from './replay-pump-protocol';
import replayPumpUrl from './replay-pump.ts?worker&url';

export type PumpRequest = Omit<Extract<ToPump, { type: 'start' }>, 'type'>;

export async function* pumpReplay(request: PumpRequest, signal: AbortSignal): AsyncGenerator<ReplayBatch> {
  const worker = startPolicyBoundWorker(replayPumpUrl, 'replay pump');
  const handoff = new Handoff<Extract<FromPump, { type: 'batch' }>>();
  // Set by the worker callbacks below; typed wide so the reads after an await are not narrowed to null.
  let failure = null as Error | null;
  let done = false;
  worker.onmessage = (event: MessageEvent<FromPump>) => {
    const message = event.data;
    if (message.type === 'batch') handoff.buffer.push(message);
    else if (message.type === 'done') done = true;
    else failure = new Error(`the replay pump stopped: ${message.message}`);
    handoff.notify();
  };
  worker.onerror = (event) => {
    failure = new Error(`the replay pump could not run: ${event.message}`);
    handoff.notify();
  };
  const onAbort = () => handoff.notify();
  signal.addEventListener('abort', onAbort, { once: true });
  const send = (message: ToPump) => worker.postMessage(message);
  send({ type: 'start', ...request });
  try {
    while (!signal.aborted) {
      const next = handoff.buffer.shift();
      if (next === undefined) {
        if (failure) throw failure;
        if (done) return;
        await handoff.next();
        continue;
      }
      yield {
        messages: unpackBatch(next.packed),
        caughtUp: next.caughtUp,
        streamLastSeq: next.streamLastSeq,
      };
      send({ type: 'taken' });
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    send({ type: 'stop' });
    // Give it a moment to close its connection cleanly; terminate regardless.
    setTimeout(() => worker.terminate(), 1000);
  }
}
