import { describe, expect, it } from 'vitest';
import { forgetTabSignIn, loadTabSignIn, saveTabSignIn } from './tab-sign-in';

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> & {
  items: Map<string, string>;
} {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

describe("the tab's kept sign-in", () => {
  const credentials = { servers: 'ws://127.0.0.1:9222', user: 'alice', password: 'stockwire-alice' };

  it('given a sign-in kept, then a reload reads it back, and signing out removes it', () => {
    const storage = memoryStorage();
    expect(loadTabSignIn(storage)).toBeNull();
    saveTabSignIn(credentials, storage);
    expect(loadTabSignIn(storage)).toEqual(credentials);
    forgetTabSignIn(storage);
    expect(loadTabSignIn(storage)).toBeNull();
    expect(storage.items.size).toBe(0);
  });

  it('given a value someone edited, or a storage that refuses, then there is nothing to sign in with', () => {
    const storage = memoryStorage();
    storage.items.set('stockwire.tab-sign-in', '{"user":"alice"}');
    expect(loadTabSignIn(storage)).toBeNull();
    storage.items.set('stockwire.tab-sign-in', 'not json');
    expect(loadTabSignIn(storage)).toBeNull();
    const refusing = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    };
    expect(loadTabSignIn(refusing)).toBeNull();
    expect(() => saveTabSignIn(credentials, refusing)).not.toThrow();
    expect(() => forgetTabSignIn(refusing)).not.toThrow();
  });
});
