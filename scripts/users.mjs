// `npm run users -- <command>`: people and wall screens who sign in to the dashboard. Writes people.json and
// nats-people.conf, then has a running `npm start` server reload, so a change applies within a second and a
// revoked person's open connections end (docs/security.md).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { reloadServer, writePeopleConf } from './lib/nats-server.mjs';
import { REPO_ROOT, ROLES, personProblem, readPeople, writePeople } from './lib/people.mjs';

const DATA_DIR = join(REPO_ROOT, '.data');
const USAGE = `npm run users -- <command>

  list                                   who may sign in, with role and warehouses
  add <user> --role <role> [--warehouse W]... [--password P]
                                         a new person; without --password one is generated and shown once
  change <user> [--role <role>] [--warehouse W]... [--all-warehouses] [--password P | --new-password]
  revoke <user>                          removes the person; their open connections end at once
  screen <user> [--warehouse W] [--app URL]
                                         a wall screen (role display) with a generated password, and the
                                         one-time address that hands it to the screen

roles: ${ROLES.join(', ')}. --warehouse may be repeated; without it a person may act on every warehouse.
A running server started by \`npm start\` (pid in .data/nats-server.pid) reloads at once.`;

class UsageError extends Error {}

function parse(argv) {
  const [command, user, ...rest] = argv;
  const flags = { warehouses: [] };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--role') flags.role = value();
    else if (flag === '--warehouse') flags.warehouses.push(value());
    else if (flag === '--password') flags.password = value();
    else if (flag === '--app') flags.app = value();
    else if (flag === '--all-warehouses') flags.allWarehouses = true;
    else if (flag === '--new-password') flags.newPassword = true;
    else throw new UsageError(`unknown option ${flag}`);
  }
  return { command, user, flags };
}

const generatePassword = () => randomBytes(18).toString('base64url');
const hash = (password) => bcrypt.hashSync(password, 10);

function describe(p) {
  const where = p.warehouses ? `warehouses ${p.warehouses.join(', ')}` : 'every warehouse';
  return `${p.user.padEnd(16)} ${p.role.padEnd(12)} ${p.role === 'manager' || p.role === 'procurement' ? where : ''}`;
}

/** The server `npm start` runs, if any: its pid file names a live process. */
function runningServer() {
  const pidPath = join(DATA_DIR, 'nats-server.pid');
  if (!existsSync(pidPath)) return undefined;
  const pid = Number(readFileSync(pidPath, 'utf8').trim());
  try {
    process.kill(pid, 0);
    return { pid, logPath: join(DATA_DIR, 'nats-server.log') };
  } catch {
    return undefined;
  }
}

async function applyToRunningServer(people, say) {
  const server = runningServer();
  if (!server) {
    say('No running server found (.data/nats-server.pid): the change applies when the server next starts.');
    return;
  }
  writePeopleConf(DATA_DIR, people);
  await reloadServer(server.pid, server.logPath);
  say(`nats-server (pid ${server.pid}) reloaded: the change is in force.`);
}

export async function main(argv, say = console.log) {
  const { command, user, flags } = parse(argv);
  const { note, people } = readPeople();
  const find = () => people.find((p) => p.user === user);
  const save = async (next) => {
    writePeople(next, { note });
    await applyToRunningServer(next, say);
  };
  if (command === 'list' || command === undefined) {
    for (const p of people) say(describe(p));
    return;
  }
  if (!user) throw new UsageError(`${command} needs a user name`);
  if (command === 'add' || command === 'screen') {
    if (find()) throw new UsageError(`"${user}" exists already; use change or revoke`);
    const role = command === 'screen' ? 'display' : flags.role;
    if (!role) throw new UsageError('--role is required');
    const password = flags.password ?? generatePassword();
    const person = { user, role, password_hash: hash(password) };
    if (flags.warehouses.length > 0 && role !== 'display') person.warehouses = flags.warehouses;
    const problem = personProblem(person);
    if (problem) throw new UsageError(problem);
    await save([...people, person]);
    say(`added ${describe(person)}`);
    if (command === 'screen') {
      const app = flags.app ?? 'http://127.0.0.1:5173';
      const query = flags.warehouses[0] ? `?warehouse=${encodeURIComponent(flags.warehouses[0])}` : '';
      const fragment = new URLSearchParams({ user, password });
      say(
        `Open this address once on the screen (it keeps the credential and removes it from the address bar):`,
      );
      say(`  ${app.replace(/\/+$/, '')}/display${query}#${fragment}`);
    } else if (!flags.password) {
      say(`password (shown once): ${password}`);
    }
    return;
  }
  if (command === 'change') {
    const person = find();
    if (!person) throw new UsageError(`no user "${user}"`);
    const next = { ...person };
    if (flags.role) next.role = flags.role;
    if (flags.allWarehouses) delete next.warehouses;
    else if (flags.warehouses.length > 0) next.warehouses = flags.warehouses;
    let shown;
    if (flags.password) next.password_hash = hash(flags.password);
    else if (flags.newPassword) {
      shown = generatePassword();
      next.password_hash = hash(shown);
    }
    const problem = personProblem(next);
    if (problem) throw new UsageError(problem);
    await save(people.map((p) => (p.user === user ? next : p)));
    say(`changed ${describe(next)}`);
    if (shown) say(`password (shown once): ${shown}`);
    return;
  }
  if (command === 'revoke') {
    if (!find()) throw new UsageError(`no user "${user}"`);
    await save(people.filter((p) => p.user !== user));
    say(`revoked ${user}`);
    return;
  }
  throw new UsageError(`unknown command "${command}"`);
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''));
if (invokedDirectly) {
  main(process.argv.slice(2)).catch((error) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(error.message ?? error);
    process.exit(1);
  });
}
