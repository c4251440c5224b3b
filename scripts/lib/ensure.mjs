// What `npm start`, `npm test` and .ci/run need before anything else runs: a recent Node, installed npm
// packages matching package-lock.json, nats-server, and (for tests) Chromium. Plain ESM on node:* only,
// because it runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH } from './chromium.mjs';
import { findNatsServer } from './nats-server.mjs';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MIN_NODE = [20, 19];

/** A dependency that is missing and was not installed here; `message` says how to get it. */
export class MissingDependency extends Error {
  constructor(message) {
    super(message);
    this.name = 'MissingDependency';
  }
}

export function checkNodeVersion(version = process.versions.node) {
  const [major, minor] = version.split('.').map(Number);
  if (major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1])) return;
  throw new MissingDependency(
    `Node ${version} is too old: Stockwire needs Node ${MIN_NODE.join('.')} or newer (Vite 8 requires it).\n` +
      'Install a current Node (e.g. from your distribution, nvm or the Node.js packages) and run again.',
  );
}

/**
 * Why node_modules does not match package-lock.json, or undefined when it does. npm keeps a copy of
 * what it installed in node_modules/.package-lock.json; every non-optional locked package must be
 * there at the locked version (optional ones are platform binaries for other systems).
 */
export function nodeModulesProblem(root = REPO_ROOT) {
  const hiddenPath = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(join(root, 'node_modules'))) return 'node_modules is missing';
  if (!existsSync(hiddenPath)) return 'node_modules was not installed by npm from package-lock.json';
  const locked = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages ?? {};
  const installed = JSON.parse(readFileSync(hiddenPath, 'utf8')).packages ?? {};
  for (const [path, meta] of Object.entries(locked)) {
    if (path === '' || meta.link) continue;
    const have = installed[path];
    if (!have) {
      if (!meta.optional) return `${path.replace(/^.*node_modules\//, '')} is not installed`;
    } else if (have.version !== meta.version) {
      return `${path.replace(/^.*node_modules\//, '')} is ${have.version}, package-lock.json wants ${meta.version}`;
    }
  }
  return undefined;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: REPO_ROOT, ...options });
  if (result.error) return false;
  return result.status === 0;
}

/** Installs the locked packages when node_modules is missing or stale. */
export function ensureNodeModules(log = console.log) {
  const problem = nodeModulesProblem();
  if (!problem) return false;
  log(`${problem}: running npm ci`);
  if (run('npm', ['ci', '--no-audit', '--no-fund'])) return true;
  log('npm ci failed; trying npm install');
  if (run('npm', ['install', '--no-audit', '--no-fund'])) return true;
  throw new MissingDependency('Installing the npm packages failed (see the npm output above).');
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** Root with apt-get: this machine can install Debian packages without asking anyone. */
export function canAptInstall() {
  return process.getuid?.() === 0 && onPath('apt-get') !== null;
}

let aptUpdated = false;
function aptInstall(packages, log) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    log('apt-get update');
    if (!run('apt-get', ['update'], { env })) return false;
    aptUpdated = true;
  }
  log(`apt-get install -y ${packages.join(' ')}`);
  return run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env });
}

/** Path of nats-server, installing the Debian package when running as root. */
export function ensureNatsServer(log = console.log) {
  const found = findNatsServer();
  if (found) return found;
  if (canAptInstall()) {
    log('nats-server is not installed; installing the Debian package');
    if (aptInstall(['nats-server'], log)) {
      const installed = findNatsServer();
      if (installed) return installed;
    }
    throw new MissingDependency('Installing nats-server with apt-get failed (see the output above).');
  }
  throw new MissingDependency(
    'nats-server is not installed. Install it with:\n' +
      '    sudo apt-get update && sudo apt-get install nats-server\n' +
      'or use a server you already run: npm start -- --nats nats://host:4222',
  );
}

/** Chromium for the end-to-end tests; Playwright never downloads a browser here. */
export function ensureChromium(log = console.log) {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (canAptInstall()) {
    log('Chromium is not installed; the end-to-end tests need it: installing the Debian package');
    if (aptInstall(['chromium'], log) && existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
    throw new MissingDependency(
      `Installing chromium with apt-get failed, or it did not land at ${CHROMIUM_PATH}.`,
    );
  }
  throw new MissingDependency(
    `The end-to-end tests need Chromium at ${CHROMIUM_PATH}. Install it with:\n` +
      '    sudo apt-get update && sudo apt-get install chromium',
  );
}

// `node scripts/lib/ensure.mjs [--chromium]`: the checks alone, for .ci/run and for people.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const log = (line) => console.log(`[deps] ${line}`);
  try {
    checkNodeVersion();
    log(`node ${process.versions.node}`);
    log(ensureNodeModules(log) ? 'npm packages installed' : 'npm packages match package-lock.json');
    log(`nats-server: ${ensureNatsServer(log)}`);
    if (process.argv.includes('--chromium')) log(`chromium: ${ensureChromium(log)}`);
  } catch (error) {
    console.error(error instanceof MissingDependency ? error.message : error);
    process.exit(1);
  }
}
