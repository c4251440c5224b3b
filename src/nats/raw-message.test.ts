import { describe, expect, it } from 'vitest';
import { DEDUPE_HEADER, headerNames } from '../core/events';
import { MessageHeaders } from './raw-message';

function block(headers: [string, string][]): Uint8Array {
  return new TextEncoder().encode(`NATS/1.0\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
}

describe('MessageHeaders: the event headers of whatever prefix the reader asks for', () => {
  it.each(['myorg', 'acme', 'a-b_2'])(
    'given events written with prefix %s, then they read back',
    (prefix) => {
      const names = headerNames(prefix);
      const headers = MessageHeaders.fromBlock(
        block([
          [names.format, 'application/json'],
          [names.type, 'stock.sold'],
          [names.msgId, 'id-1'],
          [names.timestampMs, '1700000000000'],
          [DEDUPE_HEADER, 'id-1'],
        ]),
      );
      expect(headers.get(names.type)).toBe('stock.sold');
      expect(headers.get(names.format)).toBe('application/json');
      expect(headers.get(names.msgId)).toBe('id-1');
      expect(headers.get(names.timestampMs)).toBe('1700000000000');
      expect(headers.get(DEDUPE_HEADER)).toBe('id-1');
    },
  );

  it('given a message with both prefixes, then each reader sees only its own', () => {
    const headers = MessageHeaders.fromBlock(
      block([
        ['myorg_type', 'stock.sold'],
        ['acme_type', 'stock.moved'],
        ['X-Other', 'x'],
      ]),
    );
    expect(headers.get('acme_type')).toBe('stock.moved');
    expect(headers.get('myorg_type')).toBe('stock.sold');
    expect(headers.get('acme_format')).toBeUndefined();
    expect(headers.get('X-Other')).toBe('x');
  });
});
