/**
 * Copies the README's pictures from the last end-to-end run (e2e/showcase.spec.ts saves every page at phone,
 * tablet and wall sizes into e2e-artifacts/screenshots/sizes) into docs/screenshots, where the README shows
 * them. A separate step, so that `npm test` never leaves the working tree changed: run it when the pages
 * have changed, look at the pictures, and commit them with the change.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const FROM = join('e2e-artifacts', 'screenshots', 'sizes');
const TO = join('docs', 'screenshots');
export const README_SCREENSHOTS = [
  'warehouse-wall',
  'audit-trail-tablet',
  'marketing-wall',
  'procurement-wall',
  'event-log-wall',
  'data-quality-wall',
  'display-wall',
  'warehouse-phone',
];

const missing = README_SCREENSHOTS.filter((name) => !existsSync(join(FROM, `${name}.png`)));
if (missing.length > 0) {
  console.error(
    `No ${missing.join(', ')} in ${FROM}: run the end-to-end tests first ` +
      '(npx playwright test e2e/showcase.spec.ts, or npm test).',
  );
  process.exit(1);
}
mkdirSync(TO, { recursive: true });
for (const name of README_SCREENSHOTS) copyFileSync(join(FROM, `${name}.png`), join(TO, `${name}.png`));
console.log(`Copied ${README_SCREENSHOTS.length} screenshots into ${TO}; look at them, then commit.`);
