/**
 * Signing in is a request to the engine that settles on its first verdict. The password is kept only for the
 * tab, so that a reload stays signed in (tab-sign-in.ts, docs/security.md#8-a-signed-in-tab); the server URL
 * and user are remembered on the device only when the user asks.
 */
import type { EngineClient } from '../engine/client';
import type { Credentials, SignInErrorKind } from '../engine/protocol';
import { formatServerList, parseServerList } from '../core/server-list';
import type { Grants } from '../core/grants';

export interface Session {
  user: string;
  /** What the server said this person may do. */
  grants: Grants;
  /** The servers signed in to, as one line (`ws://a:9222, ws://b:9222`). */
  servers: string;
  serverVersion: string;
}

export class SignInError extends Error {
  constructor(
    readonly kind: SignInErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'SignInError';
  }
}

/**
 * `credentials.servers` is one WebSocket URL or a comma-separated list of them (the nodes of a cluster): a
 * bad entry is refused here with a message that says which one and why, before any connection attempt.
 */
export function signIn(
  engine: EngineClient,
  credentials: Credentials,
  headerPrefix: string,
): Promise<Session> {
  const list = parseServerList(credentials.servers, 'websocket');
  if (!list.ok) return Promise.reject(new SignInError('other', list.message));
  // The engine's connect options take a comma-separated string; entries come back trimmed and checked.
  const servers = list.servers.join(',');
  return new Promise((resolve, reject) => {
    const unsubscribe = engine.subscribe((message) => {
      if (message.type === 'signed-in') {
        unsubscribe();
        resolve({
          user: message.user,
          grants: message.grants,
          servers: formatServerList(list.servers),
          serverVersion: message.serverVersion,
        });
      } else if (message.type === 'sign-in-failed') {
        unsubscribe();
        reject(new SignInError(message.kind, message.message));
      }
    });
    engine.connect({ ...credentials, servers }, headerPrefix);
  });
}

const REMEMBER_KEY = 'stockwire.remembered';

export interface Remembered {
  servers: string;
  user: string;
}

export function loadRemembered(): Remembered | null {
  try {
    const raw = localStorage.getItem(REMEMBER_KEY);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<Remembered>;
    return typeof value.servers === 'string' && typeof value.user === 'string'
      ? { servers: value.servers, user: value.user }
      : null;
  } catch {
    return null;
  }
}

export function saveRemembered(value: Remembered | null): void {
  if (value) localStorage.setItem(REMEMBER_KEY, JSON.stringify(value));
  else localStorage.removeItem(REMEMBER_KEY);
}
