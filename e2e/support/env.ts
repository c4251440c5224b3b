/**
 * Where the e2e global setup started things, for specs: written to a JSON file because Playwright runs
 * specs in worker processes that do not share the setup's memory.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const E2E_ENV_FILE = join(process.cwd(), 'e2e-artifacts', 'e2e-env.json');

export interface E2eEnv {
  /** The built app, served by `vite preview`. */
  appUrl: string;
  /** WebSocket URL of the test nats-server (also written to dist/config.json). */
  wsUrl: string;
  /** TCP URL of the same server, for seeding from Node. */
  clientUrl: string;
}

export function e2eEnv(): E2eEnv {
  return JSON.parse(readFileSync(E2E_ENV_FILE, 'utf8')) as E2eEnv;
}
