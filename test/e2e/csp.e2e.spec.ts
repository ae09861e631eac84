import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserHandle, launchBrowser } from '../support/browser.js';
import { createCampaign } from '../support/campaigns.js';
import { login } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

// The console under the server's Content-Security-Policy: every page works with no violation.

let server: TestServer;
let browser: BrowserHandle;

declare global {
  interface Window {
    cspViolations: string[];
  }
}

describe('the console under the Content-Security-Policy', () => {
  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signs in and shows every admin page without a CSP violation', async (test) => {
    const token = await login(server.baseUrl, server.adminUsername, server.adminPassword);
    const campaign = await createCampaign(server.baseUrl, token, { name: 'CSP check' });
    const page = await browser.newPage(test);
    const consoleViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) consoleViolations.push(message.text());
    });
    await page.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (event) =>
        window.cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`),
      );
    });

    const response = await page.goto(`${server.baseUrl}/login`);
    expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await page.getByTestId('login-username').fill(server.adminUsername);
    await page.getByTestId('login-password').fill(server.adminPassword);
    await page.getByTestId('login-submit').click();
    await page.waitForURL((url) => url.pathname.startsWith('/admin/'));

    for (const path of [
      '/admin/campaigns',
      `/admin/campaigns/${campaign.id}`,
      '/admin/campaigns/new',
      '/admin/members',
      '/admin/users',
      '/admin/api-keys',
    ]) {
      await page.goto(`${server.baseUrl}${path}`);
      await page.waitForLoadState('networkidle');
      // The page rendered (scripts ran) with its component styles, which Angular inserts as <style>.
      expect(await page.locator('app-root > *').count(), path).toBeGreaterThan(0);
      expect(await page.evaluate(() => document.querySelectorAll('style').length), path).toBeGreaterThan(0);
      expect(await page.evaluate(() => window.cspViolations), path).toEqual([]);
    }
    expect(consoleViolations).toEqual([]);
  });
});
