import { describe, expect, test } from 'vitest';
import { formatServerList, parseServerList, splitServerList } from './server-list';

function problem(text: string, transport: 'websocket' | 'tcp'): string {
  const result = parseServerList(text, transport);
  if (result.ok) throw new Error(`expected "${text}" to be refused, got ${result.servers.join(' | ')}`);
  return result.message;
}

describe('parseServerList', () => {
  test('given one URL, then a list of one', () => {
    expect(parseServerList('ws://127.0.0.1:9222', 'websocket')).toEqual({
      ok: true,
      servers: ['ws://127.0.0.1:9222'],
    });
  });

  test('given a comma-separated list with spaces, then the trimmed entries in the order typed', () => {
    expect(parseServerList(' ws://a:9222 ,wss://b.example/nats,  ws://[::1]:9224', 'websocket')).toEqual({
      ok: true,
      servers: ['ws://a:9222', 'wss://b.example/nats', 'ws://[::1]:9224'],
    });
    expect(parseServerList('nats://n1:4222,tls://n2:4223,nats://n3', 'tcp')).toEqual({
      ok: true,
      servers: ['nats://n1:4222', 'tls://n2:4223', 'nats://n3'],
    });
  });

  test('given a trailing comma, then it is ignored', () => {
    expect(parseServerList('ws://a:9222,', 'websocket')).toEqual({ ok: true, servers: ['ws://a:9222'] });
  });

  test('given nothing, then it asks for a URL and shows the form of one', () => {
    expect(problem('', 'websocket')).toBe(
      'Enter at least one server URL, e.g. ws://host:9222; separate several with commas.',
    );
    expect(problem(' , ', 'tcp')).toBe(
      'Enter at least one server URL, e.g. nats://host:4222; separate several with commas.',
    );
  });

  test('given an empty entry between two, then it names the entry', () => {
    expect(problem('ws://a:1,,ws://b:2', 'websocket')).toBe(
      'Server 2 of the list is empty: remove the extra comma or fill in the URL.',
    );
  });

  test('given servers separated by spaces, then it says to use commas', () => {
    expect(problem('ws://a:1 ws://b:2', 'websocket')).toBe(
      '"ws://a:1 ws://b:2" contains a space; separate servers with commas.',
    );
  });

  test('given no scheme, then it says which schemes fit', () => {
    expect(problem('127.0.0.1:9222', 'websocket')).toBe(
      '"127.0.0.1:9222" needs to start with ws:// or wss://, e.g. ws://host:9222.',
    );
    expect(problem('nats://a:4222,b:4223', 'tcp')).toBe(
      'Server 2 of the list: "b:4223" needs to start with nats:// or tls://, e.g. nats://host:4222.',
    );
  });

  test('given the other transport, then it explains which port is which', () => {
    expect(problem('nats://127.0.0.1:4222', 'websocket')).toBe(
      '"nats://127.0.0.1:4222": nats:// is the client port for Node programs; the browser connects over WebSocket. Use ws:// or wss://, e.g. ws://host:9222.',
    );
    expect(problem('ws://127.0.0.1:9222', 'tcp')).toBe(
      '"ws://127.0.0.1:9222": ws:// is the WebSocket port for browsers; Node programs use the client port. Use nats:// or tls://, e.g. nats://host:4222.',
    );
    expect(problem('http://127.0.0.1:9222', 'websocket')).toBe(
      '"http://127.0.0.1:9222": http:// is not a NATS address. Use ws:// or wss://, e.g. ws://host:9222.',
    );
  });

  test('given a bad host or port, then it is refused before any connection attempt', () => {
    expect(problem('ws://h:99999', 'websocket')).toBe(
      '"ws://h:99999" is not a valid URL (check the host and port), e.g. ws://host:9222.',
    );
    expect(problem('ws://:9222', 'websocket')).toContain('is not a valid URL');
    expect(problem('nats://', 'tcp')).toBe('"nats://" has no host name, e.g. nats://host:4222.');
    expect(problem('ws://h:0', 'websocket')).toBe(
      '"ws://h:0" has port 0; use the server\'s port, e.g. ws://host:9222.',
    );
  });

  test('given credentials, a query or a path where none belongs, then it is refused', () => {
    expect(problem('ws://manager:secret@h:9222', 'websocket')).toBe(
      '"ws://manager:secret@h:9222" contains a user or password: enter them in their own fields, not in the URL.',
    );
    expect(problem('ws://h:9222/?x=1', 'websocket')).toBe('"ws://h:9222/?x=1" must not contain "?" or "#".');
    expect(problem('nats://h:4222/nats', 'tcp')).toBe(
      '"nats://h:4222/nats" has a path; a client port URL is just nats://host:4222.',
    );
  });

  test('given the same server twice, then it says so', () => {
    expect(problem('ws://a:1, ws://a:1', 'websocket')).toBe('"ws://a:1" is listed twice.');
  });

  test('given a very long entry, then the message quotes only its start', () => {
    const message = problem(`${'x'.repeat(200)}:9222`, 'websocket');
    expect(message.length).toBeLessThan(160);
    expect(message).toContain('…');
  });
});

describe('splitServerList and formatServerList', () => {
  test('split drops empty entries and spaces; format joins for display', () => {
    expect(splitServerList(' ws://a:1,, ws://b:2 ,')).toEqual(['ws://a:1', 'ws://b:2']);
    expect(splitServerList('ws://a:1')).toEqual(['ws://a:1']);
    expect(formatServerList(['ws://a:1', 'ws://b:2'])).toBe('ws://a:1, ws://b:2');
    expect(parseServerList(formatServerList(['ws://a:1', 'ws://b:2']), 'websocket')).toEqual({
      ok: true,
      servers: ['ws://a:1', 'ws://b:2'],
    });
  });
});
