/**
 * Lints the repository's nats-server.conf (with the nats-people.conf it includes) against the rules of
 * docs/security.md. No server: a mistake here must fail before any server would silently accept it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import {
  API_PREFIX as CONF_API_PREFIX,
  ROLES,
  ROLE_ACCOUNTS,
  readPeople,
  renderPeopleConf,
  renderStockExports,
} from '../../scripts/lib/people.mjs';
import { grantsOf } from '../../src/core/grants';
import { DASHBOARD_API_PREFIX } from '../../src/nats/jetstream-api';
import { LOGINS, SCOPED_MANAGER, SECOND_SCREEN } from '../support/users';

type ConfValue = string | number | boolean | ConfValue[] | ConfMap;
interface ConfMap {
  [key: string]: ConfValue;
}

/**
 * A tolerant reader for the subset of the nats-server config language the file uses: `key: value`,
 * `key = value` and `key { … }`, maps, lists (newline or comma separated), quoted strings, barewords,
 * `#` and `//` comments, and `$NAME` references to earlier top-level values (resolved as the server
 * does, so a list shared through a variable is linted for every user that names it).
 */
function parseNatsConf(text: string): ConfMap {
  let pos = 0;
  const vars: ConfMap = {};

  const fail = (what: string): never => {
    const line = text.slice(0, pos).split('\n').length;
    throw new Error(`nats-server.conf line ${line}: ${what}`);
  };
  const skip = (): void => {
    for (;;) {
      const c = text[pos];
      if (c === undefined) return;
      if (c === '#' || (c === '/' && text[pos + 1] === '/')) {
        while (pos < text.length && text[pos] !== '\n') pos++;
      } else if (/[\s,;]/.test(c)) pos++;
      else return;
    }
  };
  const readKey = (): string => {
    const start = pos;
    if (text[pos] === '"') return readQuoted();
    while (pos < text.length && /[^\s:={}[\],#"]/.test(text[pos] ?? '')) pos++;
    if (pos === start) fail(`a key was expected, found "${text[pos] ?? 'end of file'}"`);
    return text.slice(start, pos);
  };
  const readQuoted = (): string => {
    const quote = text[pos];
    pos++;
    let out = '';
    while (pos < text.length && text[pos] !== quote) {
      if (text[pos] === '\\' && quote === '"') {
        pos++;
        const e = text[pos];
        out += e === 'n' ? '\n' : e === 't' ? '\t' : (e ?? '');
      } else out += text[pos];
      pos++;
    }
    if (pos >= text.length) fail('unterminated string');
    pos++;
    return out;
  };
  const readValue = (): ConfValue => {
    skip();
    const c = text[pos];
    if (c === undefined) return fail('a value was expected, found end of file');
    if (c === '{') {
      pos++;
      const map = readMap('}');
      pos++;
      return map;
    }
    if (c === '[') {
      pos++;
      const list: ConfValue[] = [];
      for (;;) {
        skip();
        if (text[pos] === ']') {
          pos++;
          return list;
        }
        if (pos >= text.length) fail('unterminated list');
        list.push(readValue());
      }
    }
    if (c === '"' || c === "'") return readQuoted();
    const start = pos;
    while (pos < text.length && /[^\s,\]}#]/.test(text[pos] ?? '')) pos++;
    const word = text.slice(start, pos);
    if (word.startsWith('$')) {
      const name = word.slice(1);
      const value = vars[name] ?? process.env[name];
      if (value === undefined) fail(`variable $${name} is not defined`);
      return value as ConfValue;
    }
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (/^-?\d+$/.test(word)) return Number(word);
    return word;
  };
  const readMap = (end: '}' | undefined): ConfMap => {
    const map: ConfMap = {};
    for (;;) {
      skip();
      if (pos >= text.length) {
        if (end !== undefined) fail('unterminated block');
        return map;
      }
      if (text[pos] === end) return map;
      const key = readKey();
      while (text[pos] === ' ' || text[pos] === '\t') pos++;
      if (text[pos] === ':' || text[pos] === '=') pos++;
      if (Object.hasOwn(map, key)) fail(`key "${key}" appears twice in one block`);
      map[key] = readValue();
      if (end === undefined) vars[key] = map[key];
    }
  };
  return readMap(undefined);
}

const isMap = (v: ConfValue | undefined): v is ConfMap =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every key path in the document, e.g. `accounts.STOCKWIRE.users.0.password`. */
function keyPaths(value: ConfValue, prefix: string[] = []): string[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keyPaths(v, [...prefix, String(i)]));
  if (!isMap(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...keyPaths(v, [...prefix, k])]);
}

/** NATS subject matching of a concrete subject against a permission pattern (`*` one token, `>` the rest). */
function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

interface Rules {
  allow: string[];
  deny: string[];
}

function strings(value: ConfValue | undefined, where: string): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => {
    if (typeof v !== 'string') throw new Error(`${where}: ${JSON.stringify(v)} is not a subject`);
    return v;
  });
}

/** `publish: [..]` is an allow list; `publish: { allow, deny }` is the long form. */
function rules(permissions: ConfMap | undefined, kind: 'publish' | 'subscribe', user: string): Rules {
  const value = permissions?.[kind];
  if (value === undefined) return { allow: [], deny: [] };
  if (isMap(value)) {
    return {
      allow: strings(value.allow, `${user}.${kind}.allow`),
      deny: strings(value.deny, `${user}.${kind}.deny`),
    };
  }
  return { allow: strings(value, `${user}.${kind}`), deny: [] };
}

function permits(r: Rules, subject: string): boolean {
  return r.allow.some((p) => subjectMatches(p, subject)) && !r.deny.some((p) => subjectMatches(p, subject));
}

const CONF_PATH = join(process.cwd(), 'nats-server.conf');
const PEOPLE_CONF_PATH = join(process.cwd(), 'nats-people.conf');
const confText = readFileSync(CONF_PATH, 'utf8');
const peopleConfText = readFileSync(PEOPLE_CONF_PATH, 'utf8');
// nats-server resolves the include in place; so does the lint.
const conf = parseNatsConf(confText.replace(/^\s*include "nats-people.conf"$/m, peopleConfText));
const PEOPLE_ACCOUNTS = Object.values(ROLE_ACCOUNTS);
const API_PREFIX = 'JS.STOCK.API';

interface User {
  name: string;
  entry: ConfMap;
  publish: Rules;
  subscribe: Rules;
}

const accounts = conf.accounts;
const users: User[] = isMap(accounts)
  ? Object.values(accounts).flatMap((account) => {
      const list = isMap(account) ? account.users : undefined;
      return (Array.isArray(list) ? list : []).filter(isMap).map((entry) => {
        const name = String(entry.user);
        const permissions = isMap(entry.permissions) ? entry.permissions : undefined;
        return {
          name,
          entry,
          publish: rules(permissions, 'publish', name),
          subscribe: rules(permissions, 'subscribe', name),
        };
      });
    })
  : [];
const user = (name: string): User => {
  const found = users.find((u) => u.name === name);
  if (!found) throw new Error(`user ${name} is not in accounts`);
  return found;
};
const others = users.filter((u) => u.name !== 'admin');
const people = isMap(accounts)
  ? PEOPLE_ACCOUNTS.flatMap((name) => {
      const list = isMap(accounts[name]) ? accounts[name].users : undefined;
      return (Array.isArray(list) ? list : []).filter(isMap).map((entry) => user(String(entry.user)));
    })
  : [];
const account = (name: string): ConfMap => {
  const found = isMap(accounts) ? accounts[name] : undefined;
  if (!isMap(found)) throw new Error(`account ${name} is not in accounts`);
  return found;
};

describe('the config reader', () => {
  it('reads blocks, lists, strings and variables the way nats-server does', () => {
    const parsed = parseNatsConf(`
      # comment
      L: [ "a.>"  'b'
        c.* ]
      x { y = 1, z: "$not.a.var" // trailing
        w: $L }
    `);
    expect(parsed).toEqual({ L: ['a.>', 'b', 'c.*'], x: { y: 1, z: '$not.a.var', w: ['a.>', 'b', 'c.*'] } });
    expect(() => parseNatsConf('a: $MISSING_STOCKWIRE_VAR')).toThrow(/not defined/);
  });

  it('finds every documented user in the repository config', () => {
    const documented = [...Object.values(LOGINS), SCOPED_MANAGER, SECOND_SCREEN].map((l) => l.user);
    expect(users.map((u) => u.name).sort()).toEqual(documented.sort());
  });
});

describe('nats-server.conf', () => {
  it('keeps every user inside accounts: no top-level authorization block, no no_auth_user', () => {
    // On 2.9.10 a top-level `authorization` beside `accounts` opens anonymous access (CVE-2023-47090).
    expect(Object.keys(conf)).not.toContain('authorization');
    const paths = keyPaths(conf);
    expect(paths.filter((p) => p.at(-1) === 'no_auth_user')).toEqual([]);
    const stray = paths.filter(
      (p) => (p.at(-1) === 'users' || p.at(-1) === 'user') && !(p[0] === 'accounts' && p[2] === 'users'),
    );
    expect(stray.map((p) => p.join('.'))).toEqual([]);
  });

  it('gives no user but admin a full wildcard or a JetStream API wildcard', () => {
    const forbidden = ['>', '$JS.>', '$JS.API.>', `${API_PREFIX}.>`];
    const broad = others.flatMap((u) =>
      [...u.publish.allow, ...u.subscribe.allow]
        .filter((s) => forbidden.includes(s))
        .map((s) => `${u.name}: ${s}`),
    );
    expect(broad).toEqual([]);
    // Narrower wildcards can be as bad: no non-admin may delete or redefine streams and consumers.
    const destructive = [
      '$JS.API.STREAM.DELETE.WAREHOUSE_EVENTS',
      '$JS.API.STREAM.UPDATE.WAREHOUSE_EVENTS',
      '$JS.API.STREAM.CREATE.WAREHOUSE_EVENTS',
      '$JS.API.STREAM.PURGE.WAREHOUSE_EVENTS',
      '$JS.API.STREAM.DELETE.KV_stock_levels',
      '$JS.API.STREAM.PURGE.KV_stock_levels',
      '$JS.API.CONSUMER.DELETE.WAREHOUSE_EVENTS.projector',
      '$JS.API.STREAM.MSG.DELETE.WAREHOUSE_EVENTS',
    ];
    const allowed = others.flatMap((u) =>
      destructive
        .flatMap((s) => [s, s.replace('$JS.API', API_PREFIX)])
        .filter((s) => permits(u.publish, s))
        .map((s) => `${u.name}: ${s}`),
    );
    expect(allowed).toEqual([]);
  });

  it('checks WebSocket origins', () => {
    const ws = conf.websocket;
    expect(isMap(ws)).toBe(true);
    const origins = isMap(ws) ? ws.allowed_origins : undefined;
    expect(Array.isArray(origins)).toBe(true);
    const list = strings(origins, 'websocket.allowed_origins');
    expect(list.length).toBeGreaterThan(0);
    for (const origin of list) expect(origin).toMatch(/^https?:\/\/[^/\s*]+$/);
  });

  it('stores every password as a bcrypt hash of cost 10 or more that matches the demo password', () => {
    for (const u of users) {
      const hash = u.entry.password;
      expect(typeof hash, u.name).toBe('string');
      const match = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/.exec(String(hash));
      expect(match, `${u.name}: password is not a bcrypt hash`).not.toBeNull();
      expect(Number(match?.[1]), u.name).toBeGreaterThanOrEqual(10);
      expect(bcrypt.compareSync(`stockwire-${u.name}`, String(hash)), u.name).toBe(true);
    }
  });

  it('lets people connect only over WebSocket and admin/services only over TCP', () => {
    expect(people.length).toBeGreaterThan(0);
    for (const person of people) {
      expect(person.entry.allowed_connection_types, person.name).toEqual(['WEBSOCKET']);
    }
    for (const name of ['admin', 'services']) {
      expect(user(name).entry.allowed_connection_types, name).toEqual(['STANDARD']);
    }
  });

  it('lets every person ask for its ordered consumer info (a replay never recovers without it)', () => {
    for (const person of people) {
      expect(
        permits(person.publish, `${API_PREFIX}.CONSUMER.INFO.WAREHOUSE_EVENTS.oc_r4nd0m`),
        person.name,
      ).toBe(true);
    }
  });

  it('keeps the streams in STOCK, with account limits, and no person in it', () => {
    const stock = account('STOCK');
    expect(isMap(stock.jetstream)).toBe(true);
    for (const limit of ['max_file', 'max_mem', 'max_streams', 'max_consumers']) {
      expect(Object.keys(stock.jetstream as ConfMap), limit).toContain(limit);
    }
    const names = (Array.isArray(stock.users) ? stock.users : []).filter(isMap).map((u) => String(u.user));
    expect(names.sort()).toEqual(['admin', 'services']);
    expect(Object.keys(conf)).toEqual(expect.arrayContaining(['max_payload', 'max_subscriptions']));
  });

  it("gives people's accounts no JetStream, limits of their own, and only imports that STOCK exports", () => {
    const stock = account('STOCK');
    const exported = new Set(
      (Array.isArray(stock.exports) ? stock.exports : [])
        .filter(isMap)
        .map((e) => String(e.service ?? e.stream)),
    );
    for (const name of PEOPLE_ACCOUNTS) {
      const a = account(name);
      expect(a.jetstream, name).toBeUndefined();
      expect(isMap(a.limits), `${name} has limits`).toBe(true);
      for (const imp of (Array.isArray(a.imports) ? a.imports : []).filter(isMap)) {
        const from = (isMap(imp.service) ? imp.service : imp.stream) as ConfMap;
        expect(from.account, name).toBe('STOCK');
        expect(exported.has(String(from.subject)), `${name} imports ${String(from.subject)}`).toBe(true);
        // Imported JetStream API lives under the prefix, so its replies go through reply mapping.
        if (String(from.subject).startsWith('$JS.API.')) expect(String(imp.to)).toMatch(/^JS\.STOCK\.API\./);
      }
    }
  });

  it('has the exports and the people that scripts/lib/people.mjs renders (nothing edited by hand)', () => {
    expect(confText).toContain(renderStockExports('      '));
    expect(peopleConfText).toBe(renderPeopleConf(readPeople().people));
  });

  it('names the accounts and the import prefix the way the dashboard reads them', () => {
    // The browser cannot import the renderer, so the dashboard keeps its own copy of these names.
    expect(CONF_API_PREFIX).toBe(DASHBOARD_API_PREFIX);
    for (const role of ROLES) {
      expect(grantsOf({ account: ROLE_ACCOUNTS[role], publishAllow: [] }).role).toBe(role);
    }
  });
});
