import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserHandle, launchBrowser } from '../support/browser.js';
import { createCampaign } from '../support/campaigns.js';
import { createUser, login } from '../support/graphql.js';
import { type TestServer, startTestServer } from '../support/server.js';

// The console on phones and tablets, and status icons that do not rely on colour.

const PHONE = { width: 390, height: 844 };
const TABLET = { width: 768, height: 1024 };
const DESKTOP = { width: 1280, height: 800 };

let server: TestServer;
let browser: BrowserHandle;
let campaignId: string;

type TestContext = Parameters<BrowserHandle['newPage']>[0];

async function signIn(page: Page, landing = '/admin/users'): Promise<void> {
  await page.goto(`${server.baseUrl}/login`);
  await page.getByTestId('login-username').fill(server.adminUsername);
  await page.getByTestId('login-password').fill(server.adminPassword);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(`**${landing}`);
}

async function openAt(test: TestContext, size: { width: number; height: number }): Promise<Page> {
  const page = await browser.newPage(test);
  await page.setViewportSize(size);
  return page;
}

/** The page does not scroll sideways: everything fits the window's width. */
async function expectNoSidewaysScroll(page: Page, width: number, where: string): Promise<void> {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth, `${where} is ${scrollWidth} px wide`).toBeLessThanOrEqual(width);
}

/**
 * Visible, inside the window's width, and it would receive the click (nothing covers it); `enabled`
 * false for a button that waits for a selection.
 */
async function expectUsable(page: Page, control: Locator, width: number, enabled = true): Promise<void> {
  await control.scrollIntoViewIfNeeded();
  const box = await control.boundingBox();
  expect(box, 'the control is shown').not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(width);
  if (enabled) await control.click({ trial: true, timeout: 5000 });
}

/** The tooltip shown for the hovered element (Material hides its surface from screen readers). */
const tooltip = (page: Page, text: string) => page.locator('mat-tooltip-component', { hasText: text });

/** Through the menu button on narrow screens, through the side navigation otherwise. */
async function goTo(page: Page, section: string, path: string): Promise<void> {
  const menu = page.getByTestId('menu');
  if (await menu.isVisible()) await menu.click();
  await page.getByTestId(`nav-${section}`).click();
  await page.waitForURL(`**${path}`);
}

describe('the console on phones and tablets', () => {
  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    const token = await login(server.baseUrl, server.adminUsername, server.adminPassword);
    campaignId = (
      await createCampaign(server.baseUrl, token, { name: 'A campaign with a rather long name for a phone' })
    ).id;
    await createCampaign(server.baseUrl, token, { name: 'Phones', channel: 'VOICE' });
    await createUser(server.baseUrl, token, { username: 'agent.with.a.long.username', role: 'AGENT' });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const size of [PHONE, TABLET]) {
    it(`every page fits ${size.width} px and its main actions can be used`, async (test) => {
      const page = await openAt(test, size);
      await page.goto(`${server.baseUrl}/login`);
      await page.getByTestId('login-submit').waitFor();
      await expectNoSidewaysScroll(page, size.width, 'the login page');
      await expectUsable(page, page.getByTestId('login-submit'), size.width);
      await signIn(page);

      // The shell: a menu button instead of a side navigation that takes the room; the user's actions show.
      const nav = page.getByTestId('nav');
      expect(await nav.isVisible()).toBe(false);
      await expectUsable(page, page.getByTestId('logout'), size.width);
      await expectUsable(page, page.getByTestId('menu'), size.width);
      const content = await page.locator('mat-sidenav-content').boundingBox();
      expect(content!.width).toBeGreaterThanOrEqual(size.width - 1);

      await page.getByTestId('user-row').first().waitFor();
      await expectNoSidewaysScroll(page, size.width, 'the users page');
      await expectUsable(page, page.getByTestId('new-user'), size.width);

      await goTo(page, 'admin/campaigns', '/admin/campaigns');
      // Choosing a section closes the menu.
      await nav.waitFor({ state: 'hidden' });
      await page.getByTestId('campaign-row').first().waitFor();
      await expectNoSidewaysScroll(page, size.width, 'the campaigns page');
      await expectUsable(page, page.getByTestId('new-campaign'), size.width);
      // The field, whose label sits over the empty input.
      await expectUsable(
        page,
        page.locator('mat-form-field', { has: page.getByTestId('campaigns-filter') }),
        size.width,
      );
      await expectUsable(page, page.getByTestId('campaign-link').first(), size.width);

      await page.getByTestId('campaign-link').first().click();
      await page.waitForURL(`**/admin/campaigns/${campaignId}`);
      await page.getByTestId('schedule-range').first().waitFor();
      await expectNoSidewaysScroll(page, size.width, 'the campaign editor');
      await expectUsable(page, page.getByTestId('campaign-save'), size.width);
      await expectUsable(page, page.getByTestId('campaign-name'), size.width);
      await expectUsable(page, page.getByTestId('schedule-add'), size.width);
      await expectUsable(page, page.getByTestId('canned-add'), size.width);
      // The save button stays reachable at the top while the form is scrolled.
      await page.getByTestId('canned-add').scrollIntoViewIfNeeded();
      await expectUsable(page, page.getByTestId('campaign-save'), size.width);

      await goTo(page, 'admin/members', '/admin/members');
      await page.locator('[data-testid=members-campaign][data-name="Phones"]').click();
      await expectNoSidewaysScroll(page, size.width, 'the members page');
      await expectUsable(page, page.locator('[data-testid=members-agent]').first(), size.width);
      await page.locator('[data-testid=members-agent]').first().click();
      await expectUsable(page, page.getByTestId('members-add'), size.width);
      await expectUsable(page, page.getByTestId('members-remove'), size.width, false);

      await goTo(page, 'admin/api-keys', '/admin/api-keys');
      await page.getByTestId('api-keys-table').waitFor();
      await expectNoSidewaysScroll(page, size.width, 'the API keys page');
      await expectUsable(page, page.getByTestId('new-api-key'), size.width);
    });
  }

  it('the menu button opens the sections over the page and closes once one is chosen', async (test) => {
    const page = await openAt(test, PHONE);
    await signIn(page);
    const menu = page.getByTestId('menu');
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await menu.click();
    await page.getByTestId('nav').waitFor({ state: 'visible' });
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await page.getByTestId('nav-admin/api-keys').click();
    await page.waitForURL('**/admin/api-keys');
    await page.getByTestId('nav').waitFor({ state: 'hidden' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
  });

  it('a wide screen keeps the side navigation open and shows no menu button', async (test) => {
    const page = await openAt(test, DESKTOP);
    await signIn(page);
    expect(await page.getByTestId('nav').isVisible()).toBe(true);
    expect(await page.getByTestId('menu').count()).toBe(0);
    await expectNoSidewaysScroll(page, DESKTOP.width, 'the users page');
  });

  for (const size of [DESKTOP, PHONE]) {
    it(`status icons say their state in words, to screen readers and in a tooltip (${size.width} px)`, async (test) => {
      const page = await openAt(test, size);
      await signIn(page);
      // Presence, on the users page.
      const admin = page.locator(`[data-testid=user-row][data-username="${server.adminUsername}"]`);
      const presence = admin.getByRole('img', { name: 'Offline' });
      await presence.waitFor();
      await presence.hover();
      await tooltip(page, 'Offline').waitFor();

      await goTo(page, 'admin/campaigns', '/admin/campaigns');
      const row = page.locator('[data-testid=campaign-row]', { hasText: 'rather long name' });
      const token = row.getByRole('img', { name: 'Facebook page not connected' });
      await token.waitFor();
      await row.getByRole('img', { name: 'Enabled' }).waitFor();
      await row.getByRole('img', { name: /^(Open|Closed) now$/ }).waitFor();
      await token.hover();
      await tooltip(page, 'Facebook page not connected').waitFor();

      // A channel shown as an icon alone (members page).
      await goTo(page, 'admin/members', '/admin/members');
      const option = page.locator('[data-testid=members-campaign][data-name="Phones"]');
      const channel = option.getByRole('img', { name: 'Voice' });
      await channel.waitFor();
      await channel.hover();
      await tooltip(page, 'Voice').waitFor();
    });
  }
});
