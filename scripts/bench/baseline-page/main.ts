/**
 * The baseline of the cold-replay goal (Stockwire's replay against the stock consumer): the stock nats.js
 * ordered consumer in a page's main thread, decoding every event's headers and JSON, over the same WebSocket
 * and user as the app. Driven by scripts/bench/browser-baseline.ts.
 */
import { connectBrowser } from '../../../src/nats/connect-browser';
import { personInboxPrefix } from '../../../src/nats/names';
import { pushReplay } from '../../../src/nats/push-replay';
import { newTally, decodeWithStockClient, type StockTally } from '../stock-decode';
import { consumeWithStockClient, type StockConsumerKind } from '../stock-consumer';

export interface BaselineRequest {
  kind: StockConsumerKind;
  servers: string;
  user: string;
  password: string;
  stream: string;
  filter: string;
  count: number;
}

export interface BaselineResult extends StockTally {
  /** From before connecting to the last message decoded, like the app's figure from "Sign in". */
  ms: number;
}

declare global {
  interface Window {
    stockBaseline?: (request: BaselineRequest) => Promise<BaselineResult>;
    deliveryOnly?: (request: Omit<BaselineRequest, 'kind'>) => Promise<{ ms: number; count: number }>;
  }
}

window.stockBaseline = async (request) => {
  const started = performance.now();
  const nc = await connectBrowser({
    servers: request.servers,
    user: request.user,
    password: request.password,
    name: `bench-baseline-${request.kind}`,
  });
  const tally = newTally();
  try {
    await consumeWithStockClient(nc, request.kind, request.stream, request.filter, request.count, (m) =>
      decodeWithStockClient(m, tally),
    );
    return { ms: performance.now() - started, ...tally };
  } finally {
    await nc.close();
  }
};

/**
 * The ceiling: Stockwire's push delivery with nothing done to the events (no decoding, no fold), in a page, so
 * the note can say how much of the replay time is the browser's WebSocket and how much is ours.
 */
window.deliveryOnly = async (request) => {
  const started = performance.now();
  const nc = await connectBrowser({
    servers: request.servers,
    user: request.user,
    password: request.password,
    name: 'bench-delivery-only',
  });
  const abort = new AbortController();
  let count = 0;
  try {
    for await (const batch of pushReplay(nc, {
      stream: request.stream,
      filterSubject: request.filter,
      fromSeq: 1,
      signal: abort.signal,
      batchSize: 1000,
      inboxPrefix: personInboxPrefix(request.user),
    })) {
      count += batch.messages.length;
      if (count >= request.count) abort.abort();
    }
    return { ms: performance.now() - started, count };
  } finally {
    await nc.close();
  }
};
