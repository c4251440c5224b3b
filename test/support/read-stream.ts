/** Every message of a stream from sequence 1 to the end it has now, for audits after a chaos run. */
import type { NatsConnection } from '../../src/nats/connection';
import type { StreamMessage } from '../../src/nats/raw-message';
import { replayStream, streamState } from '../../src/nats/replay';

export async function readWholeStream(nc: NatsConnection, stream: string): Promise<StreamMessage[]> {
  const { lastSeq } = await streamState(nc, stream);
  const out: StreamMessage[] = [];
  if (lastSeq === 0) return out;
  const controller = new AbortController();
  try {
    for await (const batch of replayStream(nc, {
      stream,
      fromSeq: 1,
      signal: controller.signal,
      batchSize: 1000,
    })) {
      out.push(...batch.messages);
      if (batch.messages.some((m) => m.seq >= lastSeq)) break;
    }
  } finally {
    controller.abort();
  }
  return out;
}
