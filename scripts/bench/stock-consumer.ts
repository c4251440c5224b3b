/**
 * The stock nats.js v3 ordered consumers, as an application would use them: `consumers.get(stream)` with
 * `consume()` (pull), and `consumers.getPushConsumer(stream)` (push). Shared by the browser baseline page and
 * the Node baseline, so both measure the same code.
 */
import { jetstream, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { apiPrefixOf } from '../../src/nats/jetstream-api';

export type StockConsumerKind = 'pull' | 'push';

/**
 * Pull requests of 1000 messages, not the default 100: the faster setting (~41k against ~33k events/s in
 * Chromium, docs/platform-notes.md#replay-speed-in-chromium), so the baseline is the stock client at its
 * best.
 */
const PULL_BATCH = 1000;

/**
 * Delivers the stream from its first message to `onMessage` until `count` messages arrived; resolves then, with
 * the consumer closed. The filter names the stream's subjects: browser roles may only create consumers whose
 * create request names one, the form people's accounts import (docs/security.md).
 */
export async function consumeWithStockClient(
  nc: NatsConnection,
  kind: StockConsumerKind,
  stream: string,
  filter: string,
  count: number,
  onMessage: (m: JsMsg) => void,
): Promise<void> {
  // The stock client, told the API prefix the person's account imports JetStream under (docs/security.md).
  const js = jetstream(nc, { apiPrefix: apiPrefixOf(nc) });
  let seen = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const callback = (m: JsMsg) => {
    onMessage(m);
    if (++seen === count) done();
  };
  const messages =
    kind === 'pull'
      ? await (
          await js.consumers.get(stream, { filter_subjects: filter })
        ).consume({ max_messages: PULL_BATCH, callback })
      : await (await js.consumers.getPushConsumer(stream, { filter_subjects: filter })).consume({ callback });
  const closed = messages.closed().then((result) => {
    if (seen < count)
      throw new Error(`the ${kind} consumer closed after ${seen} of ${count} messages: ${String(result)}`);
  });
  await Promise.race([finished, closed]);
  await messages.close();
}
