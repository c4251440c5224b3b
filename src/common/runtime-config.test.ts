import { describe, expect, test } from 'vitest';
import { headerPrefixOf, natsUrlText } from './runtime-config';

describe('natsUrlText: config.json natsUrl as the sign-in field text', () => {
  test('given one URL or a comma-separated string, then it is shown as written', () => {
    expect(natsUrlText({ natsUrl: 'ws://127.0.0.1:9222' })).toBe('ws://127.0.0.1:9222');
    expect(natsUrlText({ natsUrl: 'ws://a:9222,ws://b:9223' })).toBe('ws://a:9222,ws://b:9223');
  });

  test('given an array of URLs, then one comma-separated line', () => {
    expect(natsUrlText({ natsUrl: ['ws://a:9222', ' ws://b:9223 ', ''] })).toBe('ws://a:9222, ws://b:9223');
  });

  test('given nothing usable, then undefined so the default applies', () => {
    expect(natsUrlText(null)).toBeUndefined();
    expect(natsUrlText({})).toBeUndefined();
    expect(natsUrlText({ natsUrl: '  ' })).toBeUndefined();
    expect(natsUrlText({ natsUrl: [] })).toBeUndefined();
    expect(natsUrlText({ natsUrl: [''] })).toBeUndefined();
    expect(natsUrlText({ natsUrl: ['ws://a:9222', 9223] })).toBeUndefined();
    expect(natsUrlText({ natsUrl: 9222 })).toBeUndefined();
  });
});

describe('headerPrefixOf: config.json headerPrefix', () => {
  test('given none (or no file), then the default prefix', () => {
    expect(headerPrefixOf(null)).toEqual({ ok: true, prefix: 'myorg' });
    expect(headerPrefixOf({ natsUrl: 'ws://a:9222' })).toEqual({ ok: true, prefix: 'myorg' });
  });

  test('given one, then that prefix', () => {
    expect(headerPrefixOf({ headerPrefix: 'acme' })).toEqual({ ok: true, prefix: 'acme' });
  });

  test('given a bad one, then a message that names the file and the field', () => {
    expect(headerPrefixOf({ headerPrefix: 'my org' })).toEqual({
      ok: false,
      message: expect.stringMatching(/^config\.json "headerPrefix" "my org" contains space; allowed are /),
    });
    expect(headerPrefixOf({ headerPrefix: '' })).toMatchObject({ ok: false });
    expect(headerPrefixOf({ headerPrefix: 7 })).toMatchObject({ ok: false });
  });
});
