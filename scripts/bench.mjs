// `npm run bench [-- --quick | --events N]`: Stockwire's performance record (scripts/bench/main.ts, run
// with tsx). This wrapper checks what the run needs — Node, the locked npm packages, nats-server, Chromium —
// the way `npm start` and `npm test` do, then hands over; the child stops what it started on Ctrl-C.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { join } from 'node:path';
import {
  MissingDependency,
  REPO_ROOT,
  checkNodeVersion,
  ensureChromium,
  ensureNatsServer,
  ensureNodeModules,
} from './lib/ensure.mjs';

const log = (line) => console.log(`[bench] ${line}`);

try {
  checkNodeVersion();
  ensureNodeModules(log);
  ensureNatsServer(log);
  ensureChromium(log);
} catch (error) {
  console.error(error instanceof MissingDependency ? error.message : error);
  process.exit(1);
}

const child = spawn(
  process.execPath,
  ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'bench', 'main.ts'), ...process.argv.slice(2)],
  { cwd: REPO_ROOT, stdio: 'inherit' },
);
// A terminal's Ctrl-C reaches both processes; a signal sent to this one alone is passed on. Either way this
// process waits for the child, which stops its servers, browser and workers before it exits.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}
child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 1)));
