// `npm start`: everything a demo needs, on one machine, from a fresh clone.
//   node scripts/start.mjs [--nats <url>] [--demo small|chain] [--no-demo] [--no-simulator] [--port N]
// Order: npm packages → nats-server → provisioning → demo history → Node workers → Vite → sign-ins.
// Ctrl-C (or SIGTERM) stops what this script started, children first and the server last.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  MissingDependency,
  REPO_ROOT,
  checkNodeVersion,
  ensureNatsServer,
  ensureNodeModules,
} from './lib/ensure.mjs';
import { startNatsServer } from './lib/nats-server.mjs';

const DEFAULT_PORTS = { client: 4222, ws: 9222, http: 8222 };
const DEFAULT_APP_PORT = 5173;
const DATA_DIR = join(REPO_ROOT, '.data');
const CONFIG_JSON = join(REPO_ROOT, 'public', 'config.json');
const VITE_BIN = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
const WORKERS_DIR = join(REPO_ROOT, 'src', 'workers');
/** Node programs in src/workers that run as `services` for as long as the demo runs (if they exist yet). */
const SERVICE_WORKERS = ['projector', 'notifier', 'checkpointer'];

// The demo's people (people.json; the server stores only their bcrypt hashes). `npm run users` changes them.
const SIGN_INS = [
  ['alice', 'stockwire-alice', 'manager of every warehouse: reads everything, records stock events'],
  ['bob', 'stockwire-bob', 'manager of warehouse 46 only (the server refuses his events elsewhere)'],
  ['carol', 'stockwire-carol', 'marketing: reads events and the sales views; publishes nothing'],
  ['dave', 'stockwire-dave', 'procurement: reads everything, edits low-stock thresholds'],
  ['wall-46', 'stockwire-wall-46', 'a wall screen (read-only); also wall-52'],
];
const ADMIN = { user: 'admin', password: 'stockwire-admin' };
const SERVICES = { user: 'services', password: 'stockwire-services' };

const COLORS = [36, 33, 35, 32, 34, 91, 96];
const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, text) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);
const say = (line) => console.log(`${paint(1, '[start]')} ${line}`);

function usage() {
  return [
    'Usage: npm start -- [--nats <url>] [--demo small|chain] [--no-demo] [--no-simulator] [--port N]',
    '  --nats <url>     use a running NATS server (nats://host:4222) instead of starting one',
    '  --demo small     a week of 2 warehouses × 25 products (the default)',
    '  --demo chain     a year of 50 warehouses × 2,000 products: 10 million events, minutes to publish,',
    '                   about 3.5 GB on disk; an interrupted fill continues on the next start',
    '  --no-demo        no demo history and no live simulator',
    '  --no-simulator   seed the demo history if the stream is empty, but publish nothing live',
    '  --port N         serve the app on port N instead of 5173',
  ].join('\n');
}

class UsageError extends Error {}

function parseArgs(argv) {
  const options = { nats: undefined, demo: true, profile: 'small', simulator: true, port: DEFAULT_APP_PORT };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--nats') options.nats = value();
    else if (arg.startsWith('--nats=')) options.nats = arg.slice('--nats='.length);
    else if (arg === '--demo' || arg.startsWith('--demo=')) {
      options.profile = arg === '--demo' ? value() : arg.slice('--demo='.length);
      if (options.profile !== 'small' && options.profile !== 'chain')
        throw new UsageError(`--demo is small or chain, not ${options.profile}`);
    } else if (arg === '--no-demo') options.demo = false;
    else if (arg === '--no-simulator') options.simulator = false;
    else if (arg === '--port' || arg.startsWith('--port=')) {
      const text = arg === '--port' ? value() : arg.slice('--port='.length);
      const port = Number(text);
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        throw new UsageError(`--port ${text} is not a port`);
      options.port = port;
    } else if (arg === '--help' || arg === '-h') {
      console.log(usage());
      process.exit(0);
    } else throw new UsageError(`unknown option ${arg}`);
  }
  return options;
}

function portIsFree(port, host = '127.0.0.1') {
  return new Promise((resolvePort) => {
    const srv = createServer();
    srv.once('error', () => resolvePort(false));
    srv.listen(port, host, () => srv.close(() => resolvePort(true)));
  });
}

// ---------------------------------------------------------------------------------------------------------
// Child processes: prefixed output, crash reports, restarts with back-off, shutdown by PID.

const children = new Set();
let shuttingDown = false;
let colorIndex = 0;

function pipeLines(stream, prefix, sink) {
  createInterface({ input: stream }).on('line', (line) => {
    if (line.trim() !== '') sink(`${prefix} ${line}`);
  });
}

/**
 * Runs a child with its output prefixed. `restart` children are started again after a crash (with a
 * growing pause); others end the whole demo, because nothing works without them.
 */
function startChild(name, command, args, { env = {}, restart = false, onExit } = {}) {
  const prefix = paint(COLORS[colorIndex++ % COLORS.length], `[${name}]`);
  const entry = { name, child: undefined, restarts: 0, timer: undefined };
  const launch = () => {
    const startedAt = Date.now();
    // Own process group: a Ctrl-C in the terminal reaches only this script, which stops children in order.
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    entry.child = child;
    pipeLines(child.stdout, prefix, console.log);
    pipeLines(child.stderr, prefix, console.error);
    let ended = false;
    const onEnd = (code, signal, failure) => {
      // A child that cannot be spawned reports 'error' and maybe 'exit': handle it once.
      if (ended) return;
      ended = true;
      entry.child = undefined;
      if (shuttingDown) return;
      const how = failure
        ? `could not start (${failure.message})`
        : signal
          ? `was killed by ${signal}`
          : `exited with code ${code}`;
      if (onExit) return onExit(code, signal);
      if (!restart) {
        say(paint(31, `${name} ${how}; stopping everything.`));
        void shutdown(1);
        return;
      }
      if (Date.now() - startedAt > 60_000) entry.restarts = 0;
      const delay = Math.min(30_000, 1000 * 2 ** entry.restarts++);
      say(paint(31, `${name} ${how}; restarting in ${Math.round(delay / 1000)} s.`));
      entry.timer = setTimeout(launch, delay);
    };
    child.on('error', (error) => onEnd(null, null, error));
    child.on('exit', (code, signal) => onEnd(code, signal));
  };
  launch();
  children.add(entry);
  return entry;
}

/** Runs a child to completion (provisioning, seeding) with prefixed output; resolves to its exit code. */
function runToEnd(name, command, args, env = {}) {
  return new Promise((resolveRun) => {
    const entry = startChild(name, command, args, {
      env,
      onExit: (code) => {
        children.delete(entry);
        resolveRun(code ?? 1);
      },
    });
  });
}

function stopChild(entry, timeoutMs = 5000) {
  clearTimeout(entry.timer);
  const child = entry.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

let natsServer;
let serverWatch;

async function shutdown(code = 0) {
  if (shuttingDown) return;
  shuttingDown = true;
  clearInterval(serverWatch);
  if (children.size > 0 || natsServer) say('stopping…');
  await Promise.all([...children].map((entry) => stopChild(entry)));
  if (natsServer) {
    await natsServer.stop();
    say(`nats-server (pid ${natsServer.pid}) stopped`);
  }
  process.exit(code);
}

// A child left behind when this script dies some other way (an exception) would hold ports.
process.on('exit', () => {
  for (const { child } of children) child?.kill('SIGKILL');
});

// ---------------------------------------------------------------------------------------------------------

/** TypeScript through tsx's loader in the same process, so signals reach the program itself. */
function tsx(script, ...args) {
  return [process.execPath, ['--import', 'tsx', script, ...args]];
}

async function startLocalServer(options) {
  const busy = [];
  for (const [what, port] of Object.entries(DEFAULT_PORTS)) {
    if (!(await portIsFree(port))) busy.push(`${port} (${what === 'ws' ? 'WebSocket' : what})`);
  }
  if (busy.length > 0) {
    throw new MissingDependency(
      `Port ${busy.join(', ')} is already in use on 127.0.0.1 — maybe a NATS server is already running.\n` +
        'Stop it, or use it: npm start -- --nats nats://127.0.0.1:4222',
    );
  }
  mkdirSync(DATA_DIR, { recursive: true });
  // The origins the app is served from on this run (--port may differ from the conf file's 5173).
  const origins = [`http://127.0.0.1:${options.port}`, `http://localhost:${options.port}`];
  say('starting nats-server (JetStream store in .data/jetstream)');
  const server = await startNatsServer({
    storeDir: DATA_DIR,
    ports: DEFAULT_PORTS,
    allowedOrigins: origins,
  });
  say(
    `nats-server pid ${server.pid}: client ${server.clientUrl}, WebSocket ${server.wsUrl}, ` +
      `monitoring http://127.0.0.1:${server.httpPort}, log ${server.logPath.replace(`${REPO_ROOT}/`, '')}`,
  );
  return server;
}

function ensureConfigJson() {
  if (existsSync(CONFIG_JSON)) return;
  mkdirSync(join(REPO_ROOT, 'public'), { recursive: true });
  writeFileSync(CONFIG_JSON, `${JSON.stringify({ natsUrl: `ws://127.0.0.1:${DEFAULT_PORTS.ws}` })}\n`);
  say('wrote public/config.json (the default server URL of the sign-in form)');
}

/**
 * The dashboard takes the event header prefix from config.json, the programs started here from
 * STOCKWIRE_HEADER_PREFIX; set in one place and not the other, they would not read each other's events.
 */
function warnOnHeaderPrefixMismatch() {
  let configured;
  try {
    configured = JSON.parse(readFileSync(CONFIG_JSON, 'utf8')).headerPrefix;
  } catch {
    return;
  }
  const env = process.env.STOCKWIRE_HEADER_PREFIX;
  if (configured === env) return;
  say(
    `warning: public/config.json has headerPrefix ${JSON.stringify(configured) ?? '(none)'} but ` +
      `STOCKWIRE_HEADER_PREFIX is ${JSON.stringify(env) ?? '(not set)'}: the dashboard and the workers ` +
      'would write and read different headers (docs/architecture.md#subjects-and-headers)',
  );
}

function configuredWsUrl() {
  try {
    return JSON.parse(readFileSync(CONFIG_JSON, 'utf8')).natsUrl ?? '(no natsUrl)';
  } catch {
    return '(unreadable)';
  }
}

/** The WebSocket listener usually sits on the same host, on 9222 in our config (NATS itself names no default). */
function guessWsUrl(natsUrl) {
  const host = /^[a-z]+:\/\/(?:[^@/]*@)?([^:/,]+)/i.exec(natsUrl)?.[1] ?? '127.0.0.1';
  return `ws://${host}:${DEFAULT_PORTS.ws}`;
}

/** The CLI, the demo worker and the services read their connection from these (flags win). */
function workerEnv(account, natsUrl) {
  return { STOCKWIRE_NATS_URL: natsUrl, STOCKWIRE_USER: account.user, STOCKWIRE_PASSWORD: account.password };
}

async function waitForHttp(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !shuttingDown) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!shuttingDown) throw new Error(`the app did not answer at ${url} within ${timeoutMs / 1000} s`);
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  checkNodeVersion();
  ensureNodeModules(say);

  if (!(await portIsFree(options.port))) {
    throw new MissingDependency(
      `Port ${options.port} is already in use on 127.0.0.1 (another npm start or Vite?). ` +
        'Stop it, or pick another: npm start -- --port 5174',
    );
  }

  let natsUrl = options.nats;
  let wsUrl;
  if (natsUrl === undefined) {
    ensureNatsServer(say);
    natsServer = await startLocalServer(options);
    natsUrl = natsServer.clientUrl;
    wsUrl = natsServer.wsUrl;
    serverWatch = setInterval(() => {
      try {
        process.kill(natsServer.pid, 0);
      } catch {
        say(paint(31, `nats-server (pid ${natsServer.pid}) is gone; see .data/nats-server.log. Stopping.`));
        natsServer = undefined;
        void shutdown(1);
      }
    }, 2000);
  } else {
    say(`using the NATS server at ${natsUrl} (as admin and services, with the demo passwords)`);
  }

  say('provisioning streams and buckets');
  const provisioned = await runToEnd('provision', ...tsx('src/cli/provision.ts'), workerEnv(ADMIN, natsUrl));
  if (provisioned !== 0) throw new Error('provisioning failed (see above)');

  if (options.demo) {
    const seeded = await runToEnd(
      'demo',
      ...tsx('src/workers/demo.ts', '--seed-if-empty', '--demo', options.profile),
      workerEnv(ADMIN, natsUrl),
    );
    if (seeded !== 0) throw new Error('seeding the demo history failed (see above)');
  }

  const present = new Set(existsSync(WORKERS_DIR) ? readdirSync(WORKERS_DIR) : []);
  for (const name of SERVICE_WORKERS) {
    if (!present.has(`${name}.ts`)) continue;
    startChild(name, ...tsx(`src/workers/${name}.ts`), { env: workerEnv(SERVICES, natsUrl), restart: true });
  }
  if (options.demo && options.simulator) {
    startChild('simulator', ...tsx('src/workers/demo.ts', '--simulate', '--demo', options.profile), {
      env: workerEnv(ADMIN, natsUrl),
      restart: true,
    });
  }

  ensureConfigJson();
  warnOnHeaderPrefixMismatch();
  startChild('vite', process.execPath, [
    VITE_BIN,
    '--host',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--strictPort',
    '--clearScreen',
    'false',
  ]);

  const appUrl = `http://127.0.0.1:${options.port}`;
  await waitForHttp(appUrl, 60_000);
  const lines = [
    '',
    paint(1, `Stockwire is running at ${appUrl}`),
    wsUrl
      ? `  Server URL (pre-filled from public/config.json): ${wsUrl}`
      : `  Server URL: enter the WebSocket URL of ${natsUrl}, e.g. ${guessWsUrl(natsUrl)} (the form is pre-filled ` +
        `from public/config.json: ${configuredWsUrl()})`,
    '  Sign in as:',
    ...SIGN_INS.map(([user, password, may]) => `    ${user.padEnd(12)} ${password.padEnd(22)} ${may}`),
    `  Command line and workers (TCP ${natsUrl}): admin / stockwire-admin (provisioning), services / stockwire-services (workers)`,
    `  A wall screen: ${appUrl}/display?warehouse=46#user=wall-46&password=stockwire-wall-46 (opened once, it keeps the credential)`,
    '  People: npm run users -- list | add | change | revoke | screen (a running server reloads at once)',
    '  Ctrl-C stops everything started here.',
    '',
  ];
  for (const line of lines) console.log(line);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void shutdown(0));

main().catch(async (error) => {
  const plain = error instanceof MissingDependency || error instanceof UsageError;
  console.error(`\n${paint(31, 'npm start failed:')} ${plain ? error.message : (error.stack ?? error)}`);
  if (error instanceof UsageError) console.error(usage());
  await shutdown(error instanceof UsageError ? 2 : 1);
});
