/** The node configs of a cluster: nats-server.conf plus a `cluster {}` block, never a copy of the users. */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CONFIG_PATH, clusterBlock, renderConfig } from '../../scripts/lib/nats-server.mjs';

const base = { clientPort: 14223, wsPort: 19223, httpPort: 18223, storeDir: '/data/n2', serverName: 'n2' };
const cluster = {
  name: 'stockwire',
  port: 16223,
  routes: ['nats-route://127.0.0.1:16222', 'nats-route://127.0.0.1:16224'],
};

describe('renderConfig with a cluster', () => {
  test('appends the routes and keeps accounts, permissions and origins exactly as in nats-server.conf', () => {
    const text = renderConfig({ ...base, cluster });
    expect(text).toContain(
      [
        'cluster {',
        '  name: "stockwire"',
        '  listen: "127.0.0.1:16223"',
        '  routes: [',
        '    "nats-route://127.0.0.1:16222"',
        '    "nats-route://127.0.0.1:16224"',
        '  ]',
        '}',
      ].join('\n'),
    );
    expect(text).toMatch(/^server_name: "n2"$/m);
    const original = readFileSync(CONFIG_PATH, 'utf8');
    const accounts = (s: string) =>
      s.slice(s.indexOf('accounts {'), s.indexOf('\n}\n', s.indexOf('accounts {')));
    expect(accounts(text)).toBe(accounts(original));
    expect(text.match(/allowed_origins: \[[^\]]*\]/)?.[0]).toBe(
      original.match(/allowed_origins: \[[^\]]*\]/)?.[0],
    );
  });

  test('without the option the file has no cluster block, as before', () => {
    expect(renderConfig(base)).not.toMatch(/^cluster \{/m);
  });

  test('refuses what nats-server would misread or reject', () => {
    expect(() => clusterBlock({ ...cluster, name: 'stock wire' })).toThrow('may only contain letters');
    expect(() => clusterBlock({ ...cluster, port: 70000 })).toThrow('cluster port 70000 is not a port');
    expect(() => clusterBlock({ ...cluster, routes: [] })).toThrow('needs at least one route');
    expect(() => clusterBlock({ ...cluster, routes: ['127.0.0.1:16222'] })).toThrow(
      'route "127.0.0.1:16222" must look like nats-route://host:port',
    );
  });
});
