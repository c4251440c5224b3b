/**
 * The confused-deputy request (docs/security.md#2-two-kinds-of-account), made as a person over WebSocket in a process of its own:
 * create an ephemeral consumer (as an ordered consumer does), then send it a pull request whose reply
 * subject is a stream subject. Where JetStream answers with the account's own rights, the stream stores the
 * delivered messages again; through an import, the server maps the reply back to the requester.
 * Prints one JSON line: {"consumer": name, "pending": n} or {"error": kind, "message": …}.
 *
 *   node --import tsx test/support/ws-deputy-pull.ts <ws://url> <user> <stream> <filter> <reply subject> [start seq]
 */
import { nuid } from '@nats-io/nats-core';
import { classifyNatsError } from '../../src/nats/errors';
import { apiPrefixOf } from '../../src/nats/jetstream-api';
import { connectWs } from './ws-nats';
import { LOGINS, type User } from './users';

const [url, user, stream, filter, reply, startSeq] = process.argv.slice(2);
const role = Object.entries(LOGINS).find(([, login]) => login.user === user)?.[0] as User | undefined;
if (!url || !role || !stream || !filter || !reply) {
  throw new Error('usage: ws-deputy-pull.ts <url> <demo user> <stream> <filter> <reply>');
}
const nc = await connectWs(url, role);
const api = apiPrefixOf(nc);
try {
  const name = `deputy_${nuid.next()}`;
  const created = await nc.request(
    `${api}.CONSUMER.CREATE.${stream}.${name}.${filter}`,
    JSON.stringify({
      stream_name: stream,
      config: {
        name,
        filter_subject: filter,
        // The requester picks which old events are copied, e.g. only the sales of one product.
        ...(startSeq !== undefined
          ? { deliver_policy: 'by_start_sequence', opt_start_seq: Number(startSeq) }
          : { deliver_policy: 'all' }),
        ack_policy: 'none',
        mem_storage: true,
        num_replicas: 1,
        inactive_threshold: 30_000_000_000,
      },
    }),
    { timeout: 5000 },
  );
  const info = created.json<{ num_pending?: number; error?: { description: string } }>();
  if (info.error) throw new Error(`consumer create refused: ${info.error.description}`);
  // A pull request is a plain publish: nothing checks its reply subject against the stream's subjects.
  nc.publish(`${api}.CONSUMER.MSG.NEXT.${stream}.${name}`, JSON.stringify({ batch: 100, no_wait: true }), {
    reply,
  });
  await nc.flush();
  console.log(JSON.stringify({ consumer: name, pending: info.num_pending ?? 0 }));
} catch (err) {
  const c = classifyNatsError(err);
  console.log(JSON.stringify({ error: c.kind, message: c.message }));
} finally {
  await nc.close();
}
