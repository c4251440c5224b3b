/**
 * A wall screen's credential is handed over once, in the fragment of the address the administrator gives
 * out (`/display?warehouse=46#user=wall-46&password=…`), and kept on the device from then on. Browsers send
 * neither the fragment to the server nor in a Referer, and the page takes it out of the address bar at
 * once, so history, bookmarks, server logs and a photo of the screen do not carry the password.
 *
 * Pure: the caller passes the address and the storage, and applies `cleanUrl` with `history.replaceState`.
 */

export interface ScreenCredential {
  user: string;
  password: string;
  /** The `server` of the address it was handed over with, for a later visit to a bare `/display`. */
  servers?: string;
}

/** The part of `Storage` used here; tests pass a Map-backed one. */
export interface CredentialStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export const SCREEN_CREDENTIAL_KEY = 'stockwire.screen';

export type CredentialSource = 'fragment' | 'stored' | 'none';

export interface TakenCredential {
  credential: ScreenCredential | null;
  source: CredentialSource;
  /** Path and query to show instead of the current address, or null when there is nothing to remove. */
  cleanUrl: string | null;
  /** Things to tell whoever set the screen up; none of them stops the screen. */
  notices: string[];
}

const QUERY_CREDENTIAL_KEYS = new Set(['user', 'password']);

export const QUERY_CREDENTIAL_NOTICE =
  'A user or password in the address before "#" is ignored and was removed: it would end up in browser ' +
  'history and server logs. Credentials belong after "#" (…#user=…&password=…).';

/**
 * Reads the credential from the fragment, else from the store. `href` is the whole address; `store` may be
 * null where the browser offers no storage. Writes the store when the fragment brings a credential.
 */
export function takeScreenCredential(href: string, store: CredentialStore | null): TakenCredential {
  const url = new URL(href, 'http://screen.invalid');
  const notices: string[] = [];
  const query = withoutQueryCredential(url.search);
  if (query.removed) notices.push(QUERY_CREDENTIAL_NOTICE);
  const fragment = url.hash.length > 1 ? url.hash.slice(1) : '';
  // Any fragment goes: the page has no anchors, and a mistyped credential is still a secret.
  const cleanUrl = query.removed || url.hash !== '' ? `${url.pathname}${query.search}` : null;

  const handed = fragment === '' ? null : parseFragment(fragment);
  if (handed && 'problem' in handed) notices.push(handed.problem);
  if (handed && 'user' in handed) {
    const server = new URLSearchParams(url.search).get('server');
    const credential: ScreenCredential = server ? { ...handed, servers: server } : handed;
    const problem = store ? save(store, credential) : 'this browser offers no storage';
    if (problem) {
      notices.push(
        `The credential could not be kept on this device (${problem}): after a reload the screen will need ` +
          'the address with "#user=…&password=…" again.',
      );
    }
    return { credential, source: 'fragment', cleanUrl, notices };
  }
  const stored = store ? loadScreenCredential(store) : null;
  return { credential: stored, source: stored ? 'stored' : 'none', cleanUrl, notices };
}

/** The credential kept on this device, or null when there is none or it is not one of ours. */
export function loadScreenCredential(store: CredentialStore): ScreenCredential | null {
  let raw: string | null;
  try {
    raw = store.getItem(SCREEN_CREDENTIAL_KEY);
  } catch {
    return null;
  }
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<Record<keyof ScreenCredential, unknown>> | null;
    if (typeof value?.user !== 'string' || value.user === '') return null;
    if (typeof value.password !== 'string' || value.password === '') return null;
    const credential: ScreenCredential = { user: value.user, password: value.password };
    if (typeof value.servers === 'string' && value.servers !== '') credential.servers = value.servers;
    return credential;
  } catch {
    return null;
  }
}

function save(store: CredentialStore, credential: ScreenCredential): string | undefined {
  try {
    store.setItem(SCREEN_CREDENTIAL_KEY, JSON.stringify(credential));
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function parseFragment(fragment: string): { user: string; password: string } | { problem: string } | null {
  const params = new URLSearchParams(fragment);
  const user = params.get('user') ?? '';
  const password = params.get('password') ?? '';
  if (user !== '' && password !== '') return { user, password };
  if (!params.has('user') && !params.has('password')) return null;
  return {
    problem: `The address after "#" needs both user= and password=; it has ${user === '' ? 'no user' : 'no password'}.`,
  };
}

/**
 * The query without `user` and `password`. The other parameters keep their exact spelling: re-encoding them
 * would turn `panels=sales,stock` into `panels=sales%2Cstock` in the address bar.
 */
function withoutQueryCredential(search: string): { search: string; removed: boolean } {
  const parts = search.replace(/^\?/, '').split('&');
  const kept = parts.filter((part) => {
    if (part === '') return false;
    const key = part.split('=', 1)[0] ?? '';
    let name = key;
    try {
      name = decodeURIComponent(key.replace(/\+/g, ' '));
    } catch {
      // A malformed escape is not one of our keys.
    }
    return !QUERY_CREDENTIAL_KEYS.has(name);
  });
  const removed = kept.length !== parts.filter((p) => p !== '').length;
  return { search: kept.length > 0 ? `?${kept.join('&')}` : '', removed };
}
