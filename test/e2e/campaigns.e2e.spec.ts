import type { Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserHandle, launchBrowser } from '../support/browser.js';
import { createUser, gql, login } from '../support/graphql.js';
import { storeClosedInteraction } from '../support/campaigns.js';
import { startTestServer } from '../support/server.js';

// Campaigns and members in the admin console, in Chromium, against the real server.
// The tests run in order and share the "Sales" campaign that the first one creates.

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

interface CampaignState {
  id: string;
  name: string;
  channel: string;
  isOpenNow: boolean;
  tokenStatus: string;
  announceQueuePosition: boolean;
  schedule: { days: string[]; from: string; to: string }[];
  cannedResponses: { title: string; text: string }[];
  members: { penalty: number; receivesInteractions: boolean; user: { username: string } }[];
}

const CAMPAIGN_STATE = `id name channel isOpenNow tokenStatus announceQueuePosition schedule { days from to }
  cannedResponses { title text } members { penalty receivesInteractions user { username } }`;
const NO_INTERACTIONS_WARNING = 'Receives no Messenger interactions: not in any VOICE campaign';

let server: TestServer;
let browser: BrowserHandle;
let adminToken: string;

/** The API as a tool would call it; fails the test on any GraphQL error. */
async function api<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await gql<T>(server.baseUrl, query, variables, { token: adminToken });
  if (result.errors?.length || !result.data)
    throw new Error(`GraphQL failed: ${JSON.stringify(result.errors)}`);
  return result.data;
}

async function campaigns(): Promise<CampaignState[]> {
  return (await api<{ campaigns: CampaignState[] }>(`{ campaigns { ${CAMPAIGN_STATE} } }`)).campaigns;
}

async function campaignNamed(name: string): Promise<CampaignState> {
  const found = (await campaigns()).find((c) => c.name === name);
  if (!found) throw new Error(`no campaign named ${name}`);
  return found;
}

async function signInAsAdmin(page: Page): Promise<void> {
  await page.goto(`${server.baseUrl}/login`);
  await page.getByTestId('login-username').fill(server.adminUsername);
  await page.getByTestId('login-password').fill(server.adminPassword);
  await page.getByTestId('login-submit').click();
  await page.waitForURL('**/admin/users');
}

async function openCampaignsTable(page: Page): Promise<void> {
  await page.getByTestId('nav-admin/campaigns').click();
  await page.waitForURL('**/admin/campaigns');
}

/** Picks the weekdays and times of a range in the schedule editor and presses "+". */
async function addRange(page: Page, days: string[], from: string, to: string): Promise<void> {
  for (const day of days) await page.locator(`[data-testid=schedule-days] [data-day=${day}]`).click();
  await page.getByTestId('schedule-from').fill(from);
  await page.getByTestId('schedule-to').fill(to);
  await page.getByTestId('schedule-add').click();
}

async function addCannedResponse(page: Page, title: string, text: string): Promise<void> {
  await page.getByTestId('canned-title').fill(title);
  await page.getByTestId('canned-text').fill(text);
  await page.getByTestId('canned-add').click();
}

/** Whether the page would now make the browser ask before a reload or close. */
async function holdsUnload(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const event = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(event);
    return event.defaultPrevented;
  });
}

async function texts(page: Page, testId: string): Promise<string[]> {
  return (await page.getByTestId(testId).allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
}

/** The cells of each row with this test id, as trimmed texts. */
async function cells(page: Page, testId: string): Promise<string[][]> {
  return page
    .getByTestId(testId)
    .evaluateAll((rows) =>
      rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent?.trim() ?? '')),
    );
}

const campaignRow = (page: Page, name: string) =>
  page.locator(`[data-testid=campaign-row][data-name="${name}"]`);
const memberRow = (page: Page, username: string) =>
  page.locator(`[data-testid=member-row][data-username="${username}"]`);

describe('campaigns and members in the console', () => {
  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    adminToken = await login(server.baseUrl, server.adminUsername, server.adminPassword);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an admin creates a Messenger campaign with two ranges and two canned responses, and finds them saved', async (test) => {
    const page = await browser.newPage(test);
    await signInAsAdmin(page);
    await openCampaignsTable(page);
    await page.getByTestId('new-campaign').click();
    await page.waitForURL('**/admin/campaigns/new');

    await page.getByTestId('campaign-name').fill('Sales');
    // A new campaign starts with the default range; select it and remove it with "-".
    await expect.poll(() => texts(page, 'schedule-range')).toEqual(['Mon–Fri 09:00–18:00']);
    await page.getByTestId('schedule-range').click();
    await page.getByTestId('schedule-remove').click();
    await page.getByTestId('schedule-empty').waitFor();

    await addRange(page, ['MON', 'TUE', 'WED', 'THU', 'FRI'], '08:00', '12:30');
    await addRange(page, ['SAT'], '10:00', '14:00');
    await expect
      .poll(() => texts(page, 'schedule-range'))
      .toEqual(['Mon–Fri 08:00–12:30', 'Sat 10:00–14:00']);

    await addCannedResponse(page, 'Greeting', 'Hello! How can we help you today?');
    await addCannedResponse(page, 'Goodbye', 'Thanks for writing to us. Have a nice day!');
    await expect.poll(() => page.getByTestId('canned-response-row').count()).toBe(2);

    await page.getByTestId('campaign-save').click();

    // Saving a new Messenger campaign offers the Facebook activation, explained in words.
    const dialog = page.getByTestId('activation-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('only once its Facebook page is connected');
    // The popup flow itself needs the server's Facebook side; here only that it is offered.
    const activate = dialog.getByRole('button', { name: 'Activate with Facebook' });
    expect(await activate.isEnabled()).toBe(true);
    await page.getByTestId('activation-later').click();
    await dialog.waitFor({ state: 'detached' });

    const saved = await campaignNamed('Sales');
    expect(new URL(page.url()).pathname).toBe(`/admin/campaigns/${saved.id}`);
    expect(saved.channel).toBe('MESSENGER');
    expect(saved.schedule).toEqual([
      { days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], from: '08:00', to: '12:30' },
      { days: ['SAT'], from: '10:00', to: '14:00' },
    ]);
    expect(saved.cannedResponses).toEqual([
      { title: 'Greeting', text: 'Hello! How can we help you today?' },
      { title: 'Goodbye', text: 'Thanks for writing to us. Have a nice day!' },
    ]);

    // Reopen it from the table.
    await page.getByTestId('campaign-back').click();
    await page.waitForURL('**/admin/campaigns');
    await campaignRow(page, 'Sales').click();
    await page.waitForURL(`**/admin/campaigns/${saved.id}`);
    await page.getByTestId('schedule-range').first().waitFor();
    expect(await page.getByTestId('campaign-name').inputValue()).toBe('Sales');
    await expect
      .poll(() => texts(page, 'schedule-range'))
      .toEqual(['Mon–Fri 08:00–12:30', 'Sat 10:00–14:00']);
    await expect
      .poll(() => cells(page, 'canned-response-row'))
      .toEqual([
        ['Greeting', 'Hello! How can we help you today?'],
        ['Goodbye', 'Thanks for writing to us. Have a nice day!'],
      ]);
  });

  it('the table shows the grey NOT_CONNECTED token icon and whether the campaign is open now', async (test) => {
    const page = await browser.newPage(test);
    await signInAsAdmin(page);
    await openCampaignsTable(page);
    const row = campaignRow(page, 'Sales');
    await row.waitFor();
    const saved = await campaignNamed('Sales');

    const token = row.getByTestId('token-status');
    expect(await token.getAttribute('data-token-status')).toBe('NOT_CONNECTED');
    expect(saved.tokenStatus).toBe('NOT_CONNECTED');
    const grey = await page.evaluate(() => {
      const probe = document.createElement('span');
      probe.style.color = 'var(--parley-off)';
      document.body.append(probe);
      const color = getComputedStyle(probe).color;
      probe.remove();
      return color;
    });
    expect(await token.evaluate((icon) => getComputedStyle(icon).color)).toBe(grey);
    expect(await token.getAttribute('aria-label')).toBe('Facebook page not connected');

    const openNow = row.getByTestId('campaign-open-now');
    expect(await openNow.getAttribute('data-open')).toBe(String(saved.isOpenNow));
    expect(await openNow.getAttribute('aria-label')).toBe(saved.isOpenNow ? 'Open now' : 'Closed now');
    expect(await row.textContent()).toContain('Messenger');

    // The refresh icon reads the table again; the filter narrows it by name.
    await page.getByTestId('campaigns-refresh').click();
    await row.waitFor();
    await page.getByTestId('campaigns-filter').fill('nothing like it');
    await row.waitFor({ state: 'detached' });
    await page.getByTestId('campaigns-filter').fill('sal');
    await row.waitFor();
  });

  it('adds agents to campaigns and warns about the agent who is in no VOICE campaign', async (test) => {
    await api('mutation ($input: CampaignInput!) { createCampaign(input: $input) { id } }', {
      input: { name: 'Phones', channel: 'VOICE' },
    });
    for (const username of ['agent.ana', 'agent.ben', 'agent.cai']) {
      await createUser(server.baseUrl, adminToken, { username, displayName: username, role: 'AGENT' });
    }

    const page = await browser.newPage(test);
    await signInAsAdmin(page);
    await page.getByTestId('nav-admin/members').click();
    await page.waitForURL('**/admin/members');

    const campaignOption = (name: string) =>
      page.locator(`[data-testid=members-campaign][data-name="${name}"]`);
    const agentOption = (username: string) =>
      page.locator(`[data-testid=members-agent][data-username="${username}"]`);

    // Two agents into both campaigns at once.
    await campaignOption('Sales').click();
    await campaignOption('Phones').click();
    await agentOption('agent.ana').click();
    await agentOption('agent.ben').click();
    await page.getByTestId('members-add').click();
    await page.getByText('Added 2 agents to 2 campaigns').waitFor();
    await memberRow(page, 'agent.ana').waitFor();
    await memberRow(page, 'agent.ben').waitFor();
    await agentOption('agent.ana').waitFor({ state: 'detached' });

    // A third agent into Sales only.
    await campaignOption('Phones').click();
    await agentOption('agent.cai').click();
    await page.getByTestId('members-add').click();
    await page.getByText('Added 1 agent to Sales').waitFor();

    await memberRow(page, 'agent.cai').getByTestId('member-warning').waitFor();
    expect(await memberRow(page, 'agent.cai').getByTestId('member-warning').textContent()).toContain(
      NO_INTERACTIONS_WARNING,
    );
    expect(await memberRow(page, 'agent.ana').getByTestId('member-warning').count()).toBe(0);
    expect(await memberRow(page, 'agent.ben').getByTestId('member-warning').count()).toBe(0);

    // With one campaign selected, penalty and position are edited per member.
    const penalty = memberRow(page, 'agent.ben').getByTestId('member-penalty');
    await penalty.fill('7');
    await penalty.blur();
    await page.getByText('agent.ben: penalty 7 in Sales').waitFor();

    const sales = await campaignNamed('Sales');
    const phones = await campaignNamed('Phones');
    const byUser = new Map(sales.members.map((m) => [m.user.username, m]));
    expect([...byUser.keys()].sort()).toEqual(['agent.ana', 'agent.ben', 'agent.cai']);
    expect(byUser.get('agent.ana')?.receivesInteractions).toBe(true);
    expect(byUser.get('agent.ben')?.receivesInteractions).toBe(true);
    expect(byUser.get('agent.ben')?.penalty).toBe(7);
    expect(byUser.get('agent.cai')?.receivesInteractions).toBe(false);
    expect(phones.members.map((m) => m.user.username).sort()).toEqual(['agent.ana', 'agent.ben']);
  });

  it('an invalid time shows its message and nothing is saved', async (test) => {
    const before = await campaigns();
    const page = await browser.newPage(test);
    await signInAsAdmin(page);
    await openCampaignsTable(page);

    // A new campaign with From 25:00.
    await page.getByTestId('new-campaign').click();
    await page.waitForURL('**/admin/campaigns/new');
    await page.getByTestId('campaign-name').fill('Night shift');
    await page.locator('[data-testid=schedule-days] [data-day=SUN]').click();
    await page.getByTestId('schedule-from').fill('25:00');
    const fromError = page.getByTestId('schedule-from-error');
    await fromError.waitFor();
    expect(await fromError.textContent()).toContain('"25:00" is not a time between 00:00 and 23:59');
    await page.getByTestId('schedule-add').click();
    await page.getByTestId('campaign-save').click();
    await page.getByTestId('campaign-error').getByRole('alert').waitFor();
    expect(await page.getByTestId('campaign-error').textContent()).toContain('Nothing was saved');
    // "+" refused the range too: the list still holds only the default one.
    expect(await page.getByTestId('schedule-range').count()).toBe(1);
    expect(new URL(page.url()).pathname).toBe('/admin/campaigns/new');

    // The existing campaign, renamed but with From 25:00: not saved either.
    const sales = await campaignNamed('Sales');
    await page.goto(`${server.baseUrl}/admin/campaigns/${sales.id}`);
    await page.getByTestId('schedule-range').first().waitFor();
    await page.getByTestId('campaign-name').fill('Sales renamed');
    await page.locator('[data-testid=schedule-days] [data-day=SUN]').click();
    await page.getByTestId('schedule-from').fill('25:00');
    await page.getByTestId('campaign-save').click();
    await page.getByTestId('campaign-error').getByRole('alert').waitFor();
    await fromError.waitFor();

    expect(await campaigns()).toEqual(before);
  });

  it('places the server refusal of a duplicate name under the name field', async (test) => {
    const before = await campaigns();
    const page = await browser.newPage(test);
    await signInAsAdmin(page);
    await page.goto(`${server.baseUrl}/admin/campaigns/new`);
    await page.getByTestId('campaign-name').fill('Sales');
    await page.getByTestId('campaign-save').click();
    const nameError = page.getByTestId('campaign-name-error');
    await nameError.waitFor();
    expect(await nameError.textContent()).toContain('already used');
    expect(await campaigns()).toEqual(before);
  });

  it('asks before deleting, and says in words why a campaign with chats is not deleted', async (test) => {
    const create = 'mutation ($input: CampaignInput!) { createCampaign(input: $input) { id } }';
    await api(create, { input: { name: 'Old promo' } });
    const history = (
      await api<{ createCampaign: { id: string } }>(create, { input: { name: 'With history' } })
    ).createCampaign.id;
    await storeClosedInteraction(server.app.get(DataSource), history);

    const page = await browser.newPage(test);
    await signInAsAdmin(page);
    await openCampaignsTable(page);

    await campaignRow(page, 'With history').getByTestId('campaign-delete').click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('confirm-ok').waitFor({ state: 'detached' });
    const error = page.getByTestId('campaigns-error');
    await error.getByRole('alert').waitFor();
    expect(await error.textContent()).toMatch(/"With history" was not deleted\..*disable it instead/);
    await campaignRow(page, 'With history').waitFor();

    // Cancelling the question deletes nothing; confirming it does.
    await campaignRow(page, 'Old promo').getByTestId('campaign-delete').click();
    await page.getByTestId('confirm-cancel').click();
    await page.getByTestId('confirm-ok').waitFor({ state: 'detached' });
    await campaignRow(page, 'Old promo').getByTestId('campaign-delete').click();
    await page.getByTestId('confirm-ok').click();
    await campaignRow(page, 'Old promo').waitFor({ state: 'detached' });
    await page.getByText('Campaign Old promo deleted').waitFor();

    const names = (await campaigns()).map((c) => c.name);
    expect(names).toContain('With history');
    expect(names).not.toContain('Old promo');
  });

  it('asks before leaving a campaign with unsaved changes, and not once they are saved', async (test) => {
    const sales = await campaignNamed('Sales');
    const page = await browser.newPage(test);
    await signInAsAdmin(page);
    await openCampaignsTable(page);
    await campaignRow(page, 'Sales').click();
    await page.waitForURL(`**/admin/campaigns/${sales.id}`);
    await page.getByTestId('schedule-range').first().waitFor();
    const name = page.getByTestId('campaign-name');
    expect(await name.inputValue()).toBe('Sales');
    expect(await holdsUnload(page)).toBe(false);
    await name.fill('Sales (draft)');
    expect(await holdsUnload(page)).toBe(true);

    // "Stay" keeps the editor and what was typed.
    await page.getByTestId('nav-admin/members').click();
    const question = page.getByRole('dialog');
    await question.waitFor();
    expect(await question.getByRole('heading').textContent()).toBe('Leave without saving?');
    expect(await question.textContent()).toContain('Your changes to Sales will be lost.');
    await question.getByRole('button', { name: 'Stay' }).click();
    await question.waitFor({ state: 'detached' });
    expect(new URL(page.url()).pathname).toBe(`/admin/campaigns/${sales.id}`);
    expect(await name.inputValue()).toBe('Sales (draft)');

    // "Leave" goes on to the members, and nothing was saved.
    await page.getByTestId('nav-admin/members').click();
    await question.getByRole('button', { name: 'Leave' }).click();
    await page.waitForURL('**/admin/members');
    expect((await campaigns()).find((c) => c.id === sales.id)?.name).toBe('Sales');

    // Once saved, the editor lets the admin go without a question.
    await openCampaignsTable(page);
    await campaignRow(page, 'Sales').click();
    await page.getByTestId('schedule-range').first().waitFor();
    await page.getByTestId('campaign-after-hours').fill('We are closed now; we answer tomorrow from 9:00.');
    // Beside it, the queue-position switch: off by default, on once clicked and saved.
    const announce = page.getByTestId('campaign-announce-queue-position').getByRole('switch');
    expect(await announce.getAttribute('aria-checked')).toBe('false');
    await announce.click();
    await page.getByTestId('campaign-save').click();
    await page.getByText('Campaign Sales saved').waitFor();
    expect(await holdsUnload(page)).toBe(false);
    expect((await campaignNamed('Sales')).announceQueuePosition).toBe(true);
    await page.getByTestId('campaign-back').click();
    await page.waitForURL('**/admin/campaigns');
    expect(await question.count()).toBe(0);
  });

  it('a supervisor reads campaigns without any way to change them', async (test) => {
    await createUser(server.baseUrl, adminToken, {
      username: 'sup.sara',
      role: 'SUPERVISOR',
      password: 'orchid-tunnel-58',
    });
    const page = await browser.newPage(test);
    await page.goto(`${server.baseUrl}/login`);
    await page.getByTestId('login-username').fill('sup.sara');
    await page.getByTestId('login-password').fill('orchid-tunnel-58');
    await page.getByTestId('login-submit').click();
    await page.waitForURL('**/admin/campaigns');

    await campaignRow(page, 'Sales').waitFor();
    await page.getByTestId('campaigns-read-only').waitFor();
    expect(await page.getByTestId('new-campaign').count()).toBe(0);
    expect(await page.getByTestId('campaign-delete').count()).toBe(0);

    await campaignRow(page, 'Sales').click();
    await page.getByTestId('campaign-read-only').waitFor();
    await page.getByTestId('schedule-range').first().waitFor();
    expect(await page.getByTestId('campaign-name').isDisabled()).toBe(true);
    expect(await page.getByTestId('campaign-save').count()).toBe(0);
    expect(await page.getByTestId('schedule-add').count()).toBe(0);
    expect(await page.getByTestId('canned-add').count()).toBe(0);

    await page.goto(`${server.baseUrl}/admin/campaigns/new`);
    await page.getByText('Your role does not give access to that page.').waitFor();
  });
});
