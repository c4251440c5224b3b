/**
 * One attack of a signed-in person who has the NATS protocol and nothing else, run over WebSocket in a
 * process of its own (nats.js keeps one transport per process). Each JetStream request is tried under both
 * names an account layout might give it — `$JS.API.…` (direct) and `JS.STOCK.API.…` (imported) — so the same
 * script attacks any layout; refusals are expected and collected. Prints one JSON line:
 * {"refusals": n, "accepted": n, "errors": [...]} — what the server stored is for the test to check.
 *
 *   node --import tsx test/support/ws-attack.ts <ws://url> <user> <password> <attack> <json args>
 */
import { headers, nuid } from '@nats-io/nats-core';
import { listCheckpoints, readCheckpoint } from '../../src/nats/checkpoint-store';
import { connectBrowser } from '../../src/nats/connect-browser';
import { objectStoreManagerOf } from '../../src/nats/object-store-api';
import { classifyNatsError } from '../../src/nats/errors';
import { installWebSocket } from './ws-nats';

const [url, user, password, attack, rawArgs] = process.argv.slice(2);
if (!url || !user || !password || !attack)
  throw new Error('usage: ws-attack.ts <url> <user> <password> <attack> [json]');
const args = JSON.parse(rawArgs ?? '{}') as Record<string, unknown>;
installWebSocket();
const nc = await connectBrowser({ servers: url, user, password, timeoutMs: 5000, maxReconnectAttempts: 0 });
const API_NAMES = ['$JS.API', 'JS.STOCK.API'];
let refusals = 0;
let accepted = 0;
const errors: string[] = [];
void nc.closed().then((err) => {
  if (err) errors.push(String(err));
});

/** A request whose answer (if any) is discarded: what matters is where the server writes. */
async function tryRequest(subject: string, body: string, reply?: string) {
  try {
    if (reply) {
      nc.publish(subject, body, { reply });
      await nc.flush();
    } else {
      await nc.request(subject, body, { timeout: 2000 });
    }
    accepted++;
  } catch (err) {
    if (classifyNatsError(err).kind === 'permission') refusals++;
    else errors.push(`${subject}: ${classifyNatsError(err).message}`);
  }
}

/** Publishes in both namings, with our event headers (the payload is the attacker's). */
async function putWithHeaders(subjectTail: string, payload: string, kv: boolean) {
  const h = headers();
  for (const [k, v] of Object.entries(args.headers as Record<string, string>)) h.set(k, v);
  const subjects = kv ? [subjectTail, `JS.STOCK.API.${subjectTail}`] : [subjectTail];
  for (const subject of subjects) {
    try {
      await nc.request(subject, payload, { headers: h, timeout: 2000 });
      accepted++;
    } catch (err) {
      if (classifyNatsError(err).kind === 'permission') refusals++;
      else errors.push(`${subject}: ${classifyNatsError(err).message}`);
    }
  }
}

// Limit violations arrive asynchronously, as status events of the connection.
void (async () => {
  for await (const s of nc.status()) if (s.type === 'error') errors.push(String(s.error));
})();

const a = args as {
  stream: string;
  getSubject?: string;
  seq?: number;
  replies: string[];
  times?: number;
  subject?: string;
  payload?: string;
  count?: number;
  bytes?: number;
  filter?: string;
};
/** What an attack that counts its own outcome reports instead of refusals and acceptances. */
let output: object | undefined;
switch (attack) {
  case 'direct-get-reply': {
    // DIRECT.GET of one message with the reply onto subjects a stream or bucket captures.
    const body = a.seq !== undefined ? JSON.stringify({ seq: a.seq }) : '';
    for (let i = 0; i < (a.times ?? 1); i++) {
      for (const reply of a.replies) {
        for (const api of API_NAMES) {
          const tail = a.getSubject ? `.${a.getSubject}` : '';
          await tryRequest(`${api}.DIRECT.GET.${a.stream}${tail}`, body, reply);
        }
      }
    }
    break;
  }
  case 'stream-info-reply': {
    for (let i = 0; i < (a.times ?? 1); i++) {
      for (const api of API_NAMES) await tryRequest(`${api}.STREAM.INFO.${a.stream}`, '', a.replies[0]);
    }
    break;
  }
  case 'put-with-headers': {
    await putWithHeaders(a.subject!, a.payload!, Boolean(args.kv));
    break;
  }
  case 'push-consumer-deliver': {
    // A push consumer told to deliver into subjects another stream or bucket captures.
    for (const deliver of a.replies) {
      for (const api of API_NAMES) {
        const name = `atk_${nuid.next().slice(-10)}`;
        await tryRequest(
          `${api}.CONSUMER.CREATE.${a.stream}.${name}.${a.filter}`,
          JSON.stringify({
            stream_name: a.stream,
            config: {
              name,
              deliver_subject: deliver,
              filter_subject: a.filter,
              ack_policy: 'none',
              deliver_policy: 'all',
              mem_storage: true,
            },
          }),
        );
      }
    }
    break;
  }
  case 'many-durables': {
    let created = 0;
    let lastError = '';
    for (let i = 0; i < (a.count ?? 0); i++) {
      const name = `dur_${i}_${nuid.next().slice(-6)}`;
      try {
        const r = await nc.request(
          `JS.STOCK.API.CONSUMER.CREATE.${a.stream}.${name}.${a.filter}`,
          JSON.stringify({
            stream_name: a.stream,
            config: { durable_name: name, ack_policy: 'explicit', filter_subject: a.filter },
          }),
          { timeout: 2000 },
        );
        const body = r.json<{ error?: { description: string } }>();
        if (body.error) {
          lastError = body.error.description;
          break;
        }
        created++;
      } catch (err) {
        lastError = classifyNatsError(err).message;
        break;
      }
    }
    output = { created, lastError, errors };
    break;
  }
  case 'many-subscriptions': {
    let made = 0;
    for (let i = 0; i < (a.count ?? 0); i++) {
      nc.subscribe(`_INBOX_dash.${user}.s${i}`);
      made++;
    }
    await nc.flush().catch((err: unknown) => errors.push(String(err)));
    await new Promise((r) => setTimeout(r, 500));
    const refused = errors.filter((e) => /maximum subscriptions/i.test(e)).length;
    output = { made, refused, closed: nc.isClosed(), errors: errors.slice(0, 3) };
    break;
  }
  case 'big-events': {
    // Bypasses the client's own size check: what matters is whether the server stores it.
    const payload = 'x'.repeat(a.bytes ?? 0);
    for (let i = 0; i < (a.count ?? 1); i++) {
      await tryRequest(a.subject!, payload);
      if (nc.isClosed()) break;
    }
    break;
  }
  case 'object-store': {
    // Reads the checkpoints as the dashboard does, then tries every way an object store is written to.
    const listing = await listCheckpoints(nc);
    const read = a.subject ? (await readCheckpoint(nc, a.subject)).length : null;
    const os = await objectStoreManagerOf(nc, { timeout: 2000 }).open(a.stream);
    const attempt = async (what: string, write: () => Promise<unknown>) => {
      try {
        await write();
        accepted++;
      } catch (err) {
        const c = classifyNatsError(err);
        if (c.kind === 'permission' || c.kind === 'timeout') refusals++;
        else errors.push(`${what}: ${c.message}`);
      }
    };
    await attempt('put', () => os.putBlob({ name: 'planted' }, new TextEncoder().encode('forged')));
    if (a.subject) await attempt('delete', () => os.delete(a.subject!));
    for (const api of API_NAMES) {
      await tryRequest(`${api}.STREAM.PURGE.OBJ_${a.stream}`, '{}');
      await tryRequest(`${api}.STREAM.DELETE.OBJ_${a.stream}`, '');
      await tryRequest(`${api}.STREAM.MSG.DELETE.OBJ_${a.stream}`, JSON.stringify({ seq: 1 }));
    }
    for (const subject of [`$O.${a.stream}.C.planted`, `$O.${a.stream}.M.cGxhbnRlZA==`]) {
      for (const prefix of ['', 'JS.STOCK.API.']) await tryRequest(`${prefix}${subject}`, 'forged');
    }
    output = { listed: listing.tags.length, read, refusals, accepted, errors };
    break;
  }
  default:
    throw new Error(`unknown attack ${attack}`);
}
// Violations the server reports after the last request still arrive within a moment.
await new Promise((r) => setTimeout(r, 300));
console.log(JSON.stringify(output ?? { refusals, accepted, errors }));
await nc.close().catch(() => undefined);
