import { existsSync } from 'node:fs';

/**
 * Debian's chromium package, never a downloaded browser. Without it the browser suites
 * are skipped (loudly), except under CI=true, where a missing browser is a failure.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser) {
  const message = `${CHROMIUM} not found: the browser tests need Debian's chromium (apt-get install chromium)`;
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`SKIPPED the browser tests: ${message}`);
}
/** `describe` where Chromium is installed, `describe.skip` elsewhere. */
export const describeInBrowser = haveBrowser ? describe : describe.skip;

/** Flags for a sandboxed, offline machine: no background calls home, no GPU, no sandbox as root. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
