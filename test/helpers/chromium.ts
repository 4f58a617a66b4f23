// Debian's Chromium driven by playwright-core for the browser tests: one launch recipe (never a browser download, no background network).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';

/** Headless, as root, and without Chromium's own network traffic (refused on this machine's closed network). */
export const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function requireChromium(purpose: string): void {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: install Debian's chromium (apt-get install chromium) to run ${purpose}`);
}

/** A browser for tests that open pages of their own. */
export async function launchChromium(purpose: string): Promise<Browser> {
  requireChromium(purpose);
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}

/** A context with a fresh, empty profile folder; `close` closes it and removes the folder. */
export async function launchChromiumContext(purpose: string): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  requireChromium(purpose);
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'gradlab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: chromiumArgs });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
