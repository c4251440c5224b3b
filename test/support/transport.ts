/**
 * nats.js keeps its transport in a module-global: a process that used wsconnect redials TCP connections over
 * WebSocket too (docs/platform-notes.md#the-natsjs-client). Vitest's default pool runs every test file in its
 * own child process (checked: a distinct pid per file); this guard turns a change of that setting into a
 * clear failure instead of hanging connections.
 */
const KEY = Symbol.for('stockwire.test.transport');

export function claimTransport(kind: 'tcp' | 'websocket'): void {
  const g = globalThis as Record<symbol, unknown>;
  const current = g[KEY];
  if (current !== undefined && current !== kind) {
    throw new Error(
      `this test process already used the ${String(current)} transport and now wants ${kind}: ` +
        'run each test file in its own process (vitest pool "forks" with isolate: true)',
    );
  }
  g[KEY] = kind;
}
