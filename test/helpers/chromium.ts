/**
 * Debian's chromium, headless, driven by playwright-core for end-to-end tests of the web chat. Never
 * downloads a browser: the binary is /usr/bin/chromium (`apt-get install -y chromium`), or
 * LEGO_TEST_CHROMIUM where it lives elsewhere. Each launch gets a fresh profile folder, removed on close.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.LEGO_TEST_CHROMIUM ?? '/usr/bin/chromium';

/**
 * The browser tests never skip: without chromium they fail with the line that says how to get it
 * (scripts/test.sh installs it with the other Debian packages the tests need).
 */
export function missingChromiumMessage(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  return `no chromium at ${CHROMIUM_PATH}: install Debian's (apt-get install -y chromium, or bash scripts/system-packages.sh), or set LEGO_TEST_CHROMIUM to a chromium binary`;
}

export interface LaunchedChromium {
  /** a persistent context on the fresh profile folder (playwright's way of passing --user-data-dir) */
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedChromium> {
  const missing = missingChromiumMessage();
  if (missing !== undefined) throw new Error(missing);
  const profile = mkdtempSync(join(tmpdir(), 'lego-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1100, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
