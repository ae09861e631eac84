import type { Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignChanged } from '../../server/src/events/catalogue.js';
import { Transactions } from '../../server/src/infrastructure/events/after-commit.js';
import { type BrowserHandle, launchBrowser } from '../support/browser.js';
import { createCampaign } from '../support/campaigns.js';
import { createUser, gql, login } from '../support/graphql.js';
import { type TestServer, startTestServer } from '../support/server.js';

// The console stays live: what another admin (or a tool) changes shows at once, a stale editor says so,
// an unreachable server is said in words and recovered from, and a deactivated agent is signed out.

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const WIDTHS = [DESKTOP, PHONE] as const;

let server: TestServer;
let browser: BrowserHandle;
let adminToken: string;

async function api<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}) {
  const result = await gql<T>(server.baseUrl, query, variables, { token: adminToken });
  if (result.errors?.length || !result.data)
    throw new Error(`GraphQL failed: ${JSON.stringify(result.errors)}`);
  return result.data;
}

const UPDATE = 'mutation($id: ID!, $input: CampaignInput!) { updateCampaign(id: $id, input: $input) { id } }';
const DELETE = 'mutation($id: ID!) { deleteCampaign(id: $id) }';

async function signIn(page: Page, username: string, password: string, landing: string): Promise<void> {
  await page.goto(`${server.baseUrl}/login`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(`**${landing}`);
}

async function adminPage(test: Parameters<BrowserHandle['newPage']>[0], size = DESKTOP): Promise<Page> {
  const page = await browser.newPage(test);
  await page.setViewportSize(size);
  await signIn(page, server.adminUsername, server.adminPassword, '/admin/users');
  return page;
}

const campaignRow = (page: Page, name: string) =>
  page.locator(`[data-testid=campaign-row][data-name="${name}"]`);

/** Whether an element is inside the visible part of the window. */
const inViewport = (page: Page, selector: string) =>
  page.locator(selector).evaluate((element) => {
    const box = element.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;
  });

describe('a console that stays live', () => {
  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    adminToken = await login(server.baseUrl, server.adminUsername, server.adminPassword);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const size of WIDTHS) {
    it(`the campaign table shows another admin's rename, switch and token status at once (${size.width} px)`, async (test) => {
      const campaign = await createCampaign(server.baseUrl, adminToken, { name: `Live ${size.width}` });
      const watcher = await adminPage(test, size);
      await watcher.goto(`${server.baseUrl}/admin/campaigns`);
      const row = campaignRow(watcher, `Live ${size.width}`);
      await row.waitFor();
      expect(await row.getByTestId('campaign-enabled').getAttribute('data-enabled')).toBe('true');

      // A second admin, in another browser, renames and disables it in the editor.
      const other = await adminPage(test, size);
      await other.goto(`${server.baseUrl}/admin/campaigns/${campaign.id}`);
      await other.getByTestId('schedule-range').first().waitFor();
      await other.getByTestId('campaign-name').fill(`Renamed ${size.width}`);
      await other.getByTestId('campaign-enabled-toggle').click();
      await other.getByTestId('campaign-save').click();
      await other.getByText(`Campaign Renamed ${size.width} saved`).waitFor();

      const renamed = campaignRow(watcher, `Renamed ${size.width}`);
      await renamed.waitFor({ timeout: 5000 });
      expect(await renamed.getByTestId('campaign-enabled').getAttribute('data-enabled')).toBe('false');
      expect(await row.count()).toBe(0);

      // The token status, changed by the Facebook side, is pushed the same way.
      await server.app.get(Transactions).run(async (uow) => {
        await uow.em.query(
          "UPDATE campaigns SET tokenStatus = 'INACTIVE', tokenError = 'Token expired' WHERE id = ?",
          [campaign.id],
        );
        uow.publish(CampaignChanged, { campaignId: campaign.id, deleted: null });
      });
      await renamed
        .locator('[data-testid=token-status][data-token-status=INACTIVE]')
        .waitFor({ timeout: 5000 });
    });
  }

  it('the members screen follows memberships and agents changed elsewhere, without reading everything again', async (test) => {
    const campaign = await createCampaign(server.baseUrl, adminToken, { name: 'Members live' });
    const first = await createUser(server.baseUrl, adminToken, { username: 'agent.first', role: 'AGENT' });
    const page = await adminPage(test);
    const reads: string[] = [];
    page.on('request', (request) => {
      const body = request.postData() ?? '';
      if (request.url().endsWith('/graphql') && /query Members/.test(body)) reads.push(body);
    });
    await page.getByTestId('nav-admin/members').click();
    await page.locator('[data-testid=members-campaign][data-name="Members live"]').click();
    await page.locator('[data-testid=members-agent][data-username="agent.first"]').waitFor();
    const readsAfterLoad = reads.length;

    // Another admin adds the agent; a new agent appears among the candidates.
    await api(
      'mutation($c: [ID!]!, $u: [ID!]!) { addCampaignMembers(campaignIds: $c, userIds: $u) { id } }',
      { c: [campaign.id], u: [first.id] },
    );
    await page.locator('[data-testid=member-row][data-username="agent.first"]').waitFor({ timeout: 5000 });
    await page
      .locator('[data-testid=members-agent][data-username="agent.first"]')
      .waitFor({ state: 'detached' });
    const second = await createUser(server.baseUrl, adminToken, { username: 'agent.second', role: 'AGENT' });
    const candidate = page.locator('[data-testid=members-agent][data-username="agent.second"]');
    await candidate.waitFor({ timeout: 5000 });

    // A deactivated agent leaves the candidates.
    await api('mutation($id: ID!) { deactivateUser(id: $id) { id } }', { id: second.id });
    await candidate.waitFor({ state: 'detached', timeout: 5000 });
    expect(reads.length).toBe(readsAfterLoad);
  });

  it('the API keys screen shows keys created and revoked by another admin', async (test) => {
    const page = await adminPage(test);
    await page.getByTestId('nav-admin/api-keys').click();
    await page.getByTestId('api-keys-table').waitFor();
    const created = await api<{ createApiKey: { apiKey: { id: string } } }>(
      'mutation { createApiKey(name: "Warehouse BI", role: SUPERVISOR) { apiKey { id } } }',
    );
    const row = page.locator('[data-testid=api-key-row][data-name="Warehouse BI"]');
    await row.waitFor({ timeout: 5000 });
    expect(await row.textContent()).toContain('Supervisor');
    await api('mutation($id: ID!) { revokeApiKey(id: $id) }', { id: created.createApiKey.apiKey.id });
    await row.waitFor({ state: 'detached', timeout: 5000 });
  });

  for (const size of WIDTHS) {
    it(`a save refused while scrolled down brings the problem into view and focuses it (${size.width} px)`, async (test) => {
      await createCampaign(server.baseUrl, adminToken, { name: `Taken ${size.width}` });
      const campaign = await createCampaign(server.baseUrl, adminToken, { name: `Scrolled ${size.width}` });
      const page = await adminPage(test, size);
      await page.goto(`${server.baseUrl}/admin/campaigns/${campaign.id}`);
      await page.getByTestId('schedule-range').first().waitFor();
      await page.getByTestId('campaign-name').fill(`Taken ${size.width}`);
      // Down to the canned responses, far from the name.
      await page.getByTestId('canned-add').scrollIntoViewIfNeeded();
      expect(await inViewport(page, '[data-testid=campaign-name]')).toBe(false);

      await page.getByTestId('campaign-save').click();
      await page.getByTestId('campaign-name-error').waitFor();
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid')))
        .toBe('campaign-name');
      expect(await inViewport(page, '[data-testid=campaign-name]')).toBe(true);
      expect(await page.getByTestId('campaign-name-error').textContent()).toContain('already used');
    });
  }

  it('an editor says when someone else changed the campaign, keeps the edits until Reload, and says when it is deleted', async (test) => {
    const campaign = await createCampaign(server.baseUrl, adminToken, { name: 'Stale' });
    const page = await adminPage(test);
    await page.goto(`${server.baseUrl}/admin/campaigns/${campaign.id}`);
    await page.getByTestId('schedule-range').first().waitFor();
    const afterHours = page.getByTestId('campaign-after-hours');
    await afterHours.fill('My unsaved text');

    // Another admin renames it.
    await api(UPDATE, { id: campaign.id, input: { name: 'Stale (renamed)' } });
    const stale = page.getByTestId('campaign-stale');
    await stale.waitFor({ timeout: 5000 });
    expect(await stale.textContent()).toContain('Someone else changed this campaign');
    expect(await stale.textContent()).toContain('Stale (renamed)');
    expect(await afterHours.inputValue()).toBe('My unsaved text');
    expect(await page.getByTestId('campaign-name').inputValue()).toBe('Stale');

    // Reload asks first, since it would drop the unsaved text.
    await page.getByTestId('campaign-reload').click();
    const question = page.getByRole('dialog');
    await question.waitFor();
    expect(await question.textContent()).toContain(
      'Your unsaved changes to Stale (renamed) will be replaced',
    );
    await question.getByRole('button', { name: 'Keep my changes' }).click();
    await question.waitFor({ state: 'detached' });
    expect(await afterHours.inputValue()).toBe('My unsaved text');
    await page.getByTestId('campaign-reload').click();
    await question.getByRole('button', { name: 'Reload' }).click();
    await stale.waitFor({ state: 'detached' });
    expect(await page.getByTestId('campaign-name').inputValue()).toBe('Stale (renamed)');
    expect(await afterHours.inputValue()).toBe('');

    // Saving here is not reported as a change made elsewhere.
    await page.getByTestId('campaign-after-hours').fill('Closed; back at 9.');
    await page.getByTestId('campaign-save').click();
    await page.getByText('Campaign Stale (renamed) saved').waitFor();
    await page.waitForTimeout(500);
    expect(await stale.count()).toBe(0);

    await afterHours.fill('Typed before the deletion');
    await api(DELETE, { id: campaign.id });
    await page.getByTestId('campaign-deleted').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('campaign-deleted').textContent()).toContain(
      'Someone else deleted this campaign',
    );
    expect(await page.getByTestId('campaign-save').isDisabled()).toBe(true);
    expect(await afterHours.inputValue()).toBe('Typed before the deletion');
  });

  it('says the server is unreachable instead of "No campaigns yet", and recovers by itself', async (test) => {
    await createCampaign(server.baseUrl, adminToken, { name: 'Survivor' });
    const page = await adminPage(test);
    // The server stops answering HTTP.
    await page.route('**/graphql', (route) => route.abort('connectionrefused'));
    await page.getByTestId('nav-admin/campaigns').click();
    const table = page.getByTestId('campaigns-table');
    await expect.poll(() => table.textContent(), { timeout: 10_000 }).toContain('server is unreachable');
    expect(await table.textContent()).not.toContain('No campaigns yet');
    expect(await page.getByTestId('campaigns-load-error').textContent()).toContain(
      'Cannot reach the Parley server',
    );

    // It is back: the table fills without any click.
    await page.unroute('**/graphql');
    await campaignRow(page, 'Survivor').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('campaigns-load-error').textContent()).toBe('');
  });

  it('reads the table again when the live socket reconnects, so changes made meanwhile are not missed', async (test) => {
    const campaign = await createCampaign(server.baseUrl, adminToken, { name: 'Before the gap' });
    const page = await browser.newPage(test);
    const sockets: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/graphql$/, (socket) => {
      socket.connectToServer();
      sockets.push(socket);
    });
    await signIn(page, server.adminUsername, server.adminPassword, '/admin/users');
    await page.getByTestId('nav-admin/campaigns').click();
    await campaignRow(page, 'Before the gap').waitFor();
    await expect.poll(() => sockets.length).toBeGreaterThan(0);

    // The connection drops; the change happens before the console has reconnected.
    const opened = sockets.length;
    await sockets.at(-1)!.close({ code: 1006, reason: 'network lost' });
    await api(UPDATE, { id: campaign.id, input: { name: 'Changed in the gap' } });
    await expect.poll(() => sockets.length, { timeout: 10_000 }).toBeGreaterThan(opened);
    await campaignRow(page, 'Changed in the gap').waitFor({ timeout: 10_000 });
  });

  it('an editor whose socket dropped while the campaign was changed says so once it reconnects', async (test) => {
    const campaign = await createCampaign(server.baseUrl, adminToken, { name: 'Edited in the gap' });
    const page = await browser.newPage(test);
    const sockets: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/graphql$/, (socket) => {
      socket.connectToServer();
      sockets.push(socket);
    });
    await signIn(page, server.adminUsername, server.adminPassword, '/admin/users');
    await page.goto(`${server.baseUrl}/admin/campaigns/${campaign.id}`);
    await page.getByTestId('schedule-range').first().waitFor();
    await expect.poll(() => sockets.length).toBeGreaterThan(0);

    const opened = sockets.length;
    await sockets.at(-1)!.close({ code: 1006, reason: 'network lost' });
    await api(UPDATE, { id: campaign.id, input: { name: 'Renamed in the gap' } });
    await expect.poll(() => sockets.length, { timeout: 10_000 }).toBeGreaterThan(opened);
    const stale = page.getByTestId('campaign-stale');
    await stale.waitFor({ timeout: 10_000 });
    expect(await stale.textContent()).toContain('Renamed in the gap');
  });

  for (const size of WIDTHS) {
    it(`a supervisor on a page without live lists is signed out at once when deactivated (${size.width} px)`, async (test) => {
      const username = `supervisor.gone${size.width}`;
      const supervisor = await createUser(server.baseUrl, adminToken, {
        username,
        role: 'SUPERVISOR',
        password: 'agent-password-9',
      });
      const page = await browser.newPage(test);
      await page.setViewportSize(size);
      await signIn(page, username, 'agent-password-9', '/admin/campaigns');
      await page.goto(`${server.baseUrl}/home`);
      await page.getByTestId('home-greeting').waitFor();
      // The socket is open although the home page subscribes to nothing.
      await page.waitForTimeout(500);

      await api('mutation($id: ID!) { deactivateUser(id: $id) { id } }', { id: supervisor.id });
      await page.waitForURL('**/login', { timeout: 5000 });
      expect(await page.locator('body').textContent()).toContain(
        'Your access was revoked or your account deactivated',
      );
    });
  }
});
