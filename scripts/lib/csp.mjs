// The dashboard's Content-Security-Policy, carried by a `<meta http-equiv>` tag in index.html. Scripts,
// styles, workers and images come only from the app's own origin; the only other places the page may connect
// to are the NATS WebSocket servers that config.json names. A script injected despite everything else can
// then neither load more code nor send what it reads (a credential, the figures) anywhere else.
//
// Plain ESM on node:* only, so that vite.config.ts can import it and `npm run csp` runs with plain node on a
// machine that serves a build. Applied by vite.config.ts (build and development) and scripts/csp.mjs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Development, the end-to-end tests and the bench, whose servers run on free loopback ports: any NATS on
 * this machine. Vite's own hot-reload socket is same-origin, which 'self' covers.
 */
export const LOOPBACK_SOURCES = Object.freeze([
  'ws://127.0.0.1:*',
  'ws://localhost:*',
  'wss://127.0.0.1:*',
  'wss://localhost:*',
]);

/**
 * Inline styles are allowed because React's `style` attributes and the charts use them; they cannot run
 * code. `frame-ancestors` is left out because browsers ignore it in a meta tag: a server header can add it.
 */
export function contentSecurityPolicy(connectSources) {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "worker-src 'self' blob:",
    `connect-src ${[...new Set(["'self'", ...connectSources])].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * The connect-src entries for the servers a config.json body names (`natsUrl`: one URL, a comma-separated
 * list, or an array, as src/common/runtime-config.ts reads it). Throws with a message for the person who edited
 * the file when it names none, or one that the app or a policy cannot use.
 */
export function configuredConnectSources(config) {
  const value = typeof config === 'object' && config !== null ? config.natsUrl : undefined;
  const entries = (
    typeof value === 'string'
      ? value.split(',')
      : Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? value
        : []
  )
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (entries.length === 0) {
    throw new Error(
      'config.json names no NATS server, so the policy would let the app connect nowhere: set "natsUrl" ' +
        'to the WebSocket URL of the server, or a list of them.',
    );
  }
  return entries.map(connectSource);
}

/** One server as a CSP source: scheme, host, port (none when it is the scheme's default) and path. */
export function connectSource(server) {
  let url;
  try {
    url = new URL(server);
  } catch {
    throw new Error(`"${server}" is not a URL, e.g. wss://nats.example.com:9222`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new Error(`"${server}": the dashboard connects over WebSocket, so it needs ws:// or wss://`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new Error(`"${server}" contains a user or password; config.json names servers only`);
  }
  if (url.search !== '' || url.hash !== '') throw new Error(`"${server}" must not contain "?" or "#"`);
  if (url.hostname.startsWith('[')) {
    throw new Error(`"${server}": a Content-Security-Policy cannot name an IPv6 address; use a host name`);
  }
  const path = url.pathname === '/' ? '' : url.pathname;
  // A URL parser leaves these in a path as they are; in a policy they would end or split the directive.
  if (/[;,'"\s]/.test(path)) throw new Error(`"${server}": its path cannot be written in a policy`);
  return `${url.protocol}//${url.host}${path}`;
}

// The policy quotes its keywords with ', so the attribute is always written with ".
const META = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"\s*\/?>/i;

/** The page with its policy tag's content replaced; throws when it has no such tag. */
export function withPolicy(html, policy) {
  if (!META.test(html)) throw new Error('index.html has no <meta http-equiv="Content-Security-Policy"> tag');
  return html.replace(META, () => `<meta http-equiv="Content-Security-Policy" content="${policy}" />`);
}

/** The policy a page carries, or undefined. */
export function policyOf(html) {
  return META.exec(html)?.[1];
}

/** The connect-src entries for the servers of `<dir>/config.json`; throws with the file's path in the message. */
export function connectSourcesOfConfigIn(dir) {
  const configPath = join(dir, 'config.json');
  try {
    return configuredConnectSources(JSON.parse(readFileSync(configPath, 'utf8')));
  } catch (error) {
    throw new Error(`${configPath}: ${error.message}`);
  }
}

/** Rewrites `<dir>/index.html` for the servers of `<dir>/config.json` and `also`; returns the policy. */
export function writeContentSecurityPolicy(dir, also = []) {
  const policy = contentSecurityPolicy([...connectSourcesOfConfigIn(dir), ...also]);
  const indexPath = join(dir, 'index.html');
  writeFileSync(indexPath, withPolicy(readFileSync(indexPath, 'utf8'), policy));
  return policy;
}
