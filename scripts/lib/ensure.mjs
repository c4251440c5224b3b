// What `npm start`, `npm test` and .ci/run need before anything else runs: a recent Node, installed npm
// packages matching package-lock.json, a recent nats-server (built from its Go module when missing), and
// (for tests) Chromium. Plain ESM on node:* only, because it runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH } from './chromium.mjs';
import {
  MIN_NATS_SERVER_VERSION,
  NATS_SERVER_MODULE,
  NATS_SERVER_VERSION,
  TOOLS_BIN,
  findNatsServerWithVersion,
  natsServerCandidates,
  toolCandidates,
  versionAtLeast,
} from './nats-server.mjs';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MIN_NODE = [20, 19];
// The go line of nats-server's and natscli's go.mod at the pinned releases.
const MIN_GO = '1.26';
// Where the official Go tarball unpacks; its installer does not touch PATH.
const GO_FALLBACK = '/usr/local/go/bin/go';

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

function goBinary() {
  const found = onPath('go');
  if (found) return found;
  try {
    accessSync(GO_FALLBACK, constants.X_OK);
    return GO_FALLBACK;
  } catch {
    return null;
  }
}

/** Why each binary found is not used, one line per binary; empty when none was found. */
function passedOver(candidates, minVersion) {
  return candidates.map(
    (c) =>
      `  ${c.path} (${c.source}): ` +
      (c.version === null
        ? '`--version` failed, so it is not used'
        : `version ${c.version}, older than the ${minVersion} this project needs, so it is not used`),
  );
}

/**
 * Finds a tool at its minimum version or newer, else builds the pinned release from its Go module into
 * .tools/bin. A source build rather than a distribution package: Debian's packages lag years behind (bookworm
 * has nats-server 2.9.10), and `go install` of a tagged module is reproducible on any architecture.
 */
function ensureGoTool(tool, log) {
  const found = tool.find();
  if (found) return found;
  const older = passedOver(tool.candidates(), tool.minVersion);
  const explicit = process.env[tool.envVar];
  if (explicit && !existsSync(explicit)) older.unshift(`  ${explicit} (${tool.envVar}): no such file`);
  const olderNote = older.length ? `Not used:\n${older.join('\n')}\n` : '';
  const download =
    `  download the official release binary from ${tool.releaseUrl}` +
    `${tool.releaseFile ? ` (${tool.releaseFile})` : ''},\n` +
    `  then put ${tool.name} in .tools/bin/ or point ${tool.envVar} at it.`;
  const go = goBinary();
  if (!go) {
    throw new MissingDependency(
      `No ${tool.name} ${tool.minVersion} or newer found (looked in .tools/bin, $${tool.envVar} and PATH).\n` +
        olderNote +
        `Stockwire builds ${tool.name} ${tool.version} from its Go module, but go is not on PATH ` +
        `(nor at ${GO_FALLBACK}). Either:\n` +
        `  install Go ${MIN_GO} or newer from https://go.dev/dl (Debian bookworm's golang-go is too old) ` +
        'and run again, or\n' +
        download +
        (tool.otherwise ? `\n${tool.otherwise}` : ''),
    );
  }
  for (const line of older) log(line.trim());
  const target = `${tool.module}@v${tool.version}`;
  log(
    `building ${tool.name} ${tool.version} from its Go module into .tools/bin ` +
      `(go install ${target}); this takes a minute or two`,
  );
  mkdirSync(TOOLS_BIN, { recursive: true });
  const built = run(go, ['install', target], { env: { ...process.env, GOBIN: TOOLS_BIN } });
  const after = built ? tool.find() : null;
  if (after) return after;
  const what = built
    ? `go install ${target} finished, but no ${tool.name} ${tool.minVersion} or newer is in .tools/bin`
    : `go install ${target} failed (see the output above)`;
  throw new MissingDependency(
    `${what}.\n` +
      `Building ${tool.name} ${tool.version} needs Go ${MIN_GO} or newer (https://go.dev/dl) and the Go ` +
      `module proxy; ${go} is ` +
      `${goVersion(go) ?? 'of unknown version'}. Or:\n` +
      download,
  );
}

function goVersion(go) {
  const result = spawnSync(go, ['version'], { encoding: 'utf8' });
  return /go\d+(\.\d+)+/.exec(result.stdout ?? '')?.[0] ?? null;
}

const NATS_SERVER_TOOL = {
  name: 'nats-server',
  envVar: 'NATS_SERVER',
  module: NATS_SERVER_MODULE,
  version: NATS_SERVER_VERSION,
  minVersion: MIN_NATS_SERVER_VERSION,
  releaseUrl: `https://github.com/nats-io/nats-server/releases/tag/v${NATS_SERVER_VERSION}`,
  releaseFile: `nats-server-v${NATS_SERVER_VERSION}-linux-amd64.tar.gz`,
  find: findNatsServerWithVersion,
  candidates: natsServerCandidates,
  otherwise: 'npm start can also use a server you already run: npm start -- --nats nats://host:4222',
};

/** `{ path, version }` of a nats-server recent enough, building the pinned release when there is none. */
export function ensureNatsServerWithVersion(log = console.log) {
  return ensureGoTool(NATS_SERVER_TOOL, log);
}

/** Path of a nats-server recent enough, building the pinned release when there is none. */
export function ensureNatsServer(log = console.log) {
  return ensureNatsServerWithVersion(log).path;
}

// The `nats` command line, for looking at streams and buckets by hand; nothing in npm test or start needs it.
export const NATS_CLI_VERSION = '0.5.0';
const NATS_CLI_TOOL = {
  name: 'nats',
  envVar: 'NATS_CLI',
  module: 'github.com/nats-io/natscli/nats',
  version: NATS_CLI_VERSION,
  // Only the pinned release: no other one has been tried against this project's server.
  minVersion: NATS_CLI_VERSION,
  releaseUrl: `https://github.com/nats-io/natscli/releases/tag/v${NATS_CLI_VERSION}`,
  releaseFile: undefined,
  otherwise: undefined,
  candidates: () => toolCandidates('nats', 'NATS_CLI'),
  find() {
    const ok = this.candidates().find((c) => versionAtLeast(c.version, this.minVersion));
    return ok ? { path: ok.path, version: ok.version } : null;
  },
};

/** `{ path, version }` of the nats CLI, building the pinned release into .tools/bin when there is none. */
export function ensureNatsCli(log = console.log) {
  return ensureGoTool(NATS_CLI_TOOL, log);
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

// `node scripts/lib/ensure.mjs [--chromium] [--nats-cli]`: the checks alone, for .ci/run and for people.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const log = (line) => console.log(`[deps] ${line}`);
  try {
    checkNodeVersion();
    log(`node ${process.versions.node}`);
    log(ensureNodeModules(log) ? 'npm packages installed' : 'npm packages match package-lock.json');
    const server = ensureNatsServerWithVersion(log);
    log(`nats-server: ${server.path} (v${server.version})`);
    if (process.argv.includes('--chromium')) log(`chromium: ${ensureChromium(log)}`);
    if (process.argv.includes('--nats-cli')) {
      const cli = ensureNatsCli(log);
      log(`nats: ${cli.path} (v${cli.version})`);
    }
  } catch (error) {
    console.error(error instanceof MissingDependency ? error.message : error);
    process.exit(1);
  }
}
