/**
 * A throwaway certificate authority and a server certificate it signed, for 127.0.0.1 and localhost, made with
 * openssl in a directory of the caller's. Each call makes an unrelated CA, so a second call gives a CA that must
 * not be trusted for the first one's server.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificates {
  /** PEM of the CA: what clients are given to trust. */
  caFile: string;
  /** PEM of the server certificate (names 127.0.0.1 and localhost) and its key, for nats-server. */
  certFile: string;
  keyFile: string;
}

const OPENSSL = '/usr/bin/openssl';
// P-256 keys are generated in milliseconds, RSA keys in a noticeable fraction of a second on a busy machine.
const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(args: string[]): void {
  execFileSync(OPENSSL, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function makeTestCertificates(dir: string, label: string): TestCertificates {
  mkdirSync(dir, { recursive: true });
  const file = (name: string) => join(dir, name);
  openssl([
    'req',
    '-x509',
    ...KEY,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '1',
    '-subj',
    `/CN=${label} test CA`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  openssl([
    'req',
    '-new',
    ...KEY,
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
    '-subj',
    `/CN=${label} nats-server`,
  ]);
  // Clients match the host of the URL against subjectAltName only (the CN is ignored), IP addresses included.
  writeFileSync(
    file('server.ext'),
    [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      '',
    ].join('\n'),
  );
  openssl([
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-set_serial',
    `0x${randomBytes(8).toString('hex')}`,
    '-days',
    '1',
    '-extfile',
    file('server.ext'),
    '-out',
    file('server.crt'),
  ]);
  return { caFile: file('ca.pem'), certFile: file('server.crt'), keyFile: file('server.key') };
}
