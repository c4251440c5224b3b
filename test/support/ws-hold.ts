/**
 * Signs in over WebSocket and holds the connection for a while, without reconnecting: prints
 * {"connected": true} once signed in, then {"closedAfterMs": n} when the server ended it, or
 * {"closedAfterMs": null} when it lasted.
 *
 *   node --import tsx test/support/ws-hold.ts <ws://url> <user> <password> <hold ms>
 */
import { connectBrowser } from '../../src/nats/connect-browser';
import { installWebSocket } from './ws-nats';

const [url, user, password, holdMs] = process.argv.slice(2);
if (!url || !user || !password || !holdMs) throw new Error('usage: ws-hold.ts <url> <user> <password> <ms>');
installWebSocket();
const t0 = Date.now();
const nc = await connectBrowser({ servers: url, user, password, maxReconnectAttempts: 0, timeoutMs: 5000 });
console.log(JSON.stringify({ connected: true }));
const closed = nc.closed().then(() => Date.now() - t0);
const result = await Promise.race([
  closed,
  new Promise<null>((r) => setTimeout(() => r(null), Number(holdMs))),
]);
console.log(JSON.stringify({ closedAfterMs: result }));
await nc.close().catch(() => undefined);
process.exit(0);
