/** Chromium for the benchmark: the Debian package (never a downloaded browser), closed by the cleanup. */
import { chromium, type Browser } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../lib/chromium.mjs';
import type { Cleanup } from './cleanup';

export async function launchChromium(cleanup: Cleanup): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Playwright's own Ctrl-C handler closes the browser and exits at once, cutting the cleanup short (the
    // server's store and the build would stay behind); the cleanup closes the browser itself.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: [
      ...CHROMIUM_ARGS,
      // Pages of the bench are measured while other pages of the same browser exist; none may be slowed down
      // for being in the background.
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
    ],
  });
  cleanup.add('Chromium', () => browser.close());
  return browser;
}
