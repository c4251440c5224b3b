import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../command-line/args';
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
