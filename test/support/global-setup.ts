/**
 * One nats-server for the integration project: free ports, a temporary store, the repository's
 * nats-server.conf, provisioned. Tests read the URLs with `inject('nats')`; teardown stops it by PID.
 */
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { startNatsServer } from '../../scripts/lib/nats-server.mjs';
import { connectNode } from '../../src/nats/connect-node';
import { provision } from '../../src/nats/provision';
import { LOGINS } from './users';

export interface ProvidedNats {
  clientUrl: string;
  wsUrl: string;
  httpPort: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    nats: ProvidedNats;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startNatsServer();
  try {
    const nc = await connectNode({
      servers: server.clientUrl,
      ...LOGINS.admin,
      maxReconnectAttempts: 0,
    });
    try {
      await provision(nc);
    } finally {
      await nc.close();
    }
  } catch (err) {
    await server.stop();
    throw err;
  }
  project.provide('nats', { clientUrl: server.clientUrl, wsUrl: server.wsUrl, httpPort: server.httpPort });
  return async () => {
    await server.stop();
    rmSync(server.storeDir, { recursive: true, force: true });
  };
}
