import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import type { TestContext } from 'vitest';

export const VIEWPORT = { width: 1280, height: 800 };
const RESULTS_DIR = 'test-results';

export interface BrowserHandle {
  browser: Browser;
  /**
   * A fresh page in its own context (no shared storage), closed when the test ends; when the
   * test fails, a screenshot goes to test-results/ and the page's console errors are printed.
   */
  newPage(test: TestContext): Promise<Page>;
  close(): Promise<void>;
}

/** Headless Chromium, as installed on the machine (playwright downloads nothing here). */
export async function launchBrowser(): Promise<BrowserHandle> {
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    newPage: (test) => openPage(browser, test),
    close: () => browser.close(),
  };
}

async function openPage(browser: Browser, test: TestContext): Promise<Page> {
  const context: BrowserContext = await browser.newContext({ viewport: VIEWPORT });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push(`console.${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.method()} ${request.url()} (${request.failure()?.errorText})`),
  );

  test.onTestFinished(async ({ task }) => {
    try {
      if (task.result?.state === 'fail') {
        await mkdir(RESULTS_DIR, { recursive: true });
        const file = join(RESULTS_DIR, `${safeName(task.fullName)}.png`);
        await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
        console.error(`Screenshot of the failed test: ${file}\nAt: ${page.url()}`);
        if (problems.length > 0) console.error(`Browser reported:\n  ${problems.join('\n  ')}`);
      }
    } finally {
      await context.close();
    }
  });
  return page;
}

function safeName(name: string): string {
  return name
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 120);
}
