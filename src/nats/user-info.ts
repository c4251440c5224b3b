/** Asks the server what it grants this connection (docs/security.md: the UI shows this, never a guess). */
import type { NatsConnection } from '@nats-io/nats-core';
import { grantsOf, parseUserInfo, type Grants } from '../core/grants';

export async function readGrants(nc: NatsConnection, timeoutMs = 5000): Promise<Grants> {
  const reply = await nc.request('$SYS.REQ.USER.INFO', '', { timeout: timeoutMs });
  const info = parseUserInfo(reply.json());
  if (!info)
    throw new Error(`the server's answer about this user could not be read: ${reply.string().slice(0, 200)}`);
  return grantsOf(info);
}
