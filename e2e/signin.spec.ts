/**
 * Sign-in failures, each with its own plain message: wrong password, a server that is not there, a
 * server without the streams. And the server's origin check: the same app served from another origin
 * cannot open a connection.
 */
import { rmSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { freePort, startNatsServer } from '../scripts/lib/nats-server.mjs';
import { readPeople } from '../scripts/lib/people.mjs';
import { provision } from '../src/nats/provision';
import { LOGINS, SCOPED_MANAGER } from '../test/support/users';
import { connectAdmin } from './support/stream';
import { e2eEnv } from './support/env';

const { appUrl } = e2eEnv();

async function trySignIn(page: Page, url: string, user: string, password: string, server?: string) {
  await page.goto(url);
  if (server !== undefined) await page.getByLabel('Server URL').fill(server);
  await page.getByLabel('User', { exact: true }).fill(user);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function expectRefused(page: Page, message: RegExp): Promise<void> {
  await expect(page.getByRole('form', { name: 'Sign in' }).getByRole('alert')).toHaveText(message);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  await expect(page.getByTestId('connection-state')).toHaveCount(0);
}

test('a wrong password is refused with a message that says so', async ({ page }) => {
  await trySignIn(page, appUrl, LOGINS.manager.user, `${LOGINS.manager.password}-typo`);
  await expectRefused(page, /^The server refused the sign-in: wrong user or password/);
});

test('a server that is not running is reported as unreachable', async ({ page }) => {
  const nobody = `ws://127.0.0.1:${await freePort()}`;
  await trySignIn(page, appUrl, LOGINS.manager.user, LOGINS.manager.password, nobody);
  await expectRefused(
    page,
    /^The NATS server is unreachable: is it running, is the address right, and does it allow this page's origin\?$/,
  );
  // The reason in brackets must say something ("()" is what an empty error detail looks like).
  await expect(page.getByRole('form', { name: 'Sign in' }).getByRole('alert')).not.toContainText('()');
});

test('a server without the streams says to provision it', async ({ page }) => {
  const bare = await startNatsServer({ allowedOrigins: [appUrl] });
  try {
    await trySignIn(page, appUrl, LOGINS.display.user, LOGINS.display.password, bare.wsUrl);
    await expectRefused(page, /^stream WAREHOUSE_EVENTS does not exist — run `npm run provision`$/);
  } finally {
    await bare.stop();
    rmSync(bare.storeDir, { recursive: true, force: true });
  }
});

test('the app served from an origin the server does not allow cannot connect', async ({ page }) => {
  // Same files, same port, but http://localhost is another origin than the allowed http://127.0.0.1.
  const otherOrigin = appUrl.replace('127.0.0.1', 'localhost');
  await trySignIn(page, otherOrigin, LOGINS.manager.user, LOGINS.manager.password);
  const alert = page.getByRole('form', { name: 'Sign in' }).getByRole('alert');
  await expect(alert).toBeVisible();
  console.log(`[e2e] sign-in from another origin: ${await alert.textContent()}`);
  await expect(page.getByTestId('connection-state')).toHaveCount(0);
});

test('a person revoked while signed in is told so, and the header shows what the server granted', async ({
  page,
}) => {
  const { people } = readPeople();
  const server = await startNatsServer({ allowedOrigins: [appUrl], people });
  try {
    const nc = await connectAdmin(server.clientUrl);
    await provision(nc);
    await nc.close();
    await trySignIn(page, appUrl, SCOPED_MANAGER.user, SCOPED_MANAGER.password, server.wsUrl);
    const badge = page.getByTestId('role');
    await expect(badge).toHaveText(`${SCOPED_MANAGER.user} · manager`);
    await expect(badge).toHaveAttribute(
      'title',
      `What the server grants bob: records stock events in warehouse 46`,
    );

    await server.setPeople(people.filter((p) => p.user !== SCOPED_MANAGER.user));
    const state = page.getByTestId('connection-state');
    await expect(state).toHaveAttribute('data-state', 'closed');
    await expect(state).toContainText('Signed out by the server');
    await expect(state).toHaveAttribute('title', /^The server no longer accepts this sign-in \(revoked/);
  } finally {
    await server.stop();
    rmSync(server.storeDir, { recursive: true, force: true });
  }
});
