import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (CI installs it: .ci/run); playwright-core drives it, nothing is downloaded. */
export const CHROMIUM = process.env.BATON_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots of every page the tests visit (git-ignored; CI keeps them as artifacts). */
export const ARTIFACTS = join(__dirname, '../../../test-artifacts/ui');

/**
 * Flags for a closed network and a root user: no sandbox (root), no GPU, and no background
 * connections (Chromium's own update and sync traffic would be refused by this machine's network,
 * many times over). playwright-core gives every launch a fresh, empty profile (its own
 * --user-data-dir in a temporary folder, removed on close).
 */
export async function launchBrowser(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
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
    browser,
    close: () => browser.close(),
  };
}

export interface PageProbe {
  page: Page;
  context: BrowserContext;
  /** Uncaught errors on the page (a crash in a component shows here). */
  errors: string[];
  /** Every origin the page sent a request to. */
  origins: Set<string>;
}

export async function openPage(
  browser: Browser,
  opts: { dark?: boolean; viewport?: { width: number; height: number } } = {},
): Promise<PageProbe> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1440, height: 900 },
    colorScheme: opts.dark ? 'dark' : 'light',
    timezoneId: 'Europe/Berlin',
    locale: 'en-GB',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const errors: string[] = [];
  const origins = new Set<string>();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => origins.add(new URL(r.url()).origin));
  return { page, context, errors, origins };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** axe-core on the page as it is: the serious and critical violations, as readable lines. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} at ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    );
}

/** Re-reads until `ok` holds, with a generous deadline (the machine is shared: no tight timing). */
export async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  let lastErr: unknown;
  for (;;) {
    try {
      last = await fn();
      if (ok(last)) return last;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last) ?? String(lastErr)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
