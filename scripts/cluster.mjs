// `npm run cluster`: a three-node JetStream cluster on loopback for trying Stockwire beyond one server.
//   node --import tsx scripts/cluster.mjs [--fresh] [--origin URL]... [--render DIR]
// Topology (names and ports) in deploy/cluster/cluster.json; users and permissions from nats-server.conf.
// Starts the nodes, waits for a JetStream meta leader, provisions with the topology's replicas, prints how
// to point the dashboard and workers at it, then takes commands (kill n2, start n2, status) until Ctrl-C,
// which stops the nodes it started, by PID.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { jetstreamInfo, startNatsCluster } from './lib/nats-cluster.mjs';
import { MIN_NATS_SERVER_VERSION, REPO_ROOT, findNatsServer, renderConfig } from './lib/nats-server.mjs';

const TOPOLOGY_PATH = join(REPO_ROOT, 'deploy', 'cluster', 'cluster.json');
const DATA_DIR = join(REPO_ROOT, '.data', 'cluster');
const ADMIN = { user: 'admin', password: 'stockwire-admin' };
const STREAM = 'WAREHOUSE_EVENTS';
const WATCH_INTERVAL_MS = 2000;

const say = (line) => console.log(`[cluster] ${line}`);

class UsageError extends Error {}

function usage() {
  return [
    'Usage: npm run cluster -- [--fresh] [--origin URL]... [--render DIR]',
    '  --fresh        delete .data/cluster first (all streams and buckets of the cluster)',
    '  --origin URL   a page origin allowed on the WebSocket ports (repeatable; default: those of nats-server.conf)',
    '  --render DIR   write the three node configs to DIR (store_dir DIR/<node>) and exit',
  ].join('\n');
}

function parseArgs(argv) {
  const options = { fresh: false, origins: [], render: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--fresh') options.fresh = true;
    else if (arg === '--origin') options.origins.push(value());
    else if (arg === '--render') options.render = value();
    else if (arg === '--help' || arg === '-h') {
      console.log(usage());
      process.exit(0);
    } else throw new UsageError(`unknown option ${arg}`);
  }
  for (const origin of options.origins) {
    if (!/^https?:\/\/[^/]+$/.test(origin))
      throw new UsageError(`--origin ${origin} must look like http://host:port`);
  }
  return options;
}

function loadTopology() {
  const topology = JSON.parse(readFileSync(TOPOLOGY_PATH, 'utf8'));
  const { name, replicas, nodes } = topology;
  if (typeof name !== 'string' || !Array.isArray(nodes) || nodes.length === 0) {
    throw new Error(`${TOPOLOGY_PATH}: needs "name" and a non-empty "nodes" list`);
  }
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > nodes.length) {
    throw new Error(`${TOPOLOGY_PATH}: "replicas" must be a whole number from 1 to the number of nodes`);
  }
  return topology;
}

function portIsFree(port) {
  return new Promise((resolvePort) => {
    const srv = createServer();
    srv.once('error', () => resolvePort(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolvePort(true)));
  });
}

function render(topology, options) {
  const dir = resolve(options.render);
  mkdirSync(dir, { recursive: true });
  for (const node of topology.nodes) {
    const text = renderConfig({
      clientPort: node.client,
      wsPort: node.ws,
      httpPort: node.http,
      storeDir: join(dir, node.name),
      serverName: node.name,
      ...(options.origins.length > 0 ? { allowedOrigins: options.origins } : {}),
      cluster: {
        name: topology.name,
        port: node.cluster,
        routes: topology.nodes.filter((n) => n !== node).map((n) => `nats-route://127.0.0.1:${n.cluster}`),
      },
    });
    writeFileSync(join(dir, `${node.name}.conf`), text);
    say(`wrote ${join(dir, `${node.name}.conf`)}  (nats-server -c ${join(dir, `${node.name}.conf`)})`);
  }
}

async function provisionCluster(clientUrls, replicas) {
  // Through tsx's loader (package.json runs this script with `node --import tsx`).
  const { connectNode } = await import('../src/nats/connect-node.ts');
  const { provision } = await import('../src/nats/provision.ts');
  const nc = await connectNode({
    servers: clientUrls,
    ...ADMIN,
    name: 'stockwire-cluster-provision',
    // -1, not 0: nats.js 3.4 drops a second server from the list when a first dial fails with a limit set.
    maxReconnectAttempts: -1,
    timeoutMs: 5000,
  });
  try {
    const report = await provision(nc, { replicas });
    for (const name of report.created)
      say(`created   ${name}${name.includes('/') ? '' : ` (${replicas} replicas)`}`);
    for (const name of report.unchanged) say(`unchanged ${name}`);
    for (const d of report.drift) {
      say(
        `drift     ${d.resource}: ${d.field} is ${JSON.stringify(d.actual)}, expected ${JSON.stringify(d.expected)}`,
      );
    }
  } finally {
    await nc.close().catch(() => undefined);
  }
}

function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function status(cluster) {
  for (const [i, node] of cluster.nodes.entries()) {
    const name = cluster.names[i];
    if (!isRunning(node.pid)) {
      say(`${name}: down (start ${name} brings it back)`);
      continue;
    }
    const jsz = await jetstreamInfo(node.httpPort, '?accounts=true&streams=true');
    const stream = (jsz?.account_details ?? [])
      .flatMap((a) => a.stream_detail ?? [])
      .find((s) => s.name === STREAM);
    say(
      `${name}: pid ${node.pid}, meta leader ${jsz?.meta_cluster?.leader || '(none)'}, ${STREAM} ` +
        (stream
          ? `last_seq ${stream.state.last_seq}, leader ${stream.cluster?.leader || '(none)'}`
          : 'not here'),
    );
  }
}

function printHowTo(cluster) {
  const ws = cluster.wsUrls.join(', ');
  const tcp = cluster.clientUrls.join(',');
  const lines = [
    '',
    `Cluster "${cluster.name}" is up: ${cluster.names.map((n, i) => `${n} pid ${cluster.nodes[i].pid}`).join(', ')}`,
    `  Node logs and stores: ${cluster.baseDir.replace(`${REPO_ROOT}/`, '')}/<node>/`,
    `  Monitoring: ${cluster.nodes.map((n) => `http://127.0.0.1:${n.httpPort}/jsz`).join('  ')}`,
    '',
    'Point Stockwire at it:',
    `  Dashboard: sign in with Server URL "${ws}"`,
    `    or set it for every user in public/config.json (dev) or dist/config.json (a build, then npm run csp):`,
    `    {"natsUrl": ${JSON.stringify(cluster.wsUrls)}}`,
    `  Workers, demo data and the app in one go (another terminal): npm start -- --nats ${tcp}`,
    `  Workers on their own: NATS_URL=${tcp} npx tsx src/workers/projector.ts   (and notifier.ts)`,
    `  Command line: npm run cli -- tail --server ${cluster.wsUrls.join(',')} --user display`,
    '',
    'Commands: kill <node> (SIGKILL), stop <node> (SIGTERM), start <node>, status, quit. Ctrl-C stops all nodes.',
    '',
  ];
  for (const line of lines) console.log(line);
}

let cluster;
let shuttingDown = false;
const stoppedOnPurpose = new Set();

async function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  if (cluster) {
    say('stopping the nodes');
    await cluster.stop();
  }
  process.exit(code);
}

async function command(line) {
  const [verb, name] = line.trim().split(/\s+/);
  if (!verb) return;
  if (verb === 'quit' || verb === 'exit') return shutdown(0);
  if (verb === 'status') return status(cluster);
  const index = cluster.names.indexOf(name);
  if (!['kill', 'stop', 'start'].includes(verb) || index === -1) {
    say(
      `commands: kill <node>, stop <node>, start <node>, status, quit (nodes: ${cluster.names.join(', ')})`,
    );
    return;
  }
  const node = cluster.nodes[index];
  if (verb === 'start') {
    if (isRunning(node.pid)) return say(`${name} is already running (pid ${node.pid})`);
    say(`starting ${name}; it rejoins and catches up before it reports healthy`);
    await node.restart();
    stoppedOnPurpose.delete(name);
    return say(`${name} is back: pid ${node.pid}`);
  }
  if (!isRunning(node.pid)) return say(`${name} is not running`);
  stoppedOnPurpose.add(name);
  const pid = node.pid;
  await (verb === 'kill' ? node.kill() : node.stop());
  say(`${name} (pid ${pid}) ${verb === 'kill' ? 'killed' : 'stopped'}; clients move to the other nodes`);
}

function watchNodes() {
  const timer = setInterval(() => {
    for (const [i, node] of cluster.nodes.entries()) {
      const name = cluster.names[i];
      if (stoppedOnPurpose.has(name) || isRunning(node.pid)) continue;
      stoppedOnPurpose.add(name);
      say(
        `${name} (pid ${node.pid}) exited; see its log in .data/cluster/${name}/. "start ${name}" brings it back`,
      );
    }
  }, WATCH_INTERVAL_MS);
  timer.unref();
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const topology = loadTopology();
  if (options.render !== undefined) return render(topology, options);
  if (!findNatsServer()) {
    throw new UsageError(
      `no nats-server ${MIN_NATS_SERVER_VERSION} or newer found (node scripts/lib/ensure.mjs builds one)`,
    );
  }

  const busy = [];
  for (const node of topology.nodes) {
    for (const what of ['client', 'ws', 'http', 'cluster']) {
      if (!(await portIsFree(node[what]))) busy.push(`${node[what]} (${node.name} ${what})`);
    }
  }
  if (busy.length > 0) {
    throw new UsageError(
      `port ${busy.join(', ')} already in use on 127.0.0.1 — is \`npm start\` or another cluster running? ` +
        `Stop it, or change the ports in ${TOPOLOGY_PATH.replace(`${REPO_ROOT}/`, '')}.`,
    );
  }
  if (options.fresh) rmSync(DATA_DIR, { recursive: true, force: true });
  say(`starting ${topology.nodes.map((n) => n.name).join(', ')} (stores in .data/cluster/<node>)`);
  cluster = await startNatsCluster({
    names: topology.nodes.map((n) => n.name),
    clusterName: topology.name,
    baseDir: DATA_DIR,
    ports: topology.nodes.map(({ client, ws, http, cluster: route }) => ({
      client,
      ws,
      http,
      cluster: route,
    })),
    ...(options.origins.length > 0 ? { allowedOrigins: options.origins } : {}),
  });
  say(`JetStream meta leader: ${await cluster.waitForMetaLeader()}`);
  await provisionCluster(cluster.clientUrls, topology.replicas);
  printHowTo(cluster);
  watchNodes();

  // Commands one at a time; the nodes keep running after stdin ends, until a signal or "quit".
  let queue = Promise.resolve();
  createInterface({ input: process.stdin }).on('line', (line) => {
    queue = queue.then(() => command(line)).catch((err) => say(`error: ${err.message}`));
  });
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void shutdown(0));

main().catch(async (error) => {
  console.error(`[cluster] failed: ${error instanceof UsageError ? error.message : (error.stack ?? error)}`);
  if (error instanceof UsageError) console.error(usage());
  await shutdown(error instanceof UsageError ? 2 : 1);
});
