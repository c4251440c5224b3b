// Starting a private nats-server with the repository's nats-server.conf, for tests, e2e runs, `npm start`
// and the benchmark. Plain ESM on node:* only, so every script can import it without a build step.
import { spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPeople, renderPeopleConf } from './people.mjs';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CONFIG_PATH = join(REPO_ROOT, 'nats-server.conf');

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * The repository's config with listen addresses, store_dir, pid_file and allowed_origins rewritten. Users and
 * permissions are left untouched: the conf file stays their single source. Its `include "nats-people.conf"`
 * is resolved next to the rendered file: write `renderPeopleConf(...)` there (writePeopleConf below).
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
  configPath = CONFIG_PATH,
}) {
  let text = readFileSync(configPath, 'utf8');
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
  if (/^pid_file: .*$/m.test(text)) {
    text = text.replace(/^pid_file: .*$/m, `pid_file: ${JSON.stringify(join(storeDir, 'nats-server.pid'))}`);
  }
  if (configPath === CONFIG_PATH && !/^\s*include "nats-people.conf"$/m.test(text)) {
    throw new Error('nats-server.conf: cannot find the `include "nats-people.conf"` line');
  }
  const originsLine = /^(\s*)allowed_origins: \[[^\]]*\]/m;
  if (allowedOrigins !== undefined) {
    const list = allowedOrigins.map((o) => `    ${JSON.stringify(o)}`).join('\n');
    rewrite(originsLine, `$1allowed_origins: [\n${list}\n  ]`, 'allowed_origins');
  }
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

/**
 * The release `ensureNatsServer` builds into TOOLS_BIN. The floor is lower so that a server someone already
 * has keeps working, but Debian bookworm's 2.9.10 is far below it.
 */
export const NATS_SERVER_VERSION = '2.15.3';
export const NATS_SERVER_MODULE = 'github.com/nats-io/nats-server/v2';
export const MIN_NATS_SERVER_VERSION = '2.14.0';
/** Where the project's own builds of its tools go (`go install` with GOBIN), ignored by git. */
export const TOOLS_BIN = join(REPO_ROOT, '.tools', 'bin');

/** `{ major, minor, patch, pre }` of the first `X.Y.Z[-pre]` in text (e.g. `nats-server: v2.15.3`), or null. */
export function parseVersion(text) {
  const m = /\bv?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?/.exec(String(text ?? ''));
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4] ?? '' };
}

/**
 * True when `version` (text such as `2.15.3`) is `minimum` or newer. A pre-release counts as older than
 * its release, so 2.14.0-RC.1 does not pass a 2.14.0 floor.
 */
export function versionAtLeast(version, minimum) {
  const a = parseVersion(version);
  const b = parseVersion(minimum);
  if (!a || !b) return false;
  for (const part of ['major', 'minor', 'patch']) {
    if (a[part] !== b[part]) return a[part] > b[part];
  }
  if (a.pre === '' || b.pre === '') return a.pre === '';
  return a.pre.localeCompare(b.pre, 'en', { numeric: true }) >= 0;
}

// Tests start many servers per process; asking each binary for its version once is enough unless it changes.
const versionCache = new Map();

/** The version a binary reports with `--version` (e.g. `2.15.3`), or null when it does not run. */
export function binaryVersion(path) {
  let stamp;
  try {
    const st = statSync(path);
    if (!st.isFile()) return null;
    accessSync(path, constants.X_OK);
    stamp = `${st.mtimeMs}:${st.size}`;
  } catch {
    return null;
  }
  const cached = versionCache.get(path);
  if (cached?.stamp === stamp) return cached.version;
  const result = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const parsed = result.status === 0 ? parseVersion(`${result.stdout}\n${result.stderr}`) : null;
  const version = parsed
    ? `${parsed.major}.${parsed.minor}.${parsed.patch}${parsed.pre ? `-${parsed.pre}` : ''}`
    : null;
  versionCache.set(path, { stamp, version });
  return version;
}

/**
 * Every candidate binary named `name`, in the order they are preferred: the project's own build in
 * TOOLS_BIN, then the path in the environment variable `envVar`, then PATH (and /usr/bin, /usr/sbin, where
 * distribution packages put it even when PATH is trimmed). Each with its version, null if it did not run.
 */
export function toolCandidates(name, envVar) {
  const paths = [join(TOOLS_BIN, name)];
  const explicit = process.env[envVar];
  if (explicit) paths.push(resolve(explicit));
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/sbin'];
  for (const dir of dirs) paths.push(resolve(dir, name));
  const seen = new Set();
  const out = [];
  for (const [i, path] of paths.entries()) {
    if (seen.has(path) || !existsSync(path)) continue;
    seen.add(path);
    const source = i === 0 ? TOOLS_BIN : explicit && i === 1 ? envVar : 'PATH';
    out.push({ path, source, version: binaryVersion(path) });
  }
  return out;
}

/** The nats-server binaries found, preferred first, each with its version (null if it did not run). */
export function natsServerCandidates() {
  return toolCandidates('nats-server', 'NATS_SERVER');
}

/** `{ path, version }` of the first nats-server at MIN_NATS_SERVER_VERSION or newer, or null. */
export function findNatsServerWithVersion() {
  const ok = natsServerCandidates().find((c) => versionAtLeast(c.version, MIN_NATS_SERVER_VERSION));
  return ok ? { path: ok.path, version: ok.version } : null;
}

/** Path of a nats-server binary recent enough for this project, or null. */
export function findNatsServer() {
  return findNatsServerWithVersion()?.path ?? null;
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

async function startOnce({
  storeDir,
  ports,
  allowedOrigins,
  serverName: givenName,
  tls,
  cluster,
  people,
  configPath,
}) {
  // Unique per server, so that a health check answered by another server on the same port is not ours.
  const serverName = givenName ?? `stockwire-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const binary = findNatsServer();
  if (!binary) {
    throw new Error(
      `no nats-server ${MIN_NATS_SERVER_VERSION} or newer in .tools/bin, $NATS_SERVER or on PATH ` +
        '(node scripts/lib/ensure.mjs builds one)',
    );
  }
  const baseDir = storeDir ? resolve(storeDir) : mkdtempSync(join(tmpdir(), 'stockwire-nats-'));
  mkdirSync(baseDir, { recursive: true });
  const [clientPort, wsPort, httpPort] =
    ports?.client && ports?.ws && ports?.http
      ? [ports.client, ports.ws, ports.http]
      : await distinctFreePorts(3);
  const confPath = join(baseDir, 'nats-server.test.conf');
  writePeopleConf(baseDir, people);
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
      configPath,
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
    /**
     * Replaces the people the server knows and has it reload its configuration: removed people are
     * disconnected, changed permissions apply to new connections (and to open ones, from the next message).
     */
    async setPeople(next) {
      writePeopleConf(baseDir, next);
      await reloadServer(child?.pid ?? -1, logPath);
    },
  };
}

/** The people of `people` (people.json's when undefined) as `<dir>/nats-people.conf`, which the config includes. */
export function writePeopleConf(dir, people) {
  writeFileSync(join(dir, 'nats-people.conf'), renderPeopleConf(people ?? readPeople().people));
}

const RELOAD_TIMEOUT_MS = 10_000;

/**
 * SIGHUP makes nats-server reload its configuration; resolves once its log says the reload is done, so a
 * caller can rely on the new people right after. A refused configuration keeps the old one and throws.
 */
export async function reloadServer(pid, logPath) {
  if (!(pid > 0)) throw new Error('nats-server is not running');
  const before = existsSync(logPath) ? readFileSync(logPath, 'utf8').length : 0;
  process.kill(pid, 'SIGHUP');
  const deadline = Date.now() + RELOAD_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const added = existsSync(logPath) ? readFileSync(logPath, 'utf8').slice(before) : '';
    if (/Reloaded server configuration/.test(added)) return;
    const failed = /Failed to reload server configuration: (.*)/.exec(added);
    if (failed) throw new Error(`nats-server refused the new configuration: ${failed[1]}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server did not confirm the reload within ${RELOAD_TIMEOUT_MS} ms (log ${logPath})`);
}
