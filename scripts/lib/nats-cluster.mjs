// A JetStream cluster of private nats-server nodes on loopback, for `npm run cluster` and the cluster test.
// Every node is a startNatsServer() with the repository's nats-server.conf plus a `cluster {}` block, so
// users and permissions still come from that one file. Plain ESM on node:* only.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, startNatsServer } from './nats-server.mjs';

const DEFAULT_READY_TIMEOUT_MS = 30_000;

/**
 * Starts `size` nodes routed to each other, each with its own store under `baseDir`. Resolves once every
 * node answers /healthz and all of them name the same JetStream meta leader. Free ports unless `ports`
 * (one `{client, ws, http, cluster}` per node) are given; only ever signals its own children.
 */
export async function startNatsCluster(options = {}) {
  const size = options.size ?? 3;
  if (!Number.isInteger(size) || size < 1) throw new Error(`cluster size ${size} must be a whole number ≥ 1`);
  const fixedPorts = Array.isArray(options.ports);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce({ ...options, size });
    } catch (err) {
      // Ports picked as free a moment ago can be taken by another process before a node binds them.
      if (fixedPorts || attempt >= 3 || !/address already in use/i.test(String(err))) throw err;
    }
  }
}

async function startOnce({
  size,
  names,
  clusterName = 'stockwire',
  baseDir: givenBaseDir,
  ports: givenPorts,
  allowedOrigins,
  readyTimeoutMs = DEFAULT_READY_TIMEOUT_MS,
}) {
  const nodeNames = names ?? Array.from({ length: size }, (_, i) => `n${i + 1}`);
  if (nodeNames.length !== size || new Set(nodeNames).size !== size) {
    throw new Error(`a cluster of ${size} needs ${size} distinct node names, got: ${nodeNames.join(', ')}`);
  }
  const ports = givenPorts ?? (await freePortSets(size));
  if (ports.length !== size)
    throw new Error(`a cluster of ${size} needs ${size} port sets, got ${ports.length}`);
  const baseDir = givenBaseDir ? resolve(givenBaseDir) : mkdtempSync(join(tmpdir(), 'stockwire-cluster-'));
  mkdirSync(baseDir, { recursive: true });
  const route = (p) => `nats-route://127.0.0.1:${p.cluster}`;

  // All at once: a clustered node reports healthy only once JetStream has a meta leader, which takes a quorum.
  const settled = await Promise.allSettled(
    nodeNames.map((name, i) =>
      startNatsServer({
        storeDir: join(baseDir, name),
        ports: { client: ports[i].client, ws: ports[i].ws, http: ports[i].http },
        allowedOrigins,
        serverName: name,
        cluster: {
          name: clusterName,
          port: ports[i].cluster,
          routes: ports.filter((_, j) => j !== i).map(route),
        },
      }),
    ),
  );
  const started = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const abandon = async () => {
    await Promise.all(started.map((n) => n.kill()));
    if (!givenBaseDir) rmSync(baseDir, { recursive: true, force: true });
  };
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) {
    await abandon();
    throw failed.reason;
  }

  const nodes = started;
  const cluster = {
    name: clusterName,
    baseDir,
    names: nodeNames,
    nodes,
    clientUrls: nodes.map((n) => n.clientUrl),
    wsUrls: nodes.map((n) => n.wsUrl),
    waitForMetaLeader: (timeoutMs = readyTimeoutMs) => waitForMetaLeader(nodes, timeoutMs),
    stop: () => Promise.all(nodes.map((n) => n.stop())).then(() => undefined),
  };
  try {
    await cluster.waitForMetaLeader();
  } catch (err) {
    await abandon();
    throw err;
  }
  return cluster;
}

async function freePortSets(size) {
  const free = new Set();
  while (free.size < 4 * size) free.add(await freePort());
  const list = [...free];
  return Array.from({ length: size }, (_, i) => ({
    client: list[4 * i],
    ws: list[4 * i + 1],
    http: list[4 * i + 2],
    cluster: list[4 * i + 3],
  }));
}

/** A node's `/jsz` (JetStream as that node sees it), or null when it does not answer. */
export async function jetstreamInfo(httpPort, query = '') {
  try {
    const res = await fetch(`http://127.0.0.1:${httpPort}/jsz${query}`, {
      signal: AbortSignal.timeout(1000),
    });
    return res.ok ? await res.json() : null;
  } catch {
    return null;
  }
}

/** The meta leader's server name, once every running node names the same one. */
async function waitForMetaLeader(nodes, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let seen = [];
  for (;;) {
    const running = nodes.filter((n) => isRunning(n.pid));
    const infos = await Promise.all(running.map((n) => jetstreamInfo(n.httpPort)));
    seen = infos.map((j) => j?.meta_cluster?.leader ?? '');
    const leader = seen[0];
    if (leader && seen.every((l) => l === leader)) return leader;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `the cluster has no JetStream meta leader after ${timeoutMs} ms ` +
      `(running nodes report: ${seen.map((l) => l || 'none').join(', ') || 'no node running'})`,
  );
}

function isRunning(pid) {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
