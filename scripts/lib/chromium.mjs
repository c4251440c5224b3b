// The Chromium every browser run uses: the Debian package (never a downloaded browser) and the flags that
// keep it quiet on these machines (docs/platform-notes.md#chromium). Plain ESM so the Playwright config and
// the scripts share it.
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];
