/**
 * A list of NATS server URLs typed by a person (sign-in form, config.json, `--server`, `NATS_URL`):
 * comma-separated, so a client can reach a cluster through any node that is up.
 */

/** The browser reaches NATS over WebSocket; Node programs over the client port. */
export type ServerTransport = 'websocket' | 'tcp';

export type ServerListResult = { ok: true; servers: string[] } | { ok: false; message: string };

const SCHEMES: Record<ServerTransport, readonly string[]> = {
  websocket: ['ws', 'wss'],
  tcp: ['nats', 'tls'],
};

const EXAMPLE: Record<ServerTransport, string> = {
  websocket: 'ws://host:9222',
  tcp: 'nats://host:4222',
};

/** The entries of a comma-separated list, trimmed, empty ones dropped; no validation. */
export function splitServerList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** One line for showing a list back to a person. */
export function formatServerList(servers: readonly string[]): string {
  return servers.join(', ');
}

/**
 * Checks every entry and says what is wrong with the first bad one in words a person can act on. The
 * entries come back as typed (trimmed), in order: the client tries them in that order.
 */
export function parseServerList(text: string, transport: ServerTransport): ServerListResult {
  const example = EXAMPLE[transport];
  const raw = text.split(',').map((s) => s.trim());
  if (raw.every((s) => s === '')) {
    return fail(`Enter at least one server URL, e.g. ${example}; separate several with commas.`);
  }
  const servers: string[] = [];
  for (const [index, entry] of raw.entries()) {
    if (entry === '') {
      // A trailing comma is harmless; an empty entry between two is probably a lost address.
      if (index === raw.length - 1) continue;
      return fail(`Server ${index + 1} of the list is empty: remove the extra comma or fill in the URL.`);
    }
    const problem = entryProblem(entry, transport);
    if (problem) return fail(raw.length > 1 ? `Server ${index + 1} of the list: ${problem}` : problem);
    if (servers.includes(entry)) return fail(`"${entry}" is listed twice.`);
    servers.push(entry);
  }
  return { ok: true, servers };
}

function entryProblem(entry: string, transport: ServerTransport): string | undefined {
  const shown = entry.length > 80 ? `${entry.slice(0, 77)}…` : entry;
  const example = EXAMPLE[transport];
  const allowed = SCHEMES[transport].map((s) => `${s}://`).join(' or ');
  if (/\s/.test(entry)) return `"${shown}" contains a space; separate servers with commas.`;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(entry)?.[1]?.toLowerCase();
  if (scheme === undefined) return `"${shown}" needs to start with ${allowed}, e.g. ${example}.`;
  if (!SCHEMES[transport].includes(scheme)) {
    const other = transport === 'websocket' ? 'tcp' : 'websocket';
    const why = SCHEMES[other].includes(scheme)
      ? transport === 'websocket'
        ? `${scheme}:// is the client port for Node programs; the browser connects over WebSocket`
        : `${scheme}:// is the WebSocket port for browsers; Node programs use the client port`
      : `${scheme}:// is not a NATS address`;
    return `"${shown}": ${why}. Use ${allowed}, e.g. ${example}.`;
  }
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return `"${shown}" is not a valid URL (check the host and port), e.g. ${example}.`;
  }
  if (url.hostname === '') return `"${shown}" has no host name, e.g. ${example}.`;
  if (url.username !== '' || url.password !== '') {
    return `"${shown}" contains a user or password: enter them in their own fields, not in the URL.`;
  }
  // A port outside 1–65535 is refused by the URL parser itself; ":0" is not.
  if (url.port === '0') return `"${shown}" has port 0; use the server's port, e.g. ${example}.`;
  if (url.search !== '' || url.hash !== '') return `"${shown}" must not contain "?" or "#".`;
  // A WebSocket listener may sit behind a reverse proxy at a path; the client port has none.
  if (transport === 'tcp' && url.pathname !== '' && url.pathname !== '/') {
    return `"${shown}" has a path; a client port URL is just ${example}.`;
  }
  return undefined;
}

function fail(message: string): ServerListResult {
  return { ok: false, message };
}
