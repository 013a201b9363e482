import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (installed by .ci/run), driven by playwright-core: no browser download needed. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Headless Chromium; playwright gives every launch a fresh, temporary profile of its own. */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

/** Where tests save screenshots (kept out of git). */
export const ARTIFACTS_DIR = join(process.cwd(), 'test-artifacts');
