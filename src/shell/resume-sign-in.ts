/**
 * A reload signs in again with what the tab kept (docs/security.md#8-a-signed-in-tab), once per page load:
 * React's double effects in development must not open a second connection.
 */
import type { EngineClient } from '../engine/client';
import type { Credentials } from '../engine/protocol';
import { signIn, type Session } from '../common/session';

let resuming: Promise<Session> | null = null;

export function resumeSignIn(
  engine: EngineClient,
  credentials: Credentials,
  headerPrefix: string,
): Promise<Session> {
  resuming ??= signIn(engine, credentials, headerPrefix);
  return resuming;
}
