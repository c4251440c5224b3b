import { expect, test } from '@playwright/test';
import { e2eEnv } from './support/env';
import { LOGINS } from '../test/support/users';

test('the built app loads and offers the sign-in form', async ({ page }) => {
  const { appUrl, wsUrl } = e2eEnv();
  await page.goto(appUrl);
  await expect(page).toHaveTitle(/Stockwire/);
  // The default server comes from dist/config.json, which the global setup pointed at the test server.
  await expect(page.getByLabel('Server URL')).toHaveValue(wsUrl);
  await expect(page.getByLabel('User', { exact: true })).toBeVisible();
  await expect(page.getByLabel('Password', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('signing in as display connects', async ({ page }) => {
  const { appUrl } = e2eEnv();
  await page.goto(appUrl);
  await page.getByLabel('User', { exact: true }).fill(LOGINS.display.user);
  await page.getByLabel('Password', { exact: true }).fill(LOGINS.display.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const state = page.getByTestId('connection-state');
  await expect(state).toHaveText(/^Connected/);
  await expect(state).toHaveAttribute('data-state', 'connected');
});
