/**
 * Which server, user and password a command uses, and opening the connection with the transport the
 * URL asks for. Only one transport is loaded per process: nats.js keeps it in a module-global.
 */
import type { NatsConnection } from '../nats/connection';
import { UsageError, single, type ParsedArgs } from './args';

export const CONNECTION_FLAGS = ['server', 'user', 'password'] as const;

/** The users that connect over TCP; people are WebSocket-only (nats-server.conf, nats-people.conf). */
const TCP_USERS = new Set(['admin', 'services']);
/** The demo's sign-ins, whose password is `stockwire-<user>` (README). */
const DEMO_USERS = new Set(['admin', 'services', 'alice', 'bob', 'carol', 'dave', 'wall-46', 'wall-52']);
/** Who records and reads events when no --user is given: the demo's manager of every warehouse. */
export const DEFAULT_CLI_USER = 'alice';

export interface ConnectionTarget {
  servers: string[];
  user: string;
  password: string;
  transport: 'websocket' | 'tcp';
}

export function connectionTarget(
  args: ParsedArgs,
  defaultUser: string,
  env: NodeJS.ProcessEnv = process.env,
): ConnectionTarget {
  const user = single(args, 'user') ?? env.STOCKWIRE_USER ?? defaultUser;
  const demoPassword = DEMO_USERS.has(user) ? `stockwire-${user}` : undefined;
  const password = single(args, 'password') ?? env.STOCKWIRE_PASSWORD ?? demoPassword;
  if (password === undefined) {
    throw new UsageError(`--password is required for user "${user}" (or set STOCKWIRE_PASSWORD)`);
  }
  const server =
    single(args, 'server') ??
    env.STOCKWIRE_NATS_URL ??
    (TCP_USERS.has(user) ? 'nats://127.0.0.1:4222' : 'ws://127.0.0.1:9222');
  const servers = server
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const schemes = new Set(servers.map(scheme));
  if (servers.length === 0) throw new UsageError('--server is empty');
  for (const s of schemes) {
    if (!['ws', 'wss', 'nats', 'tls'].includes(s)) {
      throw new UsageError(`--server "${server}" must start with ws://, wss:// or nats://`);
    }
  }
  const ws = [...schemes].some((s) => s === 'ws' || s === 'wss');
  const tcp = [...schemes].some((s) => s === 'nats' || s === 'tls');
  if (ws && tcp) throw new UsageError('--server mixes WebSocket and TCP URLs; use one kind');
  return { servers, user, password, transport: ws ? 'websocket' : 'tcp' };
}

function scheme(url: string): string {
  const m = /^([a-z]+):\/\//i.exec(url);
  if (!m) throw new UsageError(`--server "${url}" must start with ws://, wss:// or nats://`);
  return m[1]!.toLowerCase();
}

export async function openConnection(
  target: ConnectionTarget,
  options: { follow: boolean },
): Promise<NatsConnection> {
  const common = {
    servers: target.servers,
    user: target.user,
    password: target.password,
    name: `stockwire-cli-${target.user}`,
    timeoutMs: 5000,
    // A one-shot command should fail, not wait; `tail` follows the server through restarts.
    maxReconnectAttempts: options.follow ? -1 : 0,
  };
  if (target.transport === 'websocket') {
    if (typeof globalThis.WebSocket === 'undefined') {
      // Node 20 has no WebSocket global; without one wsconnect never settles
      // (docs/platform-notes.md#the-natsjs-client).
      const { WebSocket } = await import('ws');
      (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
    }
    const { connectBrowser } = await import('../nats/connect-browser');
    return connectBrowser(common);
  }
  const { connectNode } = await import('../nats/connect-node');
  return connectNode(common);
}
