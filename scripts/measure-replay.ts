/**
 * How fast the dashboard replays a history in real Chromium: a private nats-server is filled with demo-shaped
 * events, the built app signs in as `display`, and the time from "Sign in" to every event being folded is
 * measured. Not a test (no assertion): a measurement for closing notes and regressions.
 *
 *   npx tsx scripts/measure-replay.ts [--days 7] [--days 84] …   (one run per --days; 84 days ≈ 100k events)
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { demoHistory } from '../src/core/demo-history';
import { connectNode } from '../src/nats/connect-node';
import { provision } from '../src/nats/provision';
import { publishStockEvent } from '../src/nats/publish';
import { freePort, startNatsServer } from './lib/nats-server.mjs';

const ROOT = process.cwd();
const VITE = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
const IN_FLIGHT = 1000;

const daysList = process.argv.flatMap((arg, i) => (arg === '--days' ? [Number(process.argv[i + 1])] : []));
if (daysList.length === 0) daysList.push(7, 84);

if (!existsSync(join(ROOT, 'dist', 'index.html'))) {
  spawnSync(process.execPath, [VITE, 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
}
const appPort = await freePort();
const appUrl = `http://127.0.0.1:${appPort}`;
const preview = spawn(process.execPath, [VITE, 'preview', '--port', String(appPort), '--strictPort'], {
  stdio: 'ignore',
});
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--disable-background-networking',
    '--no-first-run',
  ],
});

try {
  for (const days of daysList) {
    const server = await startNatsServer({ allowedOrigins: [appUrl] });
    try {
      const nc = await connectNode({ servers: server.clientUrl, user: 'admin', password: 'stockwire-admin' });
      await provision(nc);
      const history = demoHistory({ seed: 7, endMs: Date.now(), days });
      const inFlight = new Set<Promise<unknown>>();
      for (const item of history) {
        const p = publishStockEvent(nc, item.warehouse, item.event, {
          id: randomUUID(),
          timestampMs: item.timestampMs,
        });
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
        if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      await nc.close();

      const page = await browser.newPage();
      await page.goto(appUrl);
      await page.getByLabel('Server URL').fill(server.wsUrl);
      await page.getByLabel('User', { exact: true }).fill('display');
      await page.getByLabel('Password', { exact: true }).fill('stockwire-display');
      const started = Date.now();
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation').getByRole('button', { name: 'Data quality' }).click();
      const expected = new Intl.NumberFormat('en-US').format(history.length);
      await page
        .getByTestId('applied-count')
        .filter({ hasText: new RegExp(`^${expected}$`) })
        .waitFor({ timeout: 600_000 });
      const seconds = (Date.now() - started) / 1000;
      console.log(
        `${days} days: ${history.length} events folded in ${seconds.toFixed(2)} s from "Sign in" ` +
          `= ${Math.round(history.length / seconds)} events/s (Chromium, incl. connect and first paint)`,
      );
      // Time travel: jump to moments across the history and time the answer (the "as of" banner appearing).
      await page.getByRole('navigation').getByRole('button', { name: 'Warehouse' }).click();
      const first = history[0]?.timestampMs ?? Date.now();
      const last = history[history.length - 1]?.timestampMs ?? Date.now();
      for (const fraction of [0.25, 0.5, 0.9, 0.1]) {
        const atMs = first + (last - first) * fraction;
        const local = new Date(atMs - new Date(atMs).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
        await page
          .getByRole('button', { name: 'Back to live' })
          .click({ timeout: 1000 })
          .catch(() => undefined);
        await page.getByTestId('as-of').waitFor({ state: 'detached' });
        await page.getByLabel('As of', { exact: true }).fill(local);
        const jumpStarted = Date.now();
        await page.getByRole('button', { name: 'Show that moment' }).click();
        await page.getByTestId('as-of').waitFor({ timeout: 60_000 });
        console.log(
          `  time travel to ${Math.round(fraction * 100)} % of the history: ${Date.now() - jumpStarted} ms`,
        );
      }
      await page.close();
    } finally {
      await server.stop();
    }
  }
} finally {
  await browser.close();
  preview.kill('SIGTERM');
}
