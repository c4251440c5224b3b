// Starting a private nats-server with the repository's nats-server.conf, for tests, e2e runs, `npm start`
// and the benchmark. Plain ESM on node:* only, so every script can import it without a build step.
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CONFIG_PATH = join(REPO_ROOT, 'nats-server.conf');

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * The repository's config with listen addresses, store_dir and allowed_origins rewritten. Users and
 * permissions are left untouched: the conf file stays their single source.
 */
export function renderConfig({
  clientPort,
  wsPort,
  httpPort,
  storeDir,
  allowedOrigins,
  serverName,
  tls,
  host = '127.0.0.1',
  cluster,
}) {
  let text = readFileSync(CONFIG_PATH, 'utf8');
  const rewrite = (pattern, replacement, what) => {
    if (!pattern.test(text)) throw new Error(`nats-server.conf: cannot find ${what} to rewrite`);
    text = text.replace(pattern, replacement);
  };
  rewrite(/^listen: .*$/m, `listen: ${host}:${clientPort}`, 'the top-level "listen:" line');
  rewrite(/^http: .*$/m, `http: ${host}:${httpPort}`, 'the top-level "http:" line');
  rewrite(
    /^(websocket \{[^}]*?\n\s*)listen: .*$/m,
    `$1listen: ${JSON.stringify(`${host}:${wsPort}`)}`,
    'websocket.listen',
  );
  rewrite(/^(\s*)store_dir: .*$/m, `$1store_dir: ${JSON.stringify(storeDir)}`, 'jetstream.store_dir');
  const originsLine = /^(\s*)allowed_origins: \[([^\]]*)\]/m;
  if (allowedOrigins !== undefined) {
    const list = allowedOrigins.map((o) => `    ${JSON.stringify(o)}`).join('\n');
    rewrite(originsLine, `$1allowed_origins: [\n${list}\n  ]`, 'allowed_origins');
  }
  checkOneOriginPerHost([...(originsLine.exec(text)?.[2] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]));
  if (serverName !== undefined) {
    rewrite(/^server_name: .*$/m, `server_name: ${JSON.stringify(serverName)}`, 'server_name');
  }
  if (tls !== undefined) {
    // The same certificate on the WebSocket listener (wss://) and the client port (TLS for the workers).
    const tlsBlock = (indent) =>
      [
        `${indent}tls {`,
        `${indent}  cert_file: ${JSON.stringify(tls.certFile)}`,
        `${indent}  key_file: ${JSON.stringify(tls.keyFile)}`,
        `${indent}}`,
      ].join('\n');
    rewrite(/^(\s*)no_tls: true$/m, (_, indent) => tlsBlock(indent), 'websocket.no_tls');
    rewrite(/^listen: .*$/m, (line) => `${line}\n${tlsBlock('')}`, 'the top-level "listen:" line');
  }
  if (cluster !== undefined) text = `${text.trimEnd()}\n\n${clusterBlock(cluster, host)}`;
  return text;
}

/**
 * A `cluster {}` block that routes this node to its peers. Appended to the rendered file rather than kept
 * in nats-server.conf, so the single-server setup stays one file and the accounts are never copied.
 */
export function clusterBlock({ name, port, routes }, host = '127.0.0.1') {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new Error(`cluster name "${name}" may only contain letters, digits, "_" and "-"`);
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`cluster port ${port} is not a port`);
  if (routes.length === 0) throw new Error(`cluster ${name} needs at least one route to a peer`);
  for (const route of routes) {
    if (!/^nats-route:\/\/[^\s"]+:\d+$/.test(route)) {
      throw new Error(`route "${route}" must look like nats-route://host:port`);
    }
  }
  return [
    '# Routes between the nodes of one JetStream cluster (rendered by scripts/lib/nats-server.mjs).',
    '# Streams and buckets with 3 replicas survive the loss of one node; their leaders move on their own.',
    'cluster {',
    `  name: ${JSON.stringify(name)}`,
    `  listen: ${JSON.stringify(`${host}:${port}`)}`,
    '  routes: [',
    ...routes.map((r) => `    ${JSON.stringify(r)}`),
    '  ]',
    '}',
    '',
  ].join('\n');
}

/**
 * nats-server 2.9.10 stores allowed origins in a map keyed by host name: a second port for the same host
 * silently replaces the first, and pages from the replaced origin get HTTP 403.
 */
function checkOneOriginPerHost(origins) {
  const hosts = new Map();
  for (const origin of origins) {
    const hostname = new URL(origin).hostname;
    if (hosts.has(hostname)) {
      throw new Error(
        `allowed origins ${hosts.get(hostname)} and ${origin} share the host ${hostname}; ` +
          'nats-server 2.9.10 keeps only one port per host',
      );
    }
    hosts.set(hostname, origin);
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** Path of the nats-server binary, or null. */
export function findNatsServer() {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/sbin'];
  for (const dir of dirs) {
    const candidate = join(dir, 'nats-server');
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

async function distinctFreePorts(count) {
  const ports = new Set();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** True once the server on httpPort is ours (by its unique name) and JetStream is ready. */
async function healthy(httpPort, serverName) {
  try {
    const varz = await fetch(`http://127.0.0.1:${httpPort}/varz`, { signal: AbortSignal.timeout(1000) });
    if (!varz.ok || (await varz.json()).server_name !== serverName) return false;
    const res = await fetch(`http://127.0.0.1:${httpPort}/healthz`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

function logTail(logPath) {
  try {
    return readFileSync(logPath, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts nats-server on free loopback ports (unless given) with the repository's users and permissions.
 * Resolves once /healthz answers. Only ever signals its own child process.
 */
export async function startNatsServer(options = {}) {
  const fixedPorts = Boolean(options.ports?.client && options.ports?.ws && options.ports?.http);
  // A port picked by freePort() can be taken by another process before nats-server binds it.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      if (fixedPorts || attempt >= 3 || !/address already in use/i.test(String(err))) throw err;
    }
  }
}

async function startOnce({ storeDir, ports, allowedOrigins, serverName: givenName, tls, cluster }) {
  // Unique per server, so that a health check answered by another server on the same port is not ours.
  const serverName = givenName ?? `stockwire-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const binary = findNatsServer();
  if (!binary)
    throw new Error('nats-server not found on PATH, /usr/bin or /usr/sbin (apt-get install nats-server)');
  const baseDir = storeDir ? resolve(storeDir) : mkdtempSync(join(tmpdir(), 'stockwire-nats-'));
  mkdirSync(baseDir, { recursive: true });
  const [clientPort, wsPort, httpPort] =
    ports?.client && ports?.ws && ports?.http
      ? [ports.client, ports.ws, ports.http]
      : await distinctFreePorts(3);
  const confPath = join(baseDir, 'nats-server.test.conf');
  const logPath = join(baseDir, 'nats-server.log');
  writeFileSync(
    confPath,
    renderConfig({
      clientPort,
      wsPort,
      httpPort,
      storeDir: baseDir,
      allowedOrigins,
      serverName,
      tls,
      cluster,
    }),
  );

  let child = null;
  let exited = null;
  const killOnExit = () => child?.kill('SIGKILL');

  async function launch() {
    const log = openSync(logPath, 'a');
    const proc = spawn(binary, ['-c', confPath], { stdio: ['ignore', log, log], cwd: baseDir });
    closeSync(log);
    child = proc;
    exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
    process.once('exit', killOnExit);
    let gone = false;
    exited.then(() => {
      gone = true;
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (gone) {
        throw new Error(`nats-server exited during start-up:\n${logTail(logPath)}`);
      }
      if (await healthy(httpPort, serverName)) return;
      await sleep(50);
    }
    proc.kill('SIGKILL');
    throw new Error(`nats-server did not become healthy within ${START_TIMEOUT_MS} ms:\n${logTail(logPath)}`);
  }

  async function stopWith(signal) {
    const proc = child;
    process.removeListener('exit', killOnExit);
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  try {
    await launch();
  } catch (err) {
    // A temporary directory we made is of no use to anyone after a failed start.
    if (!storeDir) rmSync(baseDir, { recursive: true, force: true });
    throw err;
  }

  return {
    clientUrl: `${tls ? 'tls' : 'nats'}://127.0.0.1:${clientPort}`,
    wsUrl: `${tls ? 'wss' : 'ws'}://127.0.0.1:${wsPort}`,
    clientPort,
    wsPort,
    httpPort,
    get pid() {
      return child?.pid ?? -1;
    },
    storeDir: baseDir,
    logPath,
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
    async restart() {
      await stopWith('SIGTERM');
      await launch();
    },
  };
}
