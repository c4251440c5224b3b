/**
 * Time travel in real Chromium on a demo-shaped history: a private nats-server is filled, the built app signs in
 * as `display` and replays it (the replay rate itself is recorded by `npm run bench`), then jumps to moments
 * across the history and times each answer (the "as of" banner appearing). Not a test: a measurement.
 *
 *   npx tsx scripts/measure-replay.ts [--days 7] [--days 84] …   (one run per --days; 84 days ≈ 100k events)
 */
import { rmSync } from 'node:fs';
import { demoHistory } from '../src/core/demo-history';
import { connectNode } from '../src/nats/connect-node';
import { provision } from '../src/nats/provision';
import { LOGINS } from '../test/support/users';
import { buildForRun } from './bench/app-build';
import { signInCold } from './bench/app-replay';
import { launchChromium } from './bench/browser';
import { Cleanup } from './bench/cleanup';
import { fillStream } from './bench/fill';
import { startPreview } from './bench/preview';
import { freePort, startNatsServer } from './lib/nats-server.mjs';

const daysList = process.argv.flatMap((arg, i) => (arg === '--days' ? [Number(process.argv[i + 1])] : []));
if (daysList.length === 0) daysList.push(7, 84);

const cleanup = new Cleanup();
cleanup.onSignals((line) => console.log(line));
try {
  const appPort = await freePort();
  const appUrl = await startPreview(cleanup, await buildForRun(cleanup), appPort);
  const browser = await launchChromium(cleanup);
  for (const days of daysList) {
    const server = await startNatsServer({ allowedOrigins: [appUrl] });
    const stopServer = cleanup.add(`nats-server (pid ${server.pid})`, async () => {
      await server.stop();
      rmSync(server.storeDir, { recursive: true, force: true });
    });
    const nc = await connectNode({ servers: server.clientUrl, ...LOGINS.admin });
    await provision(nc);
    const history = demoHistory({ seed: 7, endMs: Date.now(), days });
    await fillStream(nc, history, 'admin');
    await nc.close();

    const { page, context, clickedMs, doneMs } = await signInCold(
      browser,
      appUrl,
      server.wsUrl,
      history.length,
      600_000,
    );
    const seconds = (doneMs - clickedMs) / 1000;
    console.log(
      `${days} days: ${history.length} events folded in ${seconds.toFixed(2)} s from "Sign in" ` +
        `= ${Math.round(history.length / seconds)} events/s (Chromium, incl. connect and first paint)`,
    );
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
    await context.close();
    await stopServer();
  }
} finally {
  await cleanup.run();
}
