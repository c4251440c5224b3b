import { describe, expect, test } from 'vitest';
import { natsUrlText } from './runtime-config';

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
