// Real Chromium for browser tests (Debian's /usr/bin/chromium driven by playwright-core): a fresh
// profile per launch in the system temp dir, removed on close. Shared by every browser test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type BrowserContextOptions } from 'playwright-core';

export const CHROMIUM_PATH = process.env.EMILY_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a quiet, deterministic headless Chromium on a machine without a GPU or network. */
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

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Starts Chromium with a throw-away profile. Always `close()` it (e.g. in afterAll). */
export async function launchChromium(options: BrowserContextOptions = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'emily-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      ...options,
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  let closed: Promise<void> | undefined;
  return {
    context,
    close: () =>
      (closed ??= context
        .close()
        .catch(() => {})
        .finally(() => rmSync(profile, { recursive: true, force: true }))),
  };
}
