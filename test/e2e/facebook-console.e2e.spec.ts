import { createConnection } from 'mysql2/promise';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metaJson, signatureHeaders } from '../../libs/messenger-simulator/simulator.js';
import { parseDatabaseUrl } from '../../server/src/infrastructure/database/database.js';
import { type BrowserHandle, launchBrowser } from '../support/browser.js';
import { createCampaign } from '../support/campaigns.js';
import { type FacebookTestBed, SEED, startFacebookTestBed } from '../support/facebook.js';
import { eventually, gql, login } from '../support/graphql.js';

// The Facebook connection in the console, end to end: Chromium drives the real console, the popup
// goes through the Messenger simulator's login dialog (playing Facebook) and back to Parley's
// callback, and the page token's health comes from the simulator too. Nothing is faked.

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const BAKERY = SEED.pages.bakery;

let bed: FacebookTestBed;
let browser: BrowserHandle;
let adminToken: string;

type TestContext = Parameters<BrowserHandle['newPage']>[0];

async function adminPage(test: TestContext, size = DESKTOP): Promise<Page> {
  const page = await browser.newPage(test);
  await page.setViewportSize(size);
  await page.goto(`${bed.server.baseUrl}/login`);
  await page.getByTestId('login-username').fill(bed.server.adminUsername);
  await page.getByTestId('login-password').fill(bed.server.adminPassword);
  await page.getByTestId('login-submit').click();
  await page.waitForURL('**/admin/users');
  return page;
}

async function tokenStatusOf(campaignId: string): Promise<{ tokenStatus: string; pageName: string | null }> {
  const result = await gql<{ campaign: { tokenStatus: string; pageName: string | null } }>(
    bed.server.baseUrl,
    'query($id: ID!) { campaign(id: $id) { tokenStatus pageName } }',
    { id: campaignId },
    { token: adminToken },
  );
  return result.data!.campaign;
}

/** The popup as a person goes through it: Facebook's dialog (who, which permissions), then Parley's page choice. */
async function completePopup(
  popup: Page,
  options: { decline?: string; pageName?: string; cancel?: boolean } = {},
): Promise<void> {
  await popup.waitForLoadState();
  await popup.getByLabel(SEED.persons.dana.name).check();
  if (options.decline) await popup.getByLabel(options.decline).uncheck();
  await popup.getByRole('button', { name: options.cancel ? 'Cancel' : 'Continue' }).click();
  if (options.pageName) {
    await popup.getByLabel(options.pageName).check();
    await popup.getByRole('button', { name: 'Connect page' }).click();
  }
}

describe('Facebook connection in the console', () => {
  beforeAll(async () => {
    bed = await startFacebookTestBed();
    browser = await launchBrowser();
    adminToken = await login(bed.server.baseUrl, bed.server.adminUsername, bed.server.adminPassword);
  });

  afterAll(async () => {
    await browser?.close();
    await bed?.stop();
  });

  it('an admin activates a campaign through the popup, the table shows the page and the green icon, and a token Facebook expired turns red with the reason on "Check tokens"', async (test) => {
    const campaign = await createCampaign(bed.server.baseUrl, adminToken, { name: 'Bakery chats' });
    const page = await adminPage(test);
    await page.goto(`${bed.server.baseUrl}/admin/campaigns/${campaign.id}`);
    const section = page.getByTestId('campaign-facebook');
    await section.getByTestId('campaign-not-connected').waitFor();

    // Declining a permission: the popup names it and the campaign stays not connected.
    let popup = page.waitForEvent('popup');
    await section.getByRole('button', { name: 'Activate with Facebook' }).click();
    await completePopup(await popup, { decline: 'pages_messaging' });
    await section.getByTestId('activate-facebook-error').getByText('pages_messaging').waitFor();
    expect((await tokenStatusOf(campaign.id)).tokenStatus).toBe('NOT_CONNECTED');

    // Accepting everything and choosing the Bakery page connects it.
    popup = page.waitForEvent('popup');
    await section.getByRole('button', { name: 'Activate with Facebook' }).click();
    await completePopup(await popup, { pageName: BAKERY.name });
    // Connected, the section shows the page (the activation button gives way to it).
    await section.getByTestId('campaign-page-connected-name').getByText(BAKERY.name).waitFor();
    expect(await section.getByTestId('campaign-page-id').textContent()).toContain(BAKERY.id);
    expect(await tokenStatusOf(campaign.id)).toEqual({ tokenStatus: 'ACTIVE', pageName: BAKERY.name });
    expect(bed.sim.state().pages.find((p) => p.id === BAKERY.id)?.subscribedFields).toContain('messages');

    await page.getByTestId('nav-admin/campaigns').click();
    const row = page.locator(`[data-testid=campaign-row][data-name="${campaign.name}"]`);
    const active = row.locator('[data-testid=token-status][data-token-status=ACTIVE]');
    await active.waitFor();
    expect(await active.getAttribute('aria-label')).toBe('Page token active');
    const activeShape = await active.getAttribute('data-token-icon');
    expect(await row.textContent()).toContain(BAKERY.name);

    // Facebook kills the token without telling anyone; the refresh icon finds out.
    bed.sim.expireToken({ pageId: BAKERY.id });
    await page.getByRole('button', { name: 'Check tokens' }).click();
    const inactive = row.locator('[data-testid=token-status][data-token-status=INACTIVE]');
    await inactive.waitFor();
    expect(await inactive.getAttribute('data-token-icon')).not.toBe(activeShape);
    expect(await inactive.getAttribute('aria-label')).toMatch(/^Page token inactive: .*expired/);
  });

  for (const size of [DESKTOP, PHONE]) {
    it(`an inactive token shows Facebook's reason with Reconnect, which restores it, and Disconnect asks first (${size.width} px)`, async (test) => {
      // Back to the simulator's seed: the previous run revoked this page's token.
      bed.sim.reset();
      const campaign = await createCampaign(bed.server.baseUrl, adminToken, { name: `Bikes ${size.width}` });
      const bikes = SEED.pages.bikes;
      const connected = await gql(
        bed.server.baseUrl,
        'mutation($c: ID!, $p: String!, $t: String!) { connectFacebookPage(campaignId: $c, pageId: $p, pageAccessToken: $t) { id } }',
        { c: campaign.id, p: bikes.id, t: bikes.token },
        { token: adminToken },
      );
      expect(connected.errors).toBeUndefined();
      bed.sim.revokeToken({ pageId: bikes.id });
      const check = await gql(
        bed.server.baseUrl,
        'mutation($c: ID!) { checkCampaignToken(campaignId: $c) { tokenStatus } }',
        { c: campaign.id },
        { token: adminToken },
      );
      expect(check.data).toEqual({ checkCampaignToken: { tokenStatus: 'INACTIVE' } });

      const page = await adminPage(test, size);
      await page.goto(`${bed.server.baseUrl}/admin/campaigns/${campaign.id}`);
      const section = page.getByTestId('campaign-facebook');
      const banner = section.getByTestId('campaign-token-inactive');
      await banner.getByRole('alert').getByText('password', { exact: false }).waitFor();
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(scrollWidth).toBeLessThanOrEqual(size.width);

      // A wrong page token is refused with Facebook's words, and nothing changes.
      await section.getByRole('button', { name: 'Connect with a page token' }).click();
      await section.getByTestId('campaign-token-page-id').fill(bikes.id);
      await section.getByTestId('campaign-token-value').fill('EAAB-not-a-token');
      await section.getByTestId('campaign-token-connect').click();
      await section.getByTestId('campaign-token-error').getByText('Facebook refused').waitFor();
      expect((await tokenStatusOf(campaign.id)).tokenStatus).toBe('INACTIVE');

      // Reconnect runs the popup again; the new login gives the page a fresh token.
      const popup = page.waitForEvent('popup');
      await banner.getByRole('button', { name: 'Reconnect' }).click();
      await completePopup(await popup, { pageName: bikes.name });
      await banner.waitFor({ state: 'detached' });
      expect((await tokenStatusOf(campaign.id)).tokenStatus).toBe('ACTIVE');

      await section.getByRole('button', { name: 'Disconnect page' }).click();
      await page.getByTestId('confirm-cancel').click();
      expect((await tokenStatusOf(campaign.id)).tokenStatus).toBe('ACTIVE');
      await section.getByRole('button', { name: 'Disconnect page' }).click();
      await page.getByTestId('confirm-ok').click();
      await section.getByTestId('campaign-not-connected').waitFor();
      expect((await tokenStatusOf(campaign.id)).tokenStatus).toBe('NOT_CONNECTED');
      expect(bed.sim.state().pages.find((p) => p.id === bikes.id)?.subscribedFields).toEqual([]);
    });
  }

  it('a blocked popup is said in words, with a link that opens Facebook in a tab which still reports back', async (test) => {
    const campaign = await createCampaign(bed.server.baseUrl, adminToken, { name: 'Blocked popup' });
    const page = await adminPage(test, PHONE);
    // What a popup blocker does: window.open answers null.
    await page.addInitScript(() => {
      window.open = () => null;
    });
    await page.goto(`${bed.server.baseUrl}/admin/campaigns/${campaign.id}`);
    const section = page.getByTestId('campaign-facebook');
    await section.getByRole('button', { name: 'Activate with Facebook' }).click();
    const blocked = section.getByTestId('activate-facebook-blocked');
    await blocked.getByText('Your browser blocked the Facebook window.').waitFor();
    const tab = page.waitForEvent('popup');
    await blocked.getByRole('link', { name: 'Open Facebook in a new tab' }).click();
    await completePopup(await tab, { cancel: true });
    await section
      .getByTestId('activate-facebook-cancelled')
      .getByText('You cancelled the Facebook login')
      .waitFor();
  });

  for (const size of [DESKTOP, PHONE]) {
    it(`Messenger settings shows what to paste into the Meta app, copies it, and when the last webhook arrived (${size.width} px)`, async (test) => {
      const page = await adminPage(test, size);
      await page
        .context()
        .grantPermissions(['clipboard-read', 'clipboard-write'], { origin: bed.server.baseUrl });
      const menu = page.getByTestId('menu');
      if (await menu.isVisible()) await menu.click();
      await page.getByTestId('nav-admin/messenger').click();
      await page.waitForURL('**/admin/messenger');

      await page.getByRole('button', { name: 'Copy webhook URL' }).click();
      await page.getByTestId('messenger-copy-webhook-url-status').getByText('Copied').waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
        `${bed.server.baseUrl}/webhooks/messenger`,
      );
      await page.getByRole('button', { name: 'Copy verify token' }).click();
      await page.getByTestId('messenger-copy-verify-token-status').getByText('Copied').waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(bed.verifyToken);

      // A customer writes to a subscribed page: the simulator verifies the callback and delivers
      // a signed webhook, which the settings page then reports.
      bed.sim.configure({
        webhookUrl: `${bed.server.baseUrl}/webhooks/messenger`,
        verifyToken: bed.verifyToken,
      });
      bed.sim.subscribe(BAKERY.id);
      bed.sim.customerWrites(BAKERY.id, SEED.customers.bakery.ada.psid, { text: 'Hello from the test' });
      await bed.sim.webhooksIdle();
      await page.getByRole('button', { name: 'Refresh the Messenger settings' }).click();
      await page.getByTestId('messenger-last-webhook').getByText('The last webhook arrived').waitFor();
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(scrollWidth).toBeLessThanOrEqual(size.width);
    });
  }
  for (const size of [DESKTOP, PHONE]) {
    it(`Messenger settings lists failed deliveries; Replay puts one back and says so, Replay all says which failed again (${size.width} px)`, async (test) => {
      const { database, ...server } = parseDatabaseUrl(bed.server.environment.databaseUrl);
      const db = await createConnection({ ...server, database });
      try {
        // A delivery whose processing failed after every attempt (MySQL refused it, say), now fixable.
        const mid = `m_console_replay_${size.width}`;
        const body = {
          object: 'page',
          entry: [
            {
              id: BAKERY.id,
              time: Date.now(),
              messaging: [
                {
                  sender: { id: SEED.customers.bakery.ada.psid },
                  recipient: { id: BAKERY.id },
                  timestamp: Date.now(),
                  message: { mid, text: 'Is the sourdough ready?' },
                },
              ],
            },
          ],
        };
        const [inserted] = (await db.query(
          "INSERT INTO webhook_deliveries (body, status, attempts, lastError) VALUES (?, 'FAILED', 6, 'Lock wait timeout exceeded; try restarting transaction')",
          [Buffer.from(metaJson(body))],
        )) as unknown as [{ insertId: number }];
        const id = String(inserted.insertId);

        const page = await adminPage(test, size);
        const menu = page.getByTestId('menu');
        if (await menu.isVisible()) await menu.click();
        await page.getByTestId('nav-admin/messenger').click();
        const section = page.getByTestId('messenger-failed');
        await section.getByTestId('messenger-failed-count').getByText('could not be processed').waitFor();
        const row = section.locator(`[data-testid=failed-delivery][data-id="${id}"]`);
        await row.getByText('Lock wait timeout exceeded').waitFor();
        expect(await row.getByTestId('failed-delivery-what').textContent()).toContain(
          `1 event for page ${BAKERY.id}`,
        );
        // A summary only: what the customer wrote stays on the server.
        expect(await page.content()).not.toContain('sourdough');
        const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(scrollWidth).toBeLessThanOrEqual(size.width);

        await row.getByRole('button', { name: `Replay delivery ${id}` }).click();
        await row.waitFor({ state: 'detached' });
        await section
          .getByTestId('messenger-replay-note')
          .getByText(`Delivery ${id} was put back to be processed.`)
          .waitFor();
        await eventually(async () => {
          const [rows] = (await db.query('SELECT status FROM webhook_deliveries WHERE id = ?', [
            id,
          ])) as unknown as [{ status: string }[]];
          return rows[0].status === 'PROCESSED';
        });
        const [messages] = (await db.query('SELECT text FROM messages WHERE mid = ?', [mid])) as unknown as [
          { text: string }[],
        ];
        expect(messages).toEqual([{ text: 'Is the sourdough ready?' }]);

        // Signed by the app but not a Messenger delivery: it fails again at once, and the page says so.
        const instagram = Buffer.from(
          metaJson({ object: 'instagram', entry: [{ id: `178414000000${size.width}`, time: Date.now() }] }),
        );
        const posted = await fetch(`${bed.server.baseUrl}/webhooks/messenger`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...signatureHeaders(instagram, bed.appSecret) },
          body: instagram,
        });
        expect(posted.status).toBe(200);
        await page.getByRole('button', { name: 'Refresh the Messenger settings' }).click();
        const other = section.locator('[data-testid=failed-delivery]', {
          hasText: `object "instagram", for 178414000000${size.width}`,
        });
        await other.waitFor();
        await section.getByTestId('messenger-replay-all').click();
        await section.getByTestId('messenger-replay-note').getByText('put back to be processed').waitFor();
        await section.getByTestId('messenger-replay-note').getByText('failed again').waitFor();
        await other.waitFor();
      } finally {
        await db.end();
      }
    });
  }
});
