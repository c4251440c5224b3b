/** `vite preview` of a build directory on a given port, stopped by the cleanup. */
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/nats-server.mjs';
import type { Cleanup } from './cleanup';
import { startNode } from './node-child';

const VITE = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
const START_TIMEOUT_MS = 30_000;

export async function startPreview(cleanup: Cleanup, dir: string, port: number): Promise<string> {
  const url = `http://127.0.0.1:${port}`;
  const preview = startNode(
    cleanup,
    'vite preview',
    [VITE, 'preview', '--outDir', dir, '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  preview.child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (preview.child.exitCode !== null) throw new Error(`vite preview exited: ${stderr}`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return url;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`vite preview did not answer on ${url} within ${START_TIMEOUT_MS} ms: ${stderr}`);
}
