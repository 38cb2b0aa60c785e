import { mkdirSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

/**
 * Debian's Chromium, headless. The flags keep it off the network this machine doesn't
 * have (background services would otherwise retry connections at every start).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export const SHOTS = new URL('../.artifacts/screenshots/', import.meta.url).pathname;
mkdirSync(SHOTS, { recursive: true });
