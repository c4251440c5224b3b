import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startNatsServer, type NatsServerHandle } from '../../scripts/lib/nats-server.mjs';
import type { NatsConnection } from '../../src/nats/connection';
import { provision } from '../../src/nats/provision';
import { ADMIN, connectAs, killWorkers, spawnWorker } from './helpers';

let server: NatsServerHandle;
let admin: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  admin = await connectAs(server.clientUrl, ADMIN);
});

afterAll(async () => {
  await killWorkers();
  await admin.close();
  await server.stop();
});

describe('worker start-up', () => {
  it('given a server that was never provisioned, then both workers say what is missing, wait, and start once it is there', async () => {
    const projector = spawnWorker('projector', server.clientUrl);
    const notifier = spawnWorker('notifier', server.clientUrl);
    const missing = (l: { msg?: string; reason?: unknown }) =>
      l.msg === 'cycle failed; starting it again' &&
      /does not exist — run `npm run provision`/.test(String(l.reason));
    await projector.waitForLog(missing, 'the missing stream');
    await notifier.waitForLog(missing, 'the missing stream');
    await provision(admin);
    await projector.waitForLog((l) => l.msg === 'ready', 'ready');
    await notifier.waitForLog((l) => l.msg === 'following stock levels and thresholds', 'following');
    expect(projector.child.exitCode).toBeNull();
    expect(notifier.child.exitCode).toBeNull();
  }, 60_000);

  it('given an unknown option, then a worker prints its usage and exits with code 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/workers/projector.ts', '--bogus', '1'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('unknown option --bogus');
    expect(stderr).toContain('--rebuild');
  }, 30_000);
});
