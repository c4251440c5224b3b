/**
 * Replay in Node, on the same stream: the stock ordered consumer decoding each event (headers + JSON) against
 * Stockwire's path — its replay generator, the core decoder and the fold of every view. The fold is also the
 * expected content of `stock_levels` for the projector phase.
 */
import { decodeStockMessage } from '../../src/core/codec';
import { DEFAULT_HEADER_PREFIX, headerNames } from '../../src/core/events';
import { applyBatch, initialLedger, type LedgerState } from '../../src/core/ledger';
import type { NatsConnection } from '../../src/nats/connection';
import { STREAMS } from '../../src/core/resources';
import { streamSubjectFilter } from '../../src/nats/names';
import { stockwireReplay } from './replay-path';
import { consumeWithStockClient, type StockConsumerKind } from './stock-consumer';
import { decodeWithStockClient, newTally } from './stock-decode';

export async function stockNodeReplay(
  nc: NatsConnection,
  kind: StockConsumerKind,
  count: number,
): Promise<number> {
  const tally = newTally();
  const started = performance.now();
  await consumeWithStockClient(
    nc,
    kind,
    STREAMS.warehouse,
    streamSubjectFilter(STREAMS.warehouse)!,
    count,
    (m) => decodeWithStockClient(m, tally),
  );
  const ms = performance.now() - started;
  if (tally.withHeaders !== count)
    throw new Error(`the stock ${kind} consumer decoded ${tally.withHeaders} of ${count}`);
  return ms;
}

export async function stockwireNodeReplay(
  nc: NatsConnection,
  count: number,
): Promise<{ ms: number; ledger: LedgerState }> {
  const names = headerNames(DEFAULT_HEADER_PREFIX);
  const controller = new AbortController();
  let ledger = initialLedger();
  const started = performance.now();
  for await (const batch of stockwireReplay(nc, {
    stream: STREAMS.warehouse,
    fromSeq: 1,
    signal: controller.signal,
    batchSize: 1000,
  })) {
    ledger = applyBatch(
      ledger,
      batch.messages.map((m) => decodeStockMessage(m, names)),
    );
    if (ledger.lastSeq >= count) break;
  }
  const ms = performance.now() - started;
  controller.abort();
  if (ledger.lastSeq !== count || ledger.quality.byKind.malformed > 0) {
    throw new Error(
      `Stockwire's replay folded to sequence ${ledger.lastSeq} of ${count} with ${ledger.quality.byKind.malformed} malformed`,
    );
  }
  return { ms, ledger };
}
