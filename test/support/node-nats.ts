/** TCP connections for Node-side tests (admin, services; browser roles are refused on this port). */
import { connectNode } from '../../src/nats/connect-node';
import type { NatsConnection } from '../../src/nats/connection';
import { claimTransport } from './transport';
import { LOGINS, type User } from './users';

export async function connectTcp(servers: string, user: User): Promise<NatsConnection> {
  claimTransport('tcp');
  return connectNode({ servers, ...LOGINS[user], maxReconnectAttempts: -1, timeoutMs: 5000 });
}

/** Connects with arbitrary credentials and reports the error, for sign-in tests. */
export async function connectTcpError(
  servers: string,
  credentials: { user?: string; password?: string },
): Promise<unknown> {
  claimTransport('tcp');
  try {
    const nc = await connectNode({ servers, ...credentials, maxReconnectAttempts: 0, timeoutMs: 5000 });
    await nc.close();
    return undefined;
  } catch (err) {
    return err;
  }
}
