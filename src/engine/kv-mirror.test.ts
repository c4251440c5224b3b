import { describe, expect, it } from 'vitest';
import { KvMirror, type KvEntry } from './kv-mirror';

const put = (key: string, revision: number, value: unknown): KvEntry => ({
  key,
  revision,
  operation: 'PUT',
  value: new TextEncoder().encode(JSON.stringify(value)),
});

describe('KvMirror', () => {
  it('keeps the newest revision per key, ignoring a repeated or older delivery', () => {
    const mirror = new KvMirror();
    const level = (quantity: number, last_seq: number) => ({
      warehouse: '46',
      product_name: 'Apples',
      quantity,
      last_seq,
      updated_ms: 1,
    });
    mirror.apply([put('46.Apples', 5, level(3, 10)), put('46.Apples', 4, level(9, 9))], false);
    mirror.apply([put('46.Apples', 5, level(7, 10))], true);
    expect(mirror.levels()['46.Apples']).toEqual({
      key: '46.Apples',
      revision: 5,
      value: { ok: true, ...level(3, 10) },
    });
    expect(mirror.ready).toBe(true);
  });

  it('forgets deleted keys and reports unreadable values instead of trusting them', () => {
    const mirror = new KvMirror();
    mirror.apply([put('a', 1, { threshold: 4 }), put('b', 2, 'nope'), put('c', 3, { threshold: -1 })], true);
    expect(mirror.thresholds()).toEqual({ a: 4 });
    expect(mirror.levels().b?.value.ok).toBe(false);
    mirror.apply([{ key: 'a', revision: 4, operation: 'DEL', value: new Uint8Array() }], true);
    expect(mirror.thresholds()).toEqual({});
  });

  it('gives the same level object until its key changes, so that a snapshot change can leave it out', () => {
    const mirror = new KvMirror();
    mirror.apply([put('46.Apples', 1, { quantity: 3 }), put('46.Pears', 2, { quantity: 4 })], true);
    const first = mirror.levels();
    mirror.apply([put('46.Pears', 3, { quantity: 5 })], true);
    const second = mirror.levels();
    expect(second['46.Apples']).toBe(first['46.Apples']);
    expect(second['46.Pears']).not.toBe(first['46.Pears']);
    expect(second['46.Pears']?.revision).toBe(3);
    mirror.apply([{ key: '46.Apples', revision: 4, operation: 'DEL', value: new Uint8Array() }], true);
    expect(mirror.levels()['46.Apples']).toBeUndefined();
  });
});
