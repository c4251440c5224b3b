/** scripts/lib/nats-server.mjs: the rendered config and the server handle that tests and `npm start` use. */
import { readFileSync, rmSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CONFIG_PATH, renderConfig, startNatsServer } from '../../scripts/lib/nats-server.mjs';

describe('renderConfig', () => {
  const base = { clientPort: 14222, wsPort: 19222, httpPort: 18222, storeDir: '/tmp/x y' };

  test('rewrites addresses, store and origins and keeps users and permissions', () => {
    const text = renderConfig({ ...base, allowedOrigins: ['http://127.0.0.1:3000'], serverName: 'probe' });
    expect(text).toMatch(/^listen: 127\.0\.0\.1:14222$/m);
    expect(text).toMatch(/^http: 127\.0\.0\.1:18222$/m);
    expect(text).toMatch(/^ {2}listen: "127\.0\.0\.1:19222"$/m);
    expect(text).toMatch(/^ {2}store_dir: "\/tmp\/x y"$/m);
    expect(text).toMatch(/^server_name: "probe"$/m);
    expect(text).toContain('allowed_origins: [\n    "http://127.0.0.1:3000"\n  ]');
    expect(text).not.toContain('"http://localhost:5173"');
    const original = readFileSync(CONFIG_PATH, 'utf8');
    const accounts = (s: string) => s.slice(s.indexOf('accounts {'));
    expect(accounts(text)).toBe(accounts(original));
  });

  test('keeps two origins on one host (the dev server and a preview on another port)', () => {
    const text = renderConfig({
      ...base,
      allowedOrigins: ['http://localhost:5173', 'http://localhost:4173'],
    });
    expect(text).toContain('"http://localhost:5173"\n    "http://localhost:4173"');
  });
});

describe('startNatsServer', () => {
  test('does not mistake another server on the same ports for its own', async () => {
    const first = await startNatsServer();
    try {
      const ports = { client: first.clientPort, ws: first.wsPort, http: first.httpPort };
      await expect(startNatsServer({ ports })).rejects.toThrow(
        /exited during start-up[\s\S]*address already in use/,
      );
    } finally {
      await first.stop();
      rmSync(first.storeDir, { recursive: true, force: true });
    }
  });

  test('restart keeps ports and store; stop ends the process', async () => {
    const server = await startNatsServer();
    const { pid, clientUrl } = server;
    await server.restart();
    expect(server.pid).not.toBe(pid);
    expect(server.clientUrl).toBe(clientUrl);
    const res = await fetch(`http://127.0.0.1:${server.httpPort}/healthz`);
    expect(res.ok).toBe(true);
    const last = server.pid;
    await server.stop();
    expect(() => process.kill(last, 0)).toThrow();
    rmSync(server.storeDir, { recursive: true, force: true });
  });
});
