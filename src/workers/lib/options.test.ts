import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../command-line/args';
import { headerNames } from '../../core/events';
import { parseWorkerArgs } from './options';

const spec = { switches: [], numbers: {} };
const existing = fileURLToPath(import.meta.url);

describe('the CA of a TLS client port (NATS_CA)', () => {
  test('given NATS_CA, the target carries the file', () => {
    const args = parseWorkerArgs(['--server', 'tls://nats.example:4222'], spec, { NATS_CA: existing });
    expect(args.target).toMatchObject({ servers: ['tls://nats.example:4222'], caFile: existing });
  });

  test('STOCKWIRE_NATS_CA wins over NATS_CA, like the other STOCKWIRE_* settings', () => {
    const args = parseWorkerArgs([], spec, { STOCKWIRE_NATS_CA: existing, NATS_CA: '/nowhere/ca.pem' });
    expect(args.target.caFile).toBe(existing);
  });

  test('without it (or empty) the target has no CA: the system trust store applies', () => {
    expect(parseWorkerArgs([], spec, {}).target.caFile).toBeUndefined();
    expect(parseWorkerArgs([], spec, { NATS_CA: '' }).target.caFile).toBeUndefined();
  });

  test('a file that is not there is a usage error at start-up, not a connect failure retried forever', () => {
    expect(() => parseWorkerArgs([], spec, { NATS_CA: '/nowhere/ca.pem' })).toThrow(UsageError);
    expect(() => parseWorkerArgs([], spec, { NATS_CA: '/nowhere/ca.pem' })).toThrow(
      'NATS_CA: no file at /nowhere/ca.pem',
    );
  });
});

describe('the event headers prefix (STOCKWIRE_HEADER_PREFIX)', () => {
  test('given none, the default prefix and its names', () => {
    expect(parseWorkerArgs([], spec, {}).headers).toEqual({ prefix: 'myorg', names: headerNames('myorg') });
  });

  test('given one, the worker reads and writes headers with it', () => {
    const { headers } = parseWorkerArgs([], spec, { STOCKWIRE_HEADER_PREFIX: 'acme' });
    expect(headers.prefix).toBe('acme');
    expect(headers.names).toEqual({
      format: 'acme_format',
      type: 'acme_type',
      msgId: 'acme_msg_id',
      timestampMs: 'acme_timestamp_ms',
      user: 'acme_user',
    });
  });

  test.each([
    ['', 'STOCKWIRE_HEADER_PREFIX is empty'],
    ['my org', 'STOCKWIRE_HEADER_PREFIX "my org" contains space'],
    ['acme:', 'STOCKWIRE_HEADER_PREFIX "acme:" contains ":"'],
    ['x'.repeat(33), 'STOCKWIRE_HEADER_PREFIX is 33 characters long'],
  ])('given %j, a usage error at start-up naming the setting: %s', (value, message) => {
    expect(() => parseWorkerArgs([], spec, { STOCKWIRE_HEADER_PREFIX: value })).toThrow(UsageError);
    expect(() => parseWorkerArgs([], spec, { STOCKWIRE_HEADER_PREFIX: value })).toThrow(message);
  });
});
