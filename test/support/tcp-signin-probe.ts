/**
 * A TCP sign-in attempt in a process of its own, for test files that already use the WebSocket transport
 * (nats.js keeps one transport per process). Prints one JSON line: {"kind": "connected" | <error kind>}.
 *
 *   node --import tsx test/support/tcp-signin-probe.ts <nats://url> [user] [password]
 */
import { connectNode } from '../../src/nats/connect-node';
import { classifyNatsError } from '../../src/nats/errors';

const [url, user, password] = process.argv.slice(2);
if (url === undefined) throw new Error('usage: tcp-signin-probe.ts <url> [user] [password]');
try {
  const nc = await connectNode({
    servers: url,
    ...(user !== undefined ? { user } : {}),
    ...(password !== undefined ? { password } : {}),
    maxReconnectAttempts: 0,
    timeoutMs: 5000,
  });
  await nc.close();
  console.log(JSON.stringify({ kind: 'connected' }));
} catch (err) {
  const c = classifyNatsError(err);
  console.log(JSON.stringify({ kind: c.kind, message: c.message }));
}
