/**
 * The sign-in kept for this tab, so that a reload stays signed in (docs/security.md#8-a-signed-in-tab): the
 * server list, user and password in sessionStorage, which belongs to the tab and is gone when it closes —
 * never in localStorage, which every tab and every later visit share, and never in the address. "Sign out"
 * removes it; so does a refusal by the server.
 */
import type { Credentials } from '../engine/protocol';

const KEY = 'stockwire.tab-sign-in';

type TabStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function loadTabSignIn(storage: TabStorage = sessionStorage): Credentials | null {
  try {
    const raw = storage.getItem(KEY);
    if (raw === null) return null;
    const value = JSON.parse(raw) as Partial<Record<keyof Credentials, unknown>>;
    return typeof value.servers === 'string' &&
      typeof value.user === 'string' &&
      typeof value.password === 'string'
      ? { servers: value.servers, user: value.user, password: value.password }
      : null;
  } catch {
    // A storage the browser refuses (a privacy mode) or a value someone edited: sign in by hand.
    return null;
  }
}

export function saveTabSignIn(credentials: Credentials, storage: TabStorage = sessionStorage): void {
  try {
    storage.setItem(
      KEY,
      JSON.stringify({
        servers: credentials.servers,
        user: credentials.user,
        password: credentials.password,
      }),
    );
  } catch {
    // Without storage a reload asks for the password again, as it did before.
  }
}

export function forgetTabSignIn(storage: TabStorage = sessionStorage): void {
  try {
    storage.removeItem(KEY);
  } catch {
    // Nothing was kept.
  }
}
