// The policy of index.html lives in scripts/lib/csp.mjs (plain node, for vite.config.ts and `npm run csp`);
// its tests sit here because the unit tests are the ones under src/.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  configuredConnectSources,
  connectSource,
  contentSecurityPolicy,
  LOOPBACK_SOURCES,
  policyOf,
  withPolicy,
} from '../../scripts/lib/csp.mjs';

const INDEX_HTML = readFileSync(new URL('../../index.html', import.meta.url), 'utf8');

describe('contentSecurityPolicy', () => {
  it('allows only the own origin, plus the named servers for connections', () => {
    expect(contentSecurityPolicy(['wss://n1.example.com', 'wss://n2.example.com']).split('; ')).toEqual([
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "worker-src 'self' blob:",
      "connect-src 'self' wss://n1.example.com wss://n2.example.com",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
    ]);
  });

  it('names a source once', () => {
    expect(contentSecurityPolicy(['ws://a:1', 'ws://a:1', "'self'"])).toContain(
      "connect-src 'self' ws://a:1;",
    );
  });

  it('is what index.html carries in development', () => {
    expect(policyOf(INDEX_HTML)).toBe(contentSecurityPolicy(LOOPBACK_SOURCES));
  });
});

describe('configuredConnectSources', () => {
  it('reads config.json as the app does: one URL, a comma-separated list, or an array', () => {
    expect(configuredConnectSources({ natsUrl: 'ws://127.0.0.1:9222' })).toEqual(['ws://127.0.0.1:9222']);
    expect(configuredConnectSources({ natsUrl: 'wss://a.example.com, wss://b.example.com:9443' })).toEqual([
      'wss://a.example.com',
      'wss://b.example.com:9443',
    ]);
    expect(configuredConnectSources({ natsUrl: ['wss://a.example.com:443/nats', 'ws://b:80'] })).toEqual([
      'wss://a.example.com/nats',
      'ws://b',
    ]);
  });

  it('refuses a config that names no server, or a URL the app would refuse', () => {
    for (const config of [null, {}, { natsUrl: '' }, { natsUrl: [] }, 'ws://a:9222']) {
      expect(() => configuredConnectSources(config)).toThrow(/names no NATS server/);
    }
    expect(() => configuredConnectSources({ natsUrl: ['ws://a:9222', 9223] })).toThrow(
      /names no NATS server/,
    );
    expect(() => configuredConnectSources({ natsUrl: 'nats://a:4222' })).toThrow(/WebSocket/);
    expect(() => configuredConnectSources({ natsUrl: 'ws://u:p@a:9222' })).toThrow(/user or password/);
    expect(() => configuredConnectSources({ natsUrl: 'ws://a:9222?x=1' })).toThrow(/"\?" or "#"/);
    expect(() => configuredConnectSources({ natsUrl: 'a:9222' })).toThrow(/ws:\/\/ or wss:\/\//);
    expect(() => configuredConnectSources({ natsUrl: 'ws://' })).toThrow(/not a URL/);
  });
});

describe('connectSource', () => {
  it('refuses what a policy cannot express', () => {
    expect(() => connectSource('ws://[::1]:9222')).toThrow(/IPv6/);
    expect(() => connectSource("wss://a.example.com/x;script-src'unsafe-inline'")).toThrow(/path/);
  });

  it('keeps a path, where a reverse proxy serves the WebSocket', () => {
    expect(connectSource('wss://proxy.example.com/nats')).toBe('wss://proxy.example.com/nats');
    expect(connectSource('WSS://Proxy.Example.com:443/')).toBe('wss://proxy.example.com');
  });
});

describe('withPolicy', () => {
  it('replaces the policy of the tag as written in index.html, across lines', () => {
    const html = withPolicy(INDEX_HTML, contentSecurityPolicy(['wss://n1.example.com']));
    expect(policyOf(html)).toBe(contentSecurityPolicy(['wss://n1.example.com']));
    expect(html.match(/Content-Security-Policy/g)).toHaveLength(1);
    expect(withPolicy(html, 'x')).toContain('content="x"');
  });

  it('refuses a page without the tag, rather than leaving it without a policy', () => {
    expect(() => withPolicy('<html><head></head></html>', 'x')).toThrow(/no <meta/);
  });
});
