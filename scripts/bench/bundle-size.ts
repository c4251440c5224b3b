/**
 * The initial-JS goal: gzipped size of every script a first visit loads before its first view shows figures —
 * index.html's entry and its imports, the engine worker's script and its imports, and the replay pump that the
 * first replay starts. It is taken from what Chromium fetched in the cold replay (a fresh context, nothing
 * cached), not read from the build: the workers start from blob: URLs that import their scripts
 * (src/engine/policy-bound-worker.ts) and the pump is started by the engine worker, so none of them is in
 * index.html's import graph, and only the browser knows which scripts a first view really waited for. The sizes
 * are those of the build's files gzipped here, as a server compressing them would send them; every other JS
 * file of the build (lazy chunks such as the charts) is listed separately.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page, Request } from '@playwright/test';

export interface BundleSize {
  initialGzKb: number;
  initialFiles: string[];
  /** Every other JS file of the build, by name, gzipped KB. */
  otherGzKb: Record<string, number>;
}

export interface ScriptWatch {
  /** The app's scripts, as paths in the build, whose requests started at or before `ms` (epoch ms). */
  requestedBy(ms: number): string[];
}

/**
 * Records the app's script requests of a page and of its workers (Playwright reports a worker's requests as its
 * page's). Must be called before the page loads anything.
 */
export function watchScripts(page: Page, appUrl: string): ScriptWatch {
  const origin = new URL(appUrl).origin;
  const requests: { path: string; request: Request; seenMs: number }[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin !== origin || !url.pathname.endsWith('.js')) return;
    requests.push({ path: url.pathname.replace(/^\//, ''), request, seenMs: Date.now() });
  });
  // The browser's start time, when it has told it, is earlier than the event reaching this process.
  const startedMs = ({ request, seenMs }: (typeof requests)[number]) => {
    const { startTime } = request.timing();
    return startTime > 0 ? startTime : seenMs;
  };
  return {
    requestedBy: (ms) => [...new Set(requests.filter((r) => startedMs(r) <= ms).map((r) => r.path))],
  };
}

/** Sizes of the scripts a first view loaded (`initial`, paths in the build) and of the build's other JS. */
export function bundleSize(buildDir: string, initial: readonly string[]): BundleSize {
  if (initial.length === 0) throw new Error('the first view loaded no script of the app');
  const gzKb = (file: string) => {
    const path = join(buildDir, file);
    if (!existsSync(path)) throw new Error(`the page loaded ${file}, which the build does not have`);
    return gzipSync(readFileSync(path)).byteLength / 1024;
  };
  const otherGzKb: Record<string, number> = {};
  for (const name of readdirSync(join(buildDir, 'assets'))) {
    const file = `assets/${name}`;
    if (name.endsWith('.js') && !initial.includes(file)) otherGzKb[file] = round1(gzKb(file));
  }
  return {
    initialGzKb: round1(initial.reduce((sum, file) => sum + gzKb(file), 0)),
    initialFiles: [...initial],
    otherGzKb,
  };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
