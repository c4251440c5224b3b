/**
 * The built app the benchmark serves, built for this run into a directory of its own (~4 s): `dist/` belongs
 * to `npm run build` and the e2e run, which rewrites dist/config.json while it runs, and a shared cache would
 * let two runs rebuild under each other's running preview server. The baseline page is built next to the app
 * so one `vite preview` origin — the one the bench's nats-server allows — serves both.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LOOPBACK_SOURCES, writeContentSecurityPolicy } from '../lib/csp.mjs';
import { REPO_ROOT } from '../lib/nats-server.mjs';
import type { Cleanup } from './cleanup';
import { runNode } from './node-child';

const BENCH_CACHE = join(REPO_ROOT, 'node_modules', '.cache', 'stockwire-bench');
/** Served under the app's origin at this path. */
export const BASELINE_PATH = '/bench-baseline/';

const VITE = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');

/** Builds the app and the baseline page; returns the directory to serve (removed by the cleanup). */
export async function buildForRun(cleanup: Cleanup): Promise<string> {
  mkdirSync(BENCH_CACHE, { recursive: true });
  const dir = mkdtempSync(join(BENCH_CACHE, 'run-'));
  cleanup.add("the run's build", () => rmSync(dir, { recursive: true, force: true }));
  await runNode(cleanup, 'vite build (app)', [
    VITE,
    'build',
    '--outDir',
    dir,
    '--emptyOutDir',
    '--logLevel',
    'error',
  ]);
  // The bench's nats-server listens on a free loopback port, not the one public/config.json names.
  writeContentSecurityPolicy(dir, LOOPBACK_SOURCES);
  await runNode(cleanup, 'vite build (baseline page)', [
    VITE,
    'build',
    '--config',
    join(REPO_ROOT, 'scripts', 'bench', 'baseline-page', 'vite.config.ts'),
    '--outDir',
    join(dir, BASELINE_PATH),
    '--emptyOutDir',
    '--logLevel',
    'error',
  ]);
  return dir;
}
