/**
 * One private world for the end-to-end run: nats-server on free ports with the repository's config,
 * provisioned; the built app served by `vite preview` on a free port and pointed at that server through
 * dist/config.json. Everything started here is stopped by the returned teardown, by PID.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort, startNatsServer, type NatsServerHandle } from '../../scripts/lib/nats-server.mjs';
import { connectNode } from '../../src/nats/connect-node';
import { provision } from '../../src/nats/provision';
import { E2E_ENV_FILE, type E2eEnv } from './env';
import { LOOPBACK_SOURCES, writeContentSecurityPolicy } from '../../scripts/lib/csp.mjs';
import { LOGINS } from '../../test/support/users';

const ROOT = process.cwd();
const DIST = join(ROOT, 'dist');
const ARTIFACTS = join(ROOT, 'e2e-artifacts');
const VITE_BIN = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');

function buildApp(): void {
  // `npm test` builds in its own stage and says so; a plain `npx playwright test` must not test an old build.
  if (process.env.STOCKWIRE_E2E_BUILT === '1' && existsSync(join(DIST, 'index.html'))) return;
  console.log('[e2e] building the app (vite build)');
  const result = spawnSync(process.execPath, [VITE_BIN, 'build', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('[e2e] vite build failed');
}

async function provisionServer(server: NatsServerHandle): Promise<void> {
  const nc = await connectNode({
    servers: server.clientUrl,
    ...LOGINS.admin,
    name: 'e2e-provision',
    maxReconnectAttempts: 0,
    timeoutMs: 5_000,
  });
  try {
    await provision(nc);
  } finally {
    await nc.close();
  }
}

async function waitForHttp(url: string, preview: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (preview.exitCode !== null) throw new Error(`[e2e] vite preview exited with code ${preview.exitCode}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`[e2e] ${url} did not answer within ${timeoutMs} ms (see e2e-artifacts/preview.log)`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  mkdirSync(ARTIFACTS, { recursive: true });
  buildApp();

  const appPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  let server: NatsServerHandle | undefined;
  let preview: ChildProcess | undefined;
  const configPath = join(DIST, 'config.json');
  const builtConfig = existsSync(configPath) ? readFileSync(configPath, 'utf8') : undefined;
  const indexPath = join(DIST, 'index.html');
  const builtIndex = readFileSync(indexPath, 'utf8');

  const teardown = async (): Promise<void> => {
    if (preview) await stopProcess(preview);
    // Leave the build as it was built, not pointed at a server that no longer exists.
    if (builtConfig !== undefined) writeFileSync(configPath, builtConfig);
    else rmSync(configPath, { force: true });
    writeFileSync(indexPath, builtIndex);
    if (server) {
      await server.stop();
      if (existsSync(server.logPath)) copyFileSync(server.logPath, join(ARTIFACTS, 'nats-server.log'));
      rmSync(server.storeDir, { recursive: true, force: true });
    }
  };

  try {
    server = await startNatsServer({ allowedOrigins: [appUrl] });
    await provisionServer(server);

    // The app reads its default server URL at run time, so the built bundle itself stays untouched.
    writeFileSync(configPath, `${JSON.stringify({ natsUrl: server.wsUrl })}\n`);
    // As after any edit of config.json; specs also start servers of their own on free loopback ports.
    writeContentSecurityPolicy(DIST, LOOPBACK_SOURCES);

    const log = openSync(join(ARTIFACTS, 'preview.log'), 'w');
    preview = spawn(
      process.execPath,
      [VITE_BIN, 'preview', '--host', '127.0.0.1', '--port', String(appPort), '--strictPort'],
      { cwd: ROOT, stdio: ['ignore', log, log] },
    );
    closeSync(log);
    await waitForHttp(appUrl, preview, 30_000);

    const env: E2eEnv = { appUrl, wsUrl: server.wsUrl, clientUrl: server.clientUrl };
    mkdirSync(dirname(E2E_ENV_FILE), { recursive: true });
    writeFileSync(E2E_ENV_FILE, `${JSON.stringify(env, null, 2)}\n`);
    console.log(`[e2e] app ${appUrl}, nats ${server.wsUrl} (pid ${server.pid}), preview pid ${preview.pid}`);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
