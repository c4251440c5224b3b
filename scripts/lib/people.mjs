// People and wall screens who sign in to the dashboard: their source (people.json) and the nats-server
// accounts rendered from it (nats-people.conf, included by nats-server.conf). One account per role, so the
// server says which role a connection has (`$SYS.REQ.USER.INFO` answers with the account), and the role's
// limits and imports are the account's. Plain ESM on node:* only: `npm start`, the users command and every
// test that renders the config import it. docs/security.md explains the layout.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PEOPLE_PATH = join(REPO_ROOT, 'people.json');
export const PEOPLE_CONF_PATH = join(REPO_ROOT, 'nats-people.conf');

/** Role → the account its people live in. The dashboard maps the account back to the role. */
export const ROLE_ACCOUNTS = {
  manager: 'MANAGERS',
  marketing: 'MARKETING',
  procurement: 'PROCUREMENT',
  display: 'DISPLAYS',
};
export const ROLES = Object.keys(ROLE_ACCOUNTS);

/** The account that holds the streams, the buckets, `admin` and `services` (nats-server.conf). */
export const STOCK_ACCOUNT = 'STOCK';
/** What the stream account's JetStream API is called inside a dashboard account. */
export const API_PREFIX = 'JS.STOCK.API';
/**
 * Streams a dashboard may read (KV buckets are streams named KV_<bucket>), each with the root of its subjects:
 * a consumer is created with its filter in the request subject, so the import admits only filters inside it.
 */
export const READABLE_STREAMS = {
  WAREHOUSE_EVENTS: 'warehouse',
  PROCUREMENT_EVENTS: 'procurement',
  KV_stock_levels: '$KV.stock_levels',
  KV_stock_thresholds: '$KV.stock_thresholds',
  KV_worker_status: '$KV.worker_status',
  // Shared checkpoints, an object store: reading an object is a stream info, a get of its metadata message and
  // an ordered consumer over its chunks, so the read imports above are all it needs; nothing here can write.
  OBJ_checkpoints: '$O.checkpoints',
};
/** Consumers only the workers may create or pull from: a create for an existing name reconfigures it. */
export const WORKER_DURABLES = ['projector', 'notifier'];

/**
 * The limits of each people's account. A dashboard holds one connection (two while it reads a long backlog)
 * with a few dozen subscriptions; 64 KiB covers every request a dashboard sends (events are capped at 16 KiB
 * by the stream).
 */
export const PEOPLE_ACCOUNT_LIMITS = { max_connections: 500, max_subscriptions: 500, max_payload: 65536 };

const USER_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
const WAREHOUSE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Names the stream account uses; a person with one of them could not be told apart in logs and /connz. */
const RESERVED_USERS = new Set(['admin', 'services', 'dash', 'system']);

/** Why `person` cannot be written, or undefined. */
export function personProblem(person) {
  if (typeof person !== 'object' || person === null) return 'an entry is not an object';
  const { user, role, warehouses, password_hash: hash } = person;
  if (typeof user !== 'string' || !USER_PATTERN.test(user)) {
    return `user "${user}" must be 1–32 characters: a lower-case letter, then letters, digits, "_" or "-"`;
  }
  if (RESERVED_USERS.has(user)) return `user "${user}" is reserved for the server's own accounts`;
  if (!ROLES.includes(role)) return `${user}: role "${role}" is not one of ${ROLES.join(', ')}`;
  if (warehouses !== undefined) {
    if (!Array.isArray(warehouses) || warehouses.length === 0) {
      return `${user}: warehouses must be a non-empty list, or left out for every warehouse`;
    }
    const bad = warehouses.find((w) => typeof w !== 'string' || !WAREHOUSE_PATTERN.test(w));
    if (bad !== undefined) return `${user}: warehouse "${bad}" may only contain A–Z a–z 0–9 _ -`;
  }
  if (typeof hash !== 'string' || !/^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/.test(hash)) {
    return `${user}: password_hash must be a bcrypt hash`;
  }
  return undefined;
}

export function readPeople(path = PEOPLE_PATH) {
  const parsed = JSON.parse(readFileSync(path, 'utf8'));
  const people = parsed.people ?? [];
  checkPeople(people);
  return { note: parsed.note, people };
}

export function checkPeople(people) {
  const seen = new Set();
  for (const person of people) {
    const problem = personProblem(person);
    if (problem) throw new Error(`people.json: ${problem}`);
    if (seen.has(person.user)) throw new Error(`people.json: user "${person.user}" is listed twice`);
    seen.add(person.user);
  }
}

export function writePeople(people, { note, path = PEOPLE_PATH, confPath = PEOPLE_CONF_PATH } = {}) {
  checkPeople(people);
  const sorted = [...people].sort((a, b) => a.user.localeCompare(b.user));
  writeFileSync(path, `${JSON.stringify({ note, people: sorted }, null, 2)}\n`);
  writeFileSync(confPath, renderPeopleConf(sorted));
}

const q = (s) => JSON.stringify(s);

/** What a role may write, beyond reading: in the dashboard account's own subject names. */
function writeSubjects(role, warehouses) {
  const scope = warehouses ?? ['*'];
  if (role === 'manager') return scope.map((w) => `warehouse.${w}.product.*`);
  if (role === 'procurement') {
    const keys = warehouses ? scope.map((w) => `${w}.*`) : ['>'];
    return keys.map((k) => `${API_PREFIX}.$KV.stock_thresholds.${k}`);
  }
  return [];
}

/** Read access to the imported API, minus the workers' consumers. */
function readSubjects() {
  return [
    `${API_PREFIX}.STREAM.INFO.*`,
    `${API_PREFIX}.STREAM.MSG.GET.*`,
    `${API_PREFIX}.DIRECT.GET.>`,
    `${API_PREFIX}.CONSUMER.CREATE.*.>`,
    `${API_PREFIX}.CONSUMER.INFO.*.*`,
    `${API_PREFIX}.CONSUMER.MSG.NEXT.*.*`,
    // Flow-control answers of push consumers (ordered replay, KV watches).
    '$JS.FC.>',
    // "What may I do?": the dashboard shows what the server grants, not what it guesses.
    '$SYS.REQ.USER.INFO',
  ];
}

function workerDenies() {
  return WORKER_DURABLES.flatMap((d) => [
    `${API_PREFIX}.CONSUMER.CREATE.*.${d}`,
    `${API_PREFIX}.CONSUMER.CREATE.*.${d}.>`,
    `${API_PREFIX}.CONSUMER.MSG.NEXT.*.${d}`,
  ]);
}

function renderUser(person, indent) {
  const allow = [...readSubjects(), ...writeSubjects(person.role, person.warehouses)];
  const list = (items, pad) => items.map((s) => `${pad}${q(s)}`).join('\n');
  const i = indent;
  return [
    `${i}{`,
    `${i}  user: ${q(person.user)}`,
    `${i}  password: ${q(person.password_hash)}`,
    `${i}  allowed_connection_types: ["WEBSOCKET"]`,
    `${i}  permissions: {`,
    `${i}    publish: {`,
    `${i}      allow: [`,
    list(allow, `${i}        `),
    `${i}      ]`,
    `${i}      deny: [`,
    list(workerDenies(), `${i}        `),
    `${i}      ]`,
    `${i}    }`,
    `${i}    subscribe: { allow: [${q(`_INBOX_dash.${person.user}.>`)}] }`,
    `${i}  }`,
    `${i}}`,
  ].join('\n');
}

/** Service imports of the read API, one stream at a time: nothing else of the stream account is reachable. */
function readImports(role) {
  const out = [];
  for (const [stream, root] of Object.entries(READABLE_STREAMS)) {
    for (const api of [
      `STREAM.INFO.${stream}`,
      `STREAM.MSG.GET.${stream}`,
      `DIRECT.GET.${stream}`,
      `DIRECT.GET.${stream}.>`,
      `CONSUMER.CREATE.${stream}.*.${root}.>`,
      `CONSUMER.INFO.${stream}.*`,
      `CONSUMER.MSG.NEXT.${stream}.*`,
    ]) {
      out.push({ service: `$JS.API.${api}`, to: `${API_PREFIX}.${api}` });
    }
    out.push({ service: `$JS.FC.${stream}.>` });
  }
  if (role === 'manager') out.push({ service: 'warehouse.*.product.*' });
  if (role === 'procurement') {
    out.push({ service: '$KV.stock_thresholds.>', to: `${API_PREFIX}.$KV.stock_thresholds.>` });
  }
  return out;
}

/** Everything the stream account exports, with the accounts that may import each (for nats-server.conf). */
export function stockExports() {
  const byService = new Map();
  for (const role of ROLES) {
    for (const imp of readImports(role)) {
      const accounts = byService.get(imp.service) ?? [];
      accounts.push(ROLE_ACCOUNTS[role]);
      byService.set(imp.service, accounts);
    }
  }
  return byService;
}

export function renderPeopleConf(people) {
  const lines = [
    '# Generated from people.json by `npm run users` (scripts/lib/people.mjs): edit people.json or use the',
    '# command, not this file. Included by nats-server.conf inside `accounts { }`.',
    '#',
    '# One account per role. People reach JetStream only through the service imports below: JetStream',
    "# answers through the server's reply mapping, so no requester chooses the subject a reply is written to,",
    '# and nothing here can write to a stream except the imported publish subjects (docs/security.md).',
    '',
  ];
  for (const role of ROLES) {
    const account = ROLE_ACCOUNTS[role];
    const members = people.filter((p) => p.role === role);
    lines.push(`${account} {`);
    lines.push(
      `  limits: { ${Object.entries(PEOPLE_ACCOUNT_LIMITS)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')} }`,
    );
    lines.push('  imports: [');
    for (const imp of readImports(role)) {
      const to = imp.to ? `, to: ${q(imp.to)}` : '';
      lines.push(`    { service: { account: ${STOCK_ACCOUNT}, subject: ${q(imp.service)} }${to} }`);
    }
    // Push consumers (ordered replay, KV watches) deliver into the stream account under `_INBOX_dash.<user>`.
    lines.push(`    { stream: { account: ${STOCK_ACCOUNT}, subject: "_INBOX_dash.>" } }`);
    lines.push('  ]');
    if (members.length === 0) {
      lines.push('  users: []');
    } else {
      lines.push('  users: [');
      for (const person of members) lines.push(renderUser(person, '    '));
      lines.push('  ]');
    }
    lines.push('}');
    lines.push('');
  }
  return `${lines.join('\n')}`;
}

/** The `exports: [ … ]` body of the stream account, rendered into nats-server.conf by the same code. */
export function renderStockExports(indent = '    ') {
  const lines = [];
  for (const [service, accounts] of stockExports()) {
    const stream = /^\$JS\.API\.(CONSUMER\.MSG\.NEXT|DIRECT\.GET)\./.test(service);
    const response = stream ? ', response_type: stream' : '';
    lines.push(`${indent}{ service: ${q(service)}${response}, accounts: [${accounts.join(', ')}] }`);
  }
  lines.push(
    `${indent}{ stream: "_INBOX_dash.>", accounts: [${ROLES.map((r) => ROLE_ACCOUNTS[r]).join(', ')}] }`,
  );
  return lines.join('\n');
}
