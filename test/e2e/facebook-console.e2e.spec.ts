import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignChanged } from '../../server/src/events/catalogue.js';
import { Transactions } from '../../server/src/infrastructure/events/after-commit.js';
import { type BrowserHandle, launchBrowser } from '../support/browser.js';
import { createCampaign } from '../support/campaigns.js';
import { login } from '../support/graphql.js';
import { type TestServer, startTestServer } from '../support/server.js';

// The console's side of the Facebook connection: the popup protocol, the Messenger settings page,
// the editor's Facebook section and "Check tokens". The server's Facebook operations are answered
// here by the browser (page.route), by operation name, as notes/facebook-api.md agrees them; the
// rest is the real server. The end-to-end flow through the simulator is tested once both are merged.

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

let server: TestServer;
let browser: BrowserHandle;
let adminToken: string;

type TestContext = Parameters<BrowserHandle['newPage']>[0];
type Answer = (variables: Record<string, unknown>) => unknown;

async function adminPage(test: TestContext, size = DESKTOP): Promise<Page> {
  const page = await browser.newPage(test);
  await page.setViewportSize(size);
  await page.goto(`${server.baseUrl}/login`);
  await page.getByTestId('login-username').fill(server.adminUsername);
  await page.getByTestId('login-password').fill(server.adminPassword);
  await page.getByTestId('login-submit').click();
  await page.waitForURL('**/admin/users');
  return page;
}

/** Answers the named GraphQL operations in the browser (`{ data }` or `{ errors }`); others reach the server. */
async function fakeOperations(page: Page, answers: Record<string, Answer>): Promise<void> {
  await page.route('**/graphql', async (route: Route) => {
    const body = route.request().postDataJSON() as {
      operationName?: string;
      variables?: Record<string, unknown>;
    };
    const answer = body?.operationName ? answers[body.operationName] : undefined;
    if (!answer) return route.fallback();
    await route.fulfill({
      contentType: 'application/json',
      body: JSON.stringify(answer(body.variables ?? {})),
    });
  });
}

/**
 * The popup's journey: a page on another origin standing in for Facebook's dialog, which sends the
 * popup back to a Parley page standing in for the callback's last page, which posts `message` to its
 * opener. Served without a Cross-Origin-Opener-Policy (unsafe-none), as Facebook's dialog is and as
 * the server's callback pages must be: with the console's same-origin-allow-popups the popup keeps
 * its opener all the way; with helmet's default (same-origin) it lost it. Returns the dialog's address.
 */
async function fakeFacebook(page: Page, message: Record<string, unknown>): Promise<string> {
  const id = Math.random().toString(36).slice(2);
  const callback = `${server.baseUrl}/facebook/fake-callback-${id}`;
  // 127.0.0.1 serves Parley; localhost is another origin to the browser.
  const dialog = `${server.baseUrl.replace('127.0.0.1', 'localhost')}/fake-dialog-${id}`;
  expect(new URL(dialog).origin).not.toBe(new URL(server.baseUrl).origin);
  // A script, not a 302: Playwright does not route the request a fulfilled redirect leads to.
  await page.context().route(dialog, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><script>location.replace(${JSON.stringify(callback)});</script>`,
    }),
  );
  await page.context().route(callback, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><p>Done</p><script>window.opener.postMessage(${JSON.stringify(message)}, ${JSON.stringify(server.baseUrl)});</script>`,
    }),
  );
  return dialog;
}

async function setToken(campaignId: string, sql: string, values: unknown[]): Promise<void> {
  await server.app.get(Transactions).run(async (uow) => {
    await uow.em.query(sql, [...values, campaignId]);
    uow.publish(CampaignChanged, { campaignId, deleted: null });
  });
}

describe('the console side of the Facebook connection', () => {
  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    adminToken = await login(server.baseUrl, server.adminUsername, server.adminPassword);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('Activate with Facebook opens the popup, ignores foreign messages and says the outcome beside the button', async (test) => {
    const campaign = await createCampaign(server.baseUrl, adminToken, { name: 'Popup flow' });
    const page = await adminPage(test);
    const other = await fakeFacebook(page, {
      type: 'parley:facebook-activation',
      campaignId: 'another-campaign',
      outcome: 'connected',
      message: 'Connected to the wrong page',
    });
    let authorizeUrl = other;
    await fakeOperations(page, {
      StartFacebookActivation: ({ campaignId }) => {
        expect(campaignId).toBe(campaign.id);
        return {
          data: {
            startFacebookActivation: {
              __typename: 'FacebookActivation',
              authorizeUrl,
              expiresAt: new Date().toISOString(),
            },
          },
        };
      },
    });
    await page.goto(`${server.baseUrl}/admin/campaigns/${campaign.id}`);
    const section = page.getByTestId('campaign-facebook');
    await section.getByTestId('campaign-not-connected').waitFor();

    // Another campaign's message is not this one's outcome.
    const popup = page.waitForEvent('popup');
    await section.getByRole('button', { name: 'Activate with Facebook' }).click();
    const first = await popup;
    await first.waitForLoadState();
    await section.getByText('Finish in the Facebook window').waitFor();
    await page.waitForTimeout(300);
    expect(await section.getByText('wrong page').count()).toBe(0);

    // Declined: the popup's words, naming the permission, where the admin is looking.
    authorizeUrl = await fakeFacebook(page, {
      type: 'parley:facebook-activation',
      campaignId: campaign.id,
      outcome: 'declined',
      message: 'You declined pages_messaging: Parley cannot answer without it.',
    });
    // Pressed again: the old popup closes and a fresh one starts from a blank page.
    await section.getByRole('button', { name: 'Activate with Facebook' }).click();
    await expect.poll(() => first.isClosed()).toBe(true);
    const alert = section.getByTestId('activate-facebook-error');
    await alert.getByText('You declined pages_messaging').waitFor();
    expect(await alert.getByRole('alert').count()).toBe(1);

    // Connected.
    authorizeUrl = await fakeFacebook(page, {
      type: 'parley:facebook-activation',
      campaignId: campaign.id,
      outcome: 'connected',
      message: 'Connected to Parley Demo Bakery',
      pageName: 'Parley Demo Bakery',
    });
    await section.getByRole('button', { name: 'Activate with Facebook' }).click();
    await section
      .getByTestId('activate-facebook-connected')
      .getByText('Connected to Parley Demo Bakery')
      .waitFor();
    expect(await section.getByTestId('activate-facebook-error').count()).toBe(0);
  });

  it('a blocked popup is said in words, with a link that opens Facebook in a tab', async (test) => {
    const campaign = await createCampaign(server.baseUrl, adminToken, { name: 'Blocked popup' });
    const page = await adminPage(test, PHONE);
    await page.addInitScript(() => {
      window.open = () => null;
    });
    const authorizeUrl = await fakeFacebook(page, {
      type: 'parley:facebook-activation',
      campaignId: campaign.id,
      outcome: 'no-pages',
      message: '',
    });
    await fakeOperations(page, {
      StartFacebookActivation: () => ({
        data: {
          startFacebookActivation: {
            __typename: 'FacebookActivation',
            authorizeUrl,
            expiresAt: new Date().toISOString(),
          },
        },
      }),
    });
    await page.goto(`${server.baseUrl}/admin/campaigns/${campaign.id}`);
    const section = page.getByTestId('campaign-facebook');
    await section.getByRole('button', { name: 'Activate with Facebook' }).click();
    const blocked = section.getByTestId('activate-facebook-blocked');
    await blocked.getByText('Your browser blocked the Facebook window.').waitFor();
    const link = blocked.getByRole('link', { name: 'Open Facebook in a new tab' });
    expect(await link.getAttribute('href')).toBe(authorizeUrl);
    // The tab keeps its opener, so that it can still tell the console how it went.
    const tab = page.waitForEvent('popup');
    await link.click();
    await tab;
    await section.getByTestId('activate-facebook-error').getByText('administers no page').waitFor();
  });

  it('a refused start is said in words beside the button', async (test) => {
    const campaign = await createCampaign(server.baseUrl, adminToken, { name: 'Refused start' });
    const page = await adminPage(test);
    await fakeOperations(page, {
      StartFacebookActivation: () => ({
        errors: [
          { message: 'Facebook activation is not configured.', extensions: { code: 'BAD_USER_INPUT' } },
        ],
      }),
    });
    await page.goto(`${server.baseUrl}/admin/campaigns/${campaign.id}`);
    const section = page.getByTestId('campaign-facebook');
    await section.getByRole('button', { name: 'Activate with Facebook' }).click();
    await section
      .getByTestId('activate-facebook-error')
      .getByText('Could not start the activation: Facebook activation is not configured.')
      .waitFor();
  });

  for (const size of [DESKTOP, PHONE]) {
    it(`an inactive page shows Facebook's reason with Reconnect, the page token form says FACEBOOK_ERROR in words, and Disconnect asks first (${size.width} px)`, async (test) => {
      const campaign = await createCampaign(server.baseUrl, adminToken, { name: `Inactive ${size.width}` });
      await setToken(
        campaign.id,
        "UPDATE campaigns SET pageId = '1234567890', pageName = 'Parley Demo Bakery', tokenStatus = 'INACTIVE', tokenError = 'Error validating access token: the user changed their password' WHERE id = ?",
        [],
      );
      const page = await adminPage(test, size);
      const connectedAt = new Date(Date.now() - 3.5 * 60_000).toISOString();
      let disconnected = false;
      await fakeOperations(page, {
        PageConnection: ({ id }) => ({
          data: {
            campaign: {
              __typename: 'Campaign',
              id,
              pageConnectedAt: connectedAt,
              pageConnectedThrough: 'POPUP',
            },
          },
        }),
        ConnectFacebookPage: () => ({
          errors: [
            {
              message: 'Invalid OAuth access token - Cannot parse access token',
              extensions: { code: 'FACEBOOK_ERROR', facebook: { code: 190, subcode: null } },
            },
          ],
        }),
        DisconnectFacebookPage: () => {
          disconnected = true;
          return { errors: [{ message: 'Not yet', extensions: { code: 'CONFLICT' } }] };
        },
      });
      await page.goto(`${server.baseUrl}/admin/campaigns/${campaign.id}`);
      const section = page.getByTestId('campaign-facebook');
      await section.getByTestId('campaign-page-connected-name').getByText('Parley Demo Bakery').waitFor();
      expect(await section.getByTestId('campaign-page-id').textContent()).toContain('1234567890');
      await section.getByTestId('campaign-page-since').getByText('3 minutes ago').waitFor();
      const banner = section.getByTestId('campaign-token-inactive');
      await banner.getByRole('alert').getByText('the user changed their password').waitFor();
      await banner.getByRole('button', { name: 'Reconnect' }).waitFor();
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(scrollWidth).toBeLessThanOrEqual(size.width);

      await section.getByRole('button', { name: 'Connect with a page token' }).click();
      await section.getByTestId('campaign-token-page-id').fill('1234567890');
      await section.getByTestId('campaign-token-value').fill('EAAB-not-a-token');
      await section.getByTestId('campaign-token-connect').click();
      await section
        .getByTestId('campaign-token-error')
        .getByText('Facebook refused (error 190): Invalid OAuth access token - Cannot parse access token.')
        .waitFor();

      await section.getByRole('button', { name: 'Disconnect page' }).click();
      await page.getByRole('dialog').getByText('Disconnect the page "Parley Demo Bakery"?').waitFor();
      await page.getByTestId('confirm-cancel').click();
      expect(disconnected).toBe(false);
      await section.getByRole('button', { name: 'Disconnect page' }).click();
      await page.getByTestId('confirm-ok').click();
      await section.getByTestId('campaign-disconnect-error').getByText('Not yet.').waitFor();

      // The token status comes live: reactivated elsewhere, the banner goes.
      await setToken(
        campaign.id,
        "UPDATE campaigns SET tokenStatus = 'ACTIVE', tokenError = NULL WHERE id = ?",
        [],
      );
      await banner.waitFor({ state: 'detached', timeout: 5000 });
      expect(await section.getByTestId('campaign-token-label').textContent()).toContain('Page token active');
    });
  }

  it('Check tokens checks the campaigns shown, with a spinner, and the rows follow', async (test) => {
    const shown = await createCampaign(server.baseUrl, adminToken, { name: 'Check me' });
    const hidden = await createCampaign(server.baseUrl, adminToken, { name: 'Filtered out' });
    for (const id of [shown.id, hidden.id]) {
      await setToken(
        id,
        "UPDATE campaigns SET pageId = ?, pageName = 'Bakery', tokenStatus = 'ACTIVE' WHERE id = ?",
        [`page-${id}`],
      );
    }
    const page = await adminPage(test);
    const asked: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/graphql', async (route) => {
      const body = route.request().postDataJSON() as {
        operationName?: string;
        variables?: { campaignId: string };
      };
      if (body?.operationName !== 'CheckCampaignToken') return route.fallback();
      asked.push(body.variables!.campaignId);
      await held;
      // What the server answers, read from the real campaign, made inactive.
      await setToken(
        body.variables!.campaignId,
        "UPDATE campaigns SET tokenStatus = 'INACTIVE', tokenError = 'Token expired' WHERE id = ?",
        [],
      );
      await route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({
          data: {
            checkCampaignToken: {
              __typename: 'Campaign',
              id: body.variables!.campaignId,
              name: 'Check me',
              channel: 'MESSENGER',
              pageName: 'Bakery',
              strategy: 'RRMEMORY',
              enabled: true,
              isOpenNow: false,
              tokenStatus: 'INACTIVE',
              tokenError: 'Token expired',
              tokenCheckedAt: new Date().toISOString(),
            },
          },
        }),
      });
    });
    await page.getByTestId('nav-admin/campaigns').click();
    await page.getByTestId('campaigns-filter').fill('Check me');
    const row = page.locator('[data-testid=campaign-row][data-name="Check me"]');
    await row.getByTestId('token-status').waitFor();
    expect(await row.getByTestId('token-status').getAttribute('data-token-icon')).toBe('link');
    expect(await row.textContent()).toContain('Bakery');

    const button = page.getByRole('button', { name: 'Check tokens' });
    await button.click();
    await button.locator('mat-progress-spinner').waitFor();
    expect(await button.isDisabled()).toBe(true);
    release();
    await page
      .getByTestId('campaigns-check-status')
      .getByText('Checked 1 token: 1 page token inactive.')
      .waitFor();
    expect(asked).toEqual([shown.id]);
    const token = row.locator('[data-testid=token-status][data-token-status=INACTIVE]');
    await token.waitFor();
    expect(await token.getAttribute('data-token-icon')).toBe('error');
    expect(await token.getAttribute('aria-label')).toBe('Page token inactive: Token expired');
  });

  for (const size of [DESKTOP, PHONE]) {
    it(`Messenger settings shows what to paste into the Meta app, copies it, and when webhooks arrived (${size.width} px)`, async (test) => {
      const page = await adminPage(test, size);
      await page
        .context()
        .grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
      let lastWebhookAt: string | null = null;
      await fakeOperations(page, {
        MessengerSettings: () => ({
          data: {
            messengerSettings: {
              __typename: 'MessengerSettings',
              webhookUrl: `${server.baseUrl}/webhooks/messenger`,
              verifyToken: 'verify-me-123',
              appId: '987654321',
              graphApiUrl: 'http://127.0.0.1:3001/v23.0',
              lastWebhookAt,
              lastRejectedWebhookAt: new Date(Date.now() - 10.5 * 60_000).toISOString(),
            },
          },
        }),
      });
      const menu = page.getByTestId('menu');
      if (await menu.isVisible()) await menu.click();
      await page.getByTestId('nav-admin/messenger').click();
      await page.waitForURL('**/admin/messenger');
      await page.getByTestId('messenger-no-webhook').getByText('No webhook has arrived yet.').waitFor();
      await page.getByTestId('messenger-last-rejected').getByText('refused 10 minutes ago').waitFor();
      expect(await page.getByTestId('messenger-app-id').textContent()).toContain('987654321');

      await page.getByRole('button', { name: 'Copy webhook URL' }).click();
      await page.getByTestId('messenger-copy-webhook-url-status').getByText('Copied').waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
        `${server.baseUrl}/webhooks/messenger`,
      );
      await page.getByRole('button', { name: 'Copy verify token' }).click();
      await page.getByTestId('messenger-copy-verify-token-status').getByText('Copied').waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('verify-me-123');

      lastWebhookAt = new Date(Date.now() - 3.5 * 60_000).toISOString();
      await page.getByRole('button', { name: 'Refresh the Messenger settings' }).click();
      await page
        .getByTestId('messenger-last-webhook')
        .getByText('The last webhook arrived 3 minutes ago')
        .waitFor();
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(scrollWidth).toBeLessThanOrEqual(size.width);
    });
  }
});
