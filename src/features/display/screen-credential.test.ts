import { describe, expect, it } from 'vitest';
import {
  loadScreenCredential,
  QUERY_CREDENTIAL_NOTICE,
  SCREEN_CREDENTIAL_KEY,
  takeScreenCredential,
  type CredentialStore,
} from './screen-credential';

function memoryStore(initial: Record<string, string> = {}): CredentialStore & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
  };
}

const ORIGIN = 'http://127.0.0.1:5173';

describe('takeScreenCredential', () => {
  it('takes the credential from the fragment, keeps it, and drops the fragment from the address', () => {
    const store = memoryStore();
    const taken = takeScreenCredential(
      `${ORIGIN}/display?warehouse=46&panels=sales,low-stock,stock&rotate=30#user=wall-46&password=s%2Bcret%26x`,
      store,
    );
    expect(taken).toEqual({
      credential: { user: 'wall-46', password: 's+cret&x' },
      source: 'fragment',
      cleanUrl: '/display?warehouse=46&panels=sales,low-stock,stock&rotate=30',
      notices: [],
    });
    expect(JSON.parse(store.data.get(SCREEN_CREDENTIAL_KEY)!)).toEqual({
      user: 'wall-46',
      password: 's+cret&x',
    });
  });

  it('remembers the server of the address it was handed over with', () => {
    const store = memoryStore();
    const taken = takeScreenCredential(
      `${ORIGIN}/display?server=wss://n1.example.com,wss://n2.example.com#user=wall-52&password=pw`,
      store,
    );
    expect(taken.credential).toEqual({
      user: 'wall-52',
      password: 'pw',
      servers: 'wss://n1.example.com,wss://n2.example.com',
    });
    expect(loadScreenCredential(store)).toEqual(taken.credential);
  });

  it('replaces a kept credential with the one of a new address', () => {
    const store = memoryStore({
      [SCREEN_CREDENTIAL_KEY]: JSON.stringify({ user: 'wall-46', password: 'old' }),
    });
    takeScreenCredential(`${ORIGIN}/display#user=wall-46&password=new`, store);
    expect(loadScreenCredential(store)).toEqual({ user: 'wall-46', password: 'new' });
  });

  it('uses the kept credential when the address has no fragment, and leaves a clean address alone', () => {
    const store = memoryStore({
      [SCREEN_CREDENTIAL_KEY]: JSON.stringify({ user: 'wall-46', password: 'pw', servers: 'ws://a:9222' }),
    });
    expect(takeScreenCredential(`${ORIGIN}/display?warehouse=46`, store)).toEqual({
      credential: { user: 'wall-46', password: 'pw', servers: 'ws://a:9222' },
      source: 'stored',
      cleanUrl: null,
      notices: [],
    });
  });

  it('says there is none when neither the address nor the device has one', () => {
    expect(takeScreenCredential(`${ORIGIN}/display?warehouse=46`, memoryStore())).toEqual({
      credential: null,
      source: 'none',
      cleanUrl: null,
      notices: [],
    });
    expect(takeScreenCredential(`${ORIGIN}/display`, null).source).toBe('none');
  });

  it('ignores a user and password in the query, strips them, and keeps the rest exactly as written', () => {
    const store = memoryStore();
    const taken = takeScreenCredential(
      `${ORIGIN}/display?user=display&warehouse=46&panels=sales,stock&password=stockwire-display&rotate=30`,
      store,
    );
    expect(taken).toEqual({
      credential: null,
      source: 'none',
      cleanUrl: '/display?warehouse=46&panels=sales,stock&rotate=30',
      notices: [QUERY_CREDENTIAL_NOTICE],
    });
    expect(store.data.size).toBe(0);
  });

  it('prefers the fragment over a query credential and over a kept one, and strips both from the address', () => {
    const store = memoryStore({
      [SCREEN_CREDENTIAL_KEY]: JSON.stringify({ user: 'wall-46', password: 'kept' }),
    });
    const taken = takeScreenCredential(
      `${ORIGIN}/display?password=leaked&warehouse=46#user=wall-52&password=handed`,
      store,
    );
    expect(taken.credential).toEqual({ user: 'wall-52', password: 'handed' });
    expect(taken.source).toBe('fragment');
    expect(taken.cleanUrl).toBe('/display?warehouse=46');
    expect(taken.notices).toEqual([QUERY_CREDENTIAL_NOTICE]);
  });

  it('recognises encoded query keys as well', () => {
    const taken = takeScreenCredential(`${ORIGIN}/display?pass%77ord=x&warehouse=46`, memoryStore());
    expect(taken.cleanUrl).toBe('/display?warehouse=46');
  });

  it('strips an incomplete fragment, says what it lacks, and falls back to the kept credential', () => {
    const store = memoryStore({
      [SCREEN_CREDENTIAL_KEY]: JSON.stringify({ user: 'wall-46', password: 'kept' }),
    });
    const taken = takeScreenCredential(`${ORIGIN}/display?warehouse=46#user=wall-46`, store);
    expect(taken).toEqual({
      credential: { user: 'wall-46', password: 'kept' },
      source: 'stored',
      cleanUrl: '/display?warehouse=46',
      notices: ['The address after "#" needs both user= and password=; it has no password.'],
    });
    expect(takeScreenCredential(`${ORIGIN}/display#password=x`, memoryStore()).notices).toEqual([
      'The address after "#" needs both user= and password=; it has no user.',
    ]);
  });

  it('drops any other fragment from the address without reading it as a credential', () => {
    const taken = takeScreenCredential(`${ORIGIN}/display?warehouse=46#top`, memoryStore());
    expect(taken).toEqual({
      credential: null,
      source: 'none',
      cleanUrl: '/display?warehouse=46',
      notices: [],
    });
  });

  it('still shows the screen when the device cannot keep the credential, and says a reload will need it', () => {
    const full: CredentialStore = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    const taken = takeScreenCredential(`${ORIGIN}/display#user=wall-46&password=pw`, full);
    expect(taken.credential).toEqual({ user: 'wall-46', password: 'pw' });
    expect(taken.source).toBe('fragment');
    expect(taken.notices).toEqual([
      'The credential could not be kept on this device (QuotaExceededError): after a reload the screen will ' +
        'need the address with "#user=…&password=…" again.',
    ]);
  });
});

describe('loadScreenCredential', () => {
  it('refuses what is not a whole credential', () => {
    for (const raw of ['', 'not json', 'null', '[]', '{"user":"wall-46"}', '{"user":"","password":"x"}']) {
      expect(loadScreenCredential(memoryStore({ [SCREEN_CREDENTIAL_KEY]: raw }))).toBeNull();
    }
    const throwing: CredentialStore = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => undefined,
    };
    expect(loadScreenCredential(throwing)).toBeNull();
  });

  it('drops a server entry that is not a string', () => {
    const store = memoryStore({
      [SCREEN_CREDENTIAL_KEY]: JSON.stringify({ user: 'wall-46', password: 'pw', servers: 42 }),
    });
    expect(loadScreenCredential(store)).toEqual({ user: 'wall-46', password: 'pw' });
  });
});
