/**
 * The initial-JS goal: gzipped size of the JS a first visit must load before the app can start — the entry
 * script of index.html, its modulepreloads and, transitively, their static imports. Everything else (dynamic
 * imports such as the charts, the engine worker) is listed separately.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface BundleSize {
  initialGzKb: number;
  initialFiles: string[];
  /** Every other JS file of the build, by name, gzipped KB. */
  otherGzKb: Record<string, number>;
}

const STATIC_IMPORT =
  /(?:^|[;}\s])(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["'`](\.{1,2}\/[^"'`]+\.js)["'`]/g;

export function bundleSize(buildDir: string): BundleSize {
  const html = readFileSync(join(buildDir, 'index.html'), 'utf8');
  const roots = [
    ...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+\.js)"/g),
    ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"/g),
  ].map((m) => m[1]!.replace(/^\//, ''));
  const initial = new Set<string>();
  const visit = (file: string) => {
    if (initial.has(file)) return;
    initial.add(file);
    const code = readFileSync(join(buildDir, file), 'utf8');
    for (const m of code.matchAll(STATIC_IMPORT)) visit(posix.join(posix.dirname(file), m[1]!));
  };
  roots.forEach(visit);
  if (initial.size === 0) throw new Error(`no entry script found in ${join(buildDir, 'index.html')}`);
  const gzKb = (file: string) => gzipSync(readFileSync(join(buildDir, file))).byteLength / 1024;
  const otherGzKb: Record<string, number> = {};
  for (const name of readdirSync(join(buildDir, 'assets'))) {
    const file = `assets/${name}`;
    if (name.endsWith('.js') && !initial.has(file)) otherGzKb[file] = round1(gzKb(file));
  }
  return {
    initialGzKb: round1([...initial].reduce((sum, file) => sum + gzKb(file), 0)),
    initialFiles: [...initial],
    otherGzKb,
  };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
