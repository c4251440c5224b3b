/**
 * The baseline of goal 1: the stock nats.js ordered consumer in a page's main thread, decoding every event's
 * headers and JSON, over the same WebSocket and user as the app. Driven by scripts/bench/browser-baseline.ts.
 */
import { connectBrowser } from '../../../src/nats/connect-browser';
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
