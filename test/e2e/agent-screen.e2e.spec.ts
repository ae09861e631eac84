import { createConnection } from 'mysql2/promise';
import type { Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserHandle, launchBrowser } from '../support/browser.js';
import { ALWAYS_OPEN, createCampaign } from '../support/campaigns.js';
import { type FacebookTestBed, SEED, startFacebookTestBed } from '../support/facebook.js';
import { createUser, gql, login } from '../support/graphql.js';
import { makePng } from '../../libs/messenger-simulator/media.js';
import { parseDatabaseUrl } from '../../server/src/infrastructure/database/database.js';

// The agent screen end to end: Chromium drives the real console as an agent, customers write
// through the Messenger simulator (playing Facebook), and offers arrive by push. Nothing is faked
// but the browser's speaker and notification centre, which the page is given stand-ins for so the
// test can hear the beep and see the notification.

const DESKTOP = { width: 1280, height: 800 };
const TABLET = { width: 768, height: 1024 };
const PHONE = { width: 390, height: 844 };
const BAKERY = SEED.pages.bakery;
const PASSWORD = 'agent-password-9';

type TestContext = Parameters<BrowserHandle['newPage']>[0];

let bed: FacebookTestBed;
let browser: BrowserHandle;
let admin: string;
let bakery: string;
let voice: string;

declare global {
  interface Window {
    beeps: number;
    notifications: { title: string; body: string }[];
    cspViolations: string[];
  }
}

const api = async (query: string, variables: Record<string, unknown> = {}, token = admin) => {
  const result = await gql(bed.server.baseUrl, query, variables, { token });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!;
};

/** Agents made so far, by username: each test makes those it needs, whatever ran before it. */
const agents = new Map<string, string>();

async function makeAgent(username: string, displayName: string, campaigns = [bakery, voice]) {
  if (agents.has(username)) return;
  const { id } = await createUser(bed.server.baseUrl, admin, {
    username,
    displayName,
    role: 'AGENT',
    password: PASSWORD,
  });
  await api(`mutation($c: [ID!]!, $u: [ID!]!) { addCampaignMembers(campaignIds: $c, userIds: $u) { id } }`, {
    c: campaigns,
    u: [id],
  });
  agents.set(username, id);
}

/** Everyone else goes offline, so the next chat comes to the one agent the test watches. */
async function othersOffline(username: string) {
  for (const other of agents.keys()) {
    if (other === username) continue;
    const token = await login(bed.server.baseUrl, other, PASSWORD);
    await api(`mutation { setPresence(presence: OFFLINE) { id } }`, {}, token);
  }
}

/** A page whose sound and notifications the test can observe, and whose CSP violations it collects. */
async function agentPage(
  test: TestContext,
  username: string,
  size = DESKTOP,
  before?: (page: Page) => Promise<void>,
): Promise<Page> {
  const page = await browser.newPage(test);
  await before?.(page);
  await page.setViewportSize(size);
  await page.context().grantPermissions(['notifications'], { origin: bed.server.baseUrl });
  await page.addInitScript(() => {
    window.beeps = 0;
    window.notifications = [];
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) =>
      window.cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`),
    );
    // The speaker: count the tones the page starts.
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (...args: Parameters<typeof start>) {
      window.beeps++;
      return start.apply(this, args);
    };
    // The notification centre: record what the page shows. The agent is looking elsewhere.
    class RecordedNotification {
      static permission: NotificationPermission = 'granted';
      static requestPermission = () => Promise.resolve('granted' as NotificationPermission);
      onclick: (() => void) | null = null;
      constructor(title: string, options?: NotificationOptions) {
        window.notifications.push({ title, body: options?.body ?? '' });
      }
      close() {}
    }
    Object.defineProperty(window, 'Notification', { value: RecordedNotification });
    document.hasFocus = () => false;
  });
  await page.goto(`${bed.server.baseUrl}/login`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL('**/agent');
  await page.getByTestId('presence-select').waitFor();
  return page;
}

async function choosePresence(page: Page, option: string): Promise<void> {
  await page.getByTestId('presence-select').click();
  await page.getByTestId(option).click();
  await page.getByRole('listbox').waitFor({ state: 'detached' });
}

/**
 * A customer of the bakery page writes (a new one unless a PSID is given); resolves once Parley has
 * read their Facebook profile. The chat may be offered before that (the profile is read by a job of
 * its own), so the tests find offers by the message, not by the name.
 */
async function customerWrites(
  name: string,
  text: string,
  psid?: string,
): Promise<{ name: string; psid: string }> {
  const customer = psid ?? bed.sim.addCustomer(BAKERY.id, name).psid;
  bed.sim.customerWrites(BAKERY.id, customer, { text });
  await profileRead(name, customer);
  return { name, psid: customer };
}

async function profileRead(name: string, psid: string): Promise<void> {
  await poll(async () => {
    const found = await api(
      `query($p: String!) { interactions(filter: { contact: $p }, first: 1) { edges { node { contact { name } } } } }`,
      { p: psid },
    );
    return found.interactions.edges[0]?.node.contact.name;
  }).toBe(name);
}

const offerWith = (page: Page, text: string) => page.getByTestId('offer').filter({ hasText: text });
const activeWith = (page: Page, text: string) => page.getByTestId('active-chat').filter({ hasText: text });

/**
 * Chats earlier tests left offered to agents who have since gone offline are offered again to the
 * next Available agent, each holding a seat: room for them and for the test's own.
 */
async function roomForEveryChat(): Promise<void> {
  await api(`mutation($id: ID!) { updateCampaign(id: $id, input: { maxInteractionsPerAgent: 10 }) { id } }`, {
    id: bakery,
  });
}

/**
 * A new agent alone at work: made (with the room a test's own chats need), the others set away,
 * signed in and Available. `room`: raise the campaign's capacity first (roomForEveryChat).
 */
async function aloneAtWork(
  test: TestContext,
  username: string,
  displayName: string,
  { room = false, size = DESKTOP }: { room?: boolean; size?: { width: number; height: number } } = {},
): Promise<Page> {
  await makeAgent(username, displayName);
  if (room) await roomForEveryChat();
  await othersOffline(username);
  const page = await agentPage(test, username, size);
  await choosePresence(page, 'presence-available');
  return page;
}

/**
 * As if the customer last wrote `hours` ago: their messages (what the server counts the windows
 * from when it sends) and their open chat (what the screen shows the window from).
 */
async function customerWroteAgo(psid: string, hours: number): Promise<void> {
  const { database, ...server } = parseDatabaseUrl(bed.server.environment.databaseUrl);
  const db = await createConnection({ ...server, database, timezone: 'Z' });
  try {
    const at = new Date(Date.now() - hours * 3600_000);
    await db.query(
      `UPDATE messages m JOIN contacts c ON c.id = m.contactId SET m.sentAt = ?
        WHERE c.psid = ? AND m.direction = 'INBOUND'`,
      [at, psid],
    );
    await db.query(
      `UPDATE interactions i JOIN contacts c ON c.id = i.contactId SET i.lastCustomerMessageAt = ?
        WHERE c.psid = ? AND i.status IN ('QUEUED', 'OFFERED', 'ACTIVE')`,
      [at, psid],
    );
  } finally {
    await db.end();
  }
}

/** Polls for longer than vitest's 1 s default: pushes and timers on a busy machine. */
const poll = <T>(value: () => T | Promise<T>) => expect.poll(value, { timeout: 15_000 });

const horizontalOverflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('the agent screen', () => {
  beforeAll(async () => {
    bed = await startFacebookTestBed({ OFFER_TIMEOUT_SECONDS: '90', PRESENCE_GRACE_SECONDS: '600' });
    browser = await launchBrowser();
    admin = await login(bed.server.baseUrl, bed.server.adminUsername, bed.server.adminPassword);
    const campaign = await createCampaign(bed.server.baseUrl, admin, {
      name: 'Bakery',
      strategy: 'LINEAR',
      maxInteractionsPerAgent: 3,
      schedule: ALWAYS_OPEN,
      cannedResponses: [
        { title: 'Greeting', text: 'Hello! How can I help you today?' },
        { title: 'Opening hours', text: 'We are open from 7 to 19, every day.' },
      ],
    });
    bakery = campaign.id;
    voice = (await createCampaign(bed.server.baseUrl, admin, { name: 'Phones', channel: 'VOICE' })).id;
    // Another Messenger campaign a chat can be transferred to.
    await createCampaign(bed.server.baseUrl, admin, { name: 'Returns', schedule: ALWAYS_OPEN });
    await api(
      `mutation($c: ID!, $p: String!, $t: String!) { connectFacebookPage(campaignId: $c, pageId: $p, pageAccessToken: $t) { id } }`,
      { c: bakery, p: BAKERY.id, t: BAKERY.token },
    );
    bed.sim.configure({
      webhookUrl: `${bed.server.baseUrl}/webhooks/messenger`,
      verifyToken: bed.verifyToken,
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await bed?.stop();
  });

  it('an agent goes Available, gets an offer by push with a sound, a notification and the time left, accepts, reads the customer, replies with a canned response, an emoji and a picture (SENT, then DELIVERED and READ on the customer page), closes with a disposition, and finds it in History', async (test) => {
    await makeAgent('ana', 'Ana Lopez');
    const page = await agentPage(test, 'ana');
    expect(await page.getByTestId('nav-agent').textContent()).toContain('Chats');

    // The customer writes on the simulator's customer page, in a second tab, while Ana is offline.
    const carla = { name: 'Carla Diaz', psid: bed.sim.addCustomer(BAKERY.id, 'Carla Diaz').psid };
    const customer = await browser.newPage(test);
    await customer.goto(`${bed.sim.url}/chat#${BAKERY.id}/${carla.psid}`);
    await customer.locator('#message').fill('Do you have rye bread?');
    await customer.locator('#send').click();
    await profileRead(carla.name, carla.psid);
    expect(await page.getByTestId('offer').count()).toBe(0);

    // Available: the waiting chat is offered at once, by push.
    await choosePresence(page, 'presence-available');
    const presence = page.getByTestId('presence');
    await presence.locator('[data-presence=AVAILABLE]').waitFor();
    const offer = page.locator('[data-testid=offer][data-contact="Carla Diaz"]');
    await offer.waitFor();
    expect(await offer.textContent()).toContain('Do you have rye bread?');
    // About 90 s to accept, counting down.
    const left = await offer.getByTestId('offer-time-left').textContent();
    expect(left?.trim()).toMatch(/^1:[23]\d$/);
    await poll(() => page.evaluate(() => window.beeps)).toBeGreaterThan(0);
    await poll(() => page.evaluate(() => window.notifications)).toEqual([
      { title: 'New chat: Carla Diaz', body: 'Bakery · Do you have rye bread?' },
    ]);

    await poll(() => page.getByTestId('presence-timer').textContent()).toMatch(/^\s*0:(0[1-9]|[1-5]\d)\s*$/);

    await offer.getByTestId('offer-accept').click();
    await page.getByTestId('tab-active').click();
    await page.locator('[data-testid=active-chat][data-contact="Carla Diaz"]').waitFor();
    const title = page.getByTestId('conversation-title');
    await title.getByText('Carla Diaz').waitFor();
    expect(await title.textContent()).toContain('Bakery');
    // The customer's Facebook picture, from the simulator playing Facebook's CDN.
    const picture = page.getByTestId('conversation').locator('[data-testid=contact-picture]');
    await poll(() => picture.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    const messages = page.getByTestId('conversation-messages');
    await messages.getByText('Do you have rye bread?').waitFor();
    expect(await page.getByTestId('reply-window').getAttribute('data-window')).toBe('standard');
    expect(await page.getByTestId('reply-window').textContent()).toMatch(/Reply window: 23 h 5\d min left/);

    // The customer writes again: the conversation shows it live.
    await customerWrites(carla.name, 'And croissants?', carla.psid);
    await messages.getByText('And croissants?').waitFor();

    // A canned response (filtered), then an emoji, land in the reply with the counter.
    const text = page.getByTestId('composer-text');
    await page.getByTestId('composer-canned').click();
    await page.getByTestId('canned-filter').fill('hours');
    expect(await page.getByTestId('canned-item').count()).toBe(1);
    await page.getByTestId('canned-item').click();
    expect(await text.inputValue()).toBe('We are open from 7 to 19, every day.');
    await page.getByTestId('composer-emoji').click();
    const picker = page.locator('emoji-picker');
    await picker.locator('button[role=menuitem]').first().waitFor();
    await picker.locator('button[role=menuitem]').first().click();
    // The emoji goes where the cursor was: after the canned text.
    await poll(() => text.inputValue()).not.toBe('We are open from 7 to 19, every day.');
    const withEmoji = await text.inputValue();
    expect(withEmoji.startsWith('We are open from 7 to 19, every day.')).toBe(true);
    expect(await page.getByTestId('composer-count').textContent()).toContain(`${withEmoji.length} / 2000`);
    // Shift+Enter is a new line, not a send.
    await text.press('End');
    await text.press('Shift+Enter');
    await text.pressSequentially('See you soon');
    expect(await text.inputValue()).toBe(`${withEmoji}\nSee you soon`);

    // A picture, uploaded at once with its progress (the upload is held a moment to be seen).
    await page.route('**/uploads', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    });
    await page.getByTestId('composer-file-input').setInputFiles({
      name: 'rye.png',
      mimeType: 'image/png',
      buffer: makePng('rye'),
    });
    const file = page.locator('[data-testid=composer-file][data-name="rye.png"]');
    await file.getByTestId('upload-progress').waitFor();
    expect(await page.getByTestId('composer-send').isDisabled()).toBe(true);
    await poll(() => file.getAttribute('data-state')).toBe('uploaded');

    // Every status the reply's tick shows, in order.
    await page.evaluate(() => {
      (window as unknown as { ticks: string[] }).ticks = [];
      new MutationObserver(() => {
        const tick = document.querySelector(
          '[data-testid=message][data-direction=OUTBOUND] [data-testid=message-status]',
        );
        const status = tick?.getAttribute('data-status');
        const ticks = (window as unknown as { ticks: string[] }).ticks;
        if (status && ticks.at(-1) !== status) ticks.push(status);
      }).observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ['data-status'],
      });
    });
    await text.press('Enter');
    const reply = messages.locator('[data-testid=message][data-direction=OUTBOUND]');
    await reply.getByText('See you soon').waitFor();
    await poll(() => text.inputValue()).toBe('');
    expect(await page.getByTestId('composer-files').count()).toBe(0);
    await poll(() => reply.getByTestId('message-status').getAttribute('data-status')).toBe('READ');
    const ticks = await page.evaluate(() => (window as unknown as { ticks: string[] }).ticks);
    expect(ticks.at(-1)).toBe('READ');
    expect(ticks.filter((t) => t !== 'PENDING')).toEqual(
      ['SENT', 'DELIVERED', 'READ'].filter((t) => ticks.includes(t)),
    );
    expect(await reply.getByTestId('message-image').count()).toBe(1);

    // Facebook got the text, then the picture; the customer page shows both beside the question.
    const sent = bed.sim.sent(BAKERY.id).filter((m) => m.recipient === carla.psid && !m.sender_action);
    expect(sent.map((m) => m.text ?? m.attachments?.[0]?.type)).toEqual([
      `${withEmoji}\nSee you soon`,
      'image',
    ]);
    await customer.locator('#messages').getByText('See you soon').waitFor();
    expect(await customer.locator('#messages').textContent()).toContain('Do you have rye bread?');
    expect(await customer.locator('#messages img').count()).toBeGreaterThan(0);

    // Carla reacts to the reply in Messenger: the reaction shows on it, live.
    bed.sim.customerReacts(BAKERY.id, carla.psid, { mid: sent[0].mid!, emoji: '❤' });
    await reply.first().getByTestId('message-reaction').getByText('❤').waitFor();

    await page.getByTestId('conversation-close').click();
    const disposition = page.getByTestId('close-disposition');
    await poll(() => disposition.evaluate((el) => el === document.activeElement)).toBe(true);
    await disposition.fill('Rye bread reserved');
    await page.getByTestId('close-submit').click();
    await page.getByTestId('conversation-status').getByText('Closed').waitFor();
    expect(await page.getByTestId('composer').count()).toBe(0);

    await page.getByTestId('tab-history').click();
    const closed = page.locator('[data-testid=closed-chat][data-contact="Carla Diaz"]');
    await closed.waitFor();
    expect(await closed.textContent()).toContain('Rye bread reserved');
    // Searching the tab: by the customer's name, any case.
    await page.getByTestId('inbox-search').fill('carla');
    expect(await page.getByTestId('closed-chat').count()).toBe(1);
    await page.getByTestId('inbox-search').fill('nobody by that name');
    await page.getByTestId('history-empty').getByText('No chat matches.').waitFor();
    await page.getByTestId('inbox-search').fill('');
    await page.getByTestId('tab-active').click();
    await page.getByTestId('active-empty').waitFor();
    expect(await page.evaluate(() => window.cspViolations)).toEqual([]);
  });

  it('a returning customer shows their earlier chat collapsed above; the agent transfers the chat to a colleague, who gets the offer', async (test) => {
    await makeAgent('ana', 'Ana Lopez');
    await makeAgent('ben', 'Ben Ode');
    await othersOffline('ana');
    await api(
      `mutation { setPresence(presence: AVAILABLE) { id } }`,
      {},
      await login(bed.server.baseUrl, 'ben', PASSWORD),
    );
    const page = await agentPage(test, 'ana');
    await choosePresence(page, 'presence-available');
    // Ana is first by position: Dora's chats come to her.
    const dora = await customerWrites('Dora Finn', 'A cake for Saturday?');
    await offerWith(page, 'A cake for Saturday?').getByTestId('offer-accept').click();
    await page.getByTestId('conversation-customer').getByText('Dora Finn').waitFor();
    await page.getByTestId('conversation-close').click();
    await page.getByTestId('close-submit').click();
    await page.getByTestId('conversation-status').getByText('Closed').waitFor();

    await customerWrites(dora.name, 'Me again: and candles?', dora.psid);
    await offerWith(page, 'Me again: and candles?').getByTestId('offer-accept').click();
    const messages = page.getByTestId('conversation-messages');
    await messages.getByText('Me again: and candles?').waitFor();
    // The earlier chat is there, collapsed.
    const toggle = page.getByTestId('earlier-toggle');
    expect(await toggle.textContent()).toContain('Show 1 earlier chat');
    expect(await messages.getByText('A cake for Saturday?').count()).toBe(0);
    await toggle.click();
    await messages.getByTestId('earlier-chat').getByText('A cake for Saturday?').waitFor();

    // Transfer to Ben, who is Available: it leaves Ana's inbox and is offered to him.
    await page.getByTestId('conversation-transfer').click();
    await page.getByRole('radio', { name: 'Ben Ode' }).check();
    expect(await page.locator('[data-testid=transfer-campaign][data-name="Returns"]').count()).toBe(1);
    await page.getByTestId('transfer-submit').click();
    await page.getByText('Chat with Dora Finn transferred to Ben Ode').waitFor();
    await page.getByTestId('tab-active').click();
    await page.getByTestId('active-empty').waitFor();
    const benInbox = await api(
      `{ inbox { status contact { name } } }`,
      {},
      await login(bed.server.baseUrl, 'ben', PASSWORD),
    );
    expect(benInbox.inbox).toEqual([{ status: 'OFFERED', contact: { name: 'Dora Finn' } }]);
  });

  it('keeps the draft and catches up on a message sent while the connection was down; after a reload the next offer is heard', async (test) => {
    await makeAgent('cleo', 'Cleo Park');
    const routed: WebSocketRoute[] = [];
    const agent = await agentPage(test, 'cleo', DESKTOP, (page) =>
      page.routeWebSocket(/\/graphql$/, (socket) => {
        socket.connectToServer();
        routed.push(socket);
      }),
    );
    // The others are away, so the chat comes to Cleo.
    await othersOffline('cleo');
    await choosePresence(agent, 'presence-available');
    const eli = await customerWrites('Eli Grant', 'Is it gluten free?');
    await offerWith(agent, 'Is it gluten free?').getByTestId('offer-accept').click();
    const text = agent.getByTestId('composer-text');
    await text.fill('Let me check with the baker');
    await poll(() => routed.length).toBeGreaterThan(0);

    // The network drops; the customer writes meanwhile.
    const opened = routed.length;
    await routed.at(-1)!.close({ code: 1006, reason: 'network lost' });
    bed.sim.customerWrites(BAKERY.id, eli.psid, { text: 'Hello? Still there?' });
    await poll(() => routed.length).toBeGreaterThan(opened);
    await agent
      .getByTestId('conversation-messages')
      .getByText('Hello? Still there?')
      .waitFor({ timeout: 15_000 });
    expect(await text.inputValue()).toBe('Let me check with the baker');

    // A reload of the tab keeps it too.
    await agent.reload();
    await agent.getByTestId('tab-active').click();
    await activeWith(agent, 'Hello? Still there?').locator('button').click();
    await poll(() => agent.getByTestId('composer-text').inputValue()).toBe('Let me check with the baker');

    // Still Available after the reload, without touching the presence menu: the clicks above were
    // enough for the next offer to be heard.
    expect(await agent.evaluate(() => window.beeps)).toBe(0);
    await customerWrites('Fay Lin', 'Do you deliver on Sundays?');
    await agent.getByTestId('tab-pending').click();
    await offerWith(agent, 'Do you deliver on Sundays?').waitFor();
    await poll(() => agent.evaluate(() => window.beeps)).toBeGreaterThan(0);
  });

  for (const size of [TABLET, PHONE]) {
    it(`stacks the inbox and the conversation at ${size.width} px, without sideways scrolling`, async (test) => {
      const username = `dan${size.width}`;
      const page = await aloneAtWork(test, username, `Dan ${size.width}`, { size });
      const fay = await customerWrites(`Fay ${size.width}`, `Hi from ${size.width} px`);
      const offer = offerWith(page, `Hi from ${size.width} px`);
      await offer.waitFor();
      expect(await page.getByTestId('conversation').count()).toBe(0);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await offer.getByTestId('offer-accept').click();

      // The chat takes the screen, under a bar back to the inbox.
      await page.getByTestId('conversation-customer').getByText(`Fay ${size.width}`).waitFor();
      const summary = page.getByTestId('inbox-summary');
      const bar = await summary.boundingBox();
      const pane = await page.getByTestId('conversation').boundingBox();
      expect(bar!.y + bar!.height).toBeLessThanOrEqual(pane!.y);
      expect(pane!.width).toBeGreaterThan(size.width - 80);
      await page.getByTestId('composer-text').waitFor();
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      // The composer is on screen, under the messages.
      const composer = await page.getByTestId('composer').boundingBox();
      expect(composer!.y + composer!.height).toBeLessThanOrEqual(size.height);
      // A reply, and Fay's reaction to it, fit too.
      await page.getByTestId('composer-text').fill('Hello Fay');
      await page.getByTestId('composer-text').press('Enter');
      const sentReply = () =>
        bed.sim.sent(BAKERY.id).find((m) => m.recipient === fay.psid && m.text === 'Hello Fay');
      await poll(() => Boolean(sentReply())).toBe(true);
      bed.sim.customerReacts(BAKERY.id, fay.psid, { mid: sentReply()!.mid!, emoji: '👍' });
      await page.getByTestId('message-reaction').getByText('👍').waitFor();
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);

      await summary.click();
      await page.getByTestId('inbox-tabs').waitFor();
      await page.getByTestId('tab-active').click();
      await activeWith(page, 'Hello Fay').waitFor();
      await page.getByTestId('presence-select').click();
      await page.getByTestId('presence-break-Lunch').click();
      await page.getByTestId('presence').locator('[data-presence=BREAK]').waitFor();
    });
  }

  it('side by side at 1280 px: the inbox on the left, the conversation on the right', async (test) => {
    await makeAgent('ana', 'Ana Lopez');
    const page = await agentPage(test, 'ana');
    const inbox = await page.getByTestId('inbox').boundingBox();
    const pane = await page.getByTestId('conversation').boundingBox();
    expect(inbox!.x + inbox!.width).toBeLessThan(pane!.x);
    expect(Math.abs(inbox!.y - pane!.y)).toBeLessThan(2);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  });

  it('a MANUAL campaign offers nothing: its waiting chats are listed to take', async (test) => {
    const bikes = SEED.pages.bikes;
    const manual = await createCampaign(bed.server.baseUrl, admin, {
      name: 'Bikes',
      strategy: 'MANUAL',
      schedule: ALWAYS_OPEN,
    });
    await api(
      `mutation($c: ID!, $p: String!, $t: String!) { connectFacebookPage(campaignId: $c, pageId: $p, pageAccessToken: $t) { id } }`,
      { c: manual.id, p: bikes.id, t: bikes.token },
    );
    await makeAgent('ivy', 'Ivy North', [manual.id, voice]);
    const page = await agentPage(test, 'ivy');
    await choosePresence(page, 'presence-available');
    const { psid } = bed.sim.addCustomer(bikes.id, 'Jon Kerr');
    bed.sim.customerWrites(bikes.id, psid, { text: 'My chain broke' });
    // Pushed (queueChanged), not read on a timer: it shows within seconds.
    const waiting = page.getByTestId('queued').filter({ hasText: 'My chain broke' });
    await waiting.waitFor({ timeout: 5_000 });
    expect(await page.getByTestId('offer').count()).toBe(0);
    await waiting.getByTestId('queued-take').click();
    await page.getByTestId('conversation-status').getByText('Active').waitFor();
    await page.getByTestId('tab-active').click();
    await activeWith(page, 'My chain broke').waitFor();
    expect(await page.getByTestId('queued').count()).toBe(0);

    // A colleague takes the next waiting chat: it leaves Ivy's list at once.
    await makeAgent('kai', 'Kai Brook', [manual.id, voice]);
    const kai = await login(bed.server.baseUrl, 'kai', PASSWORD);
    await api('mutation { setPresence(presence: AVAILABLE) { id } }', {}, kai);
    const other = bed.sim.addCustomer(bikes.id, 'Lea Moss').psid;
    bed.sim.customerWrites(bikes.id, other, { text: 'Flat tyre' });
    await page.getByTestId('tab-pending').click();
    const next = page.getByTestId('queued').filter({ hasText: 'Flat tyre' });
    await next.waitFor({ timeout: 5_000 });
    const [chat] = (await api('query { pendingInteractions { id lastMessage { text } } }', {}, kai))
      .pendingInteractions as { id: string; lastMessage: { text: string } }[];
    expect(chat.lastMessage.text).toBe('Flat tyre');
    await api('mutation($id: ID!) { acceptInteraction(id: $id) { id } }', { id: chat.id }, kai);
    await next.waitFor({ state: 'detached', timeout: 5_000 });
  });

  it('a picture dropped on the reply is uploaded at once with its progress, and the customer receives it', async (test) => {
    const page = await aloneAtWork(test, 'olga', 'Olga Brandt', { room: true });
    const pablo = await customerWrites('Pablo Ruiz', 'What does the crumb look like?');
    await offerWith(page, 'What does the crumb look like?').getByTestId('offer-accept').click();
    const messages = page.getByTestId('conversation-messages');
    await messages.getByText('What does the crumb look like?').waitFor();

    // A file dragged from the desktop: made in the page, as the browser would hand it over.
    const png = makePng('crumb');
    const dragged = await page.evaluateHandle(
      (bytes) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(bytes)], 'crumb.png', { type: 'image/png' }));
        return transfer;
      },
      [...png],
    );
    // The upload is held a moment, so its progress can be seen.
    await page.route('**/uploads', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    });
    const composer = page.getByTestId('composer');
    const reply = page.getByTestId('composer-text');
    // Over the reply, the composer shows it takes the file; dropped, it is uploaded at once.
    await reply.dispatchEvent('dragover', { dataTransfer: dragged });
    await poll(() => composer.getAttribute('class')).toContain('dragging');
    await reply.dispatchEvent('drop', { dataTransfer: dragged });
    const file = page.locator('[data-testid=composer-file][data-name="crumb.png"]');
    await file.getByTestId('upload-progress').waitFor();
    expect(await composer.getAttribute('class')).not.toContain('dragging');
    expect(await page.getByTestId('composer-send').isDisabled()).toBe(true);
    // Its preview is the picture itself.
    await poll(() => file.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);
    await poll(() => file.getAttribute('data-state')).toBe('uploaded');

    // The picture alone is a reply.
    await page.getByTestId('composer-send').click();
    const sent = messages.locator('[data-testid=message][data-direction=OUTBOUND]');
    await poll(() => sent.getByTestId('message-status').getAttribute('data-status')).toMatch(
      /SENT|DELIVERED|READ/,
    );
    await poll(() =>
      sent
        .getByTestId('message-image')
        .locator('img')
        .evaluate((img: HTMLImageElement) => img.naturalWidth),
    ).toBe(64);
    expect(await page.getByTestId('composer-files').count()).toBe(0);

    // Facebook got one picture for Pablo, and it is the file that was dropped.
    const toPablo = bed.sim.sent(BAKERY.id).filter((m) => m.recipient === pablo.psid && !m.sender_action);
    expect(toPablo.map((m) => m.attachments?.map((a) => a.type))).toEqual([['image']]);
    const received = await fetch(toPablo[0].attachments![0].url!);
    expect(Buffer.from(await received.arrayBuffer()).equals(png)).toBe(true);
  });

  it('3 days after the customer wrote, replies go as "human agent"; after 7 days none can be sent until the customer writes again', async (test) => {
    const page = await aloneAtWork(test, 'pia', 'Pia Moreau', { room: true });
    const messages = page.getByTestId('conversation-messages');
    const window = page.getByTestId('reply-window');
    const text = page.getByTestId('composer-text');
    const send = page.getByTestId('composer-send');

    // Quinn wrote 3 days ago. The chat is aged once the screen has heard all about it (the offer
    // carries Quinn's name), so nothing read before arrives after.
    const quinn = await customerWrites('Quinn Abbot', 'Is my order ready?');
    await page.locator('[data-testid=offer][data-contact="Quinn Abbot"]').waitFor();
    await customerWroteAgo(quinn.psid, 72);
    await offerWith(page, 'Is my order ready?').getByTestId('offer-accept').click();
    await messages.getByText('Is my order ready?').waitFor();
    await poll(() => window.getAttribute('data-window')).toBe('human-agent');
    expect(await window.textContent()).toContain(
      '24-hour window closed: replies go as "human agent" for 3 d 23 h more',
    );
    await text.fill('Sorry for the wait: it is ready.');
    await send.click();
    const toQuinn = messages.locator('[data-testid=message][data-direction=OUTBOUND]');
    await poll(() => toQuinn.getByTestId('message-status').getAttribute('data-status')).toMatch(
      /SENT|DELIVERED|READ/,
    );
    const sentTo = (psid: string) =>
      bed.sim
        .sent(BAKERY.id)
        .filter((m) => m.recipient === psid && !m.sender_action)
        .map((m) => [m.text, m.messaging_type, m.tag]);
    expect(sentTo(quinn.psid)).toEqual([['Sorry for the wait: it is ready.', 'MESSAGE_TAG', 'HUMAN_AGENT']]);

    // Rita wrote 8 days ago: the pane and the composer say no reply can go, and none does.
    const rita = await customerWrites('Rita Vance', 'Hello, anyone there?');
    await page.locator('[data-testid=offer][data-contact="Rita Vance"]').waitFor();
    await customerWroteAgo(rita.psid, 8 * 24);
    await offerWith(page, 'Hello, anyone there?').getByTestId('offer-accept').click();
    await messages.getByText('Hello, anyone there?').waitFor();
    await poll(() => window.getAttribute('data-window')).toBe('closed');
    expect(await window.textContent()).toContain(
      "Messenger's 7-day window has closed: no reply can be sent until the customer writes again.",
    );
    expect(await page.getByTestId('composer-blocked').textContent()).toContain(
      'wait for the customer to write again',
    );
    await text.fill('Are you still there?');
    expect(await send.isDisabled()).toBe(true);
    await text.press('Enter');
    // Kept, to send once Rita writes again.
    expect(await text.inputValue()).toBe('Are you still there?');

    // Rita writes again: a new 24-hour window, and the kept reply goes, as the only one she gets.
    await customerWrites(rita.name, 'Sorry, I was away', rita.psid);
    await messages.getByText('Sorry, I was away').waitFor();
    await poll(() => window.getAttribute('data-window')).toBe('standard');
    // The screen's clock ticks each second: "1 d left" for at most that long, then the minutes.
    await poll(() => window.textContent()).toMatch(/Reply window: 23 h 5\d min left/);
    expect(await page.getByTestId('composer-blocked').textContent()).not.toContain('7-day');
    await poll(() => send.isEnabled()).toBe(true);
    await send.click();
    const toRita = messages.locator('[data-testid=message][data-direction=OUTBOUND]');
    await poll(() => toRita.getByTestId('message-status').getAttribute('data-status')).toMatch(
      /SENT|DELIVERED|READ/,
    );
    expect(await toRita.count()).toBe(1);
    expect(sentTo(rita.psid)).toEqual([['Are you still there?', 'RESPONSE', undefined]]);
  });

  it("the search within Pending and Active finds chats by the customer's name and by their last message", async (test) => {
    const page = await aloneAtWork(test, 'rosa', 'Rosa Lind', { room: true });
    const search = page.getByTestId('inbox-search');
    const offer = (name: string) => page.locator(`[data-testid=offer][data-contact="${name}"]`);
    const active = (name: string) => page.locator(`[data-testid=active-chat][data-contact="${name}"]`);
    const contacts = async (testId: string) =>
      (
        await page
          .getByTestId(testId)
          .evaluateAll((items) => items.map((i) => i.getAttribute('data-contact')))
      ).sort();

    // Pending: two offers (and any an earlier test left waiting).
    const nina = await customerWrites('Nina Sol', 'Do you sell sourdough?');
    await customerWrites('Omar Reyes', 'Any marzipan pigs left?');
    await offer('Nina Sol').waitFor();
    await offer('Omar Reyes').waitFor();
    await search.fill('nina');
    await poll(() => contacts('offer')).toEqual(['Nina Sol']);
    await search.fill('MARZIPAN');
    await poll(() => contacts('offer')).toEqual(['Omar Reyes']);
    // Every word must match, in the name or the message.
    await search.fill('omar pigs');
    await poll(() => contacts('offer')).toEqual(['Omar Reyes']);
    await search.fill('nina pigs');
    await page.getByTestId('offers-empty').getByText('No offer matches.').waitFor();
    await search.fill('');
    await offer('Nina Sol').waitFor();
    await offer('Omar Reyes').getByTestId('offer-accept').click();
    await page.getByTestId('conversation-customer').getByText('Omar Reyes').waitFor();
    await offer('Nina Sol').getByTestId('offer-accept').click();
    await page.getByTestId('conversation-customer').getByText('Nina Sol').waitFor();

    // Active: the same search, on the chats' last messages as they come.
    await page.getByTestId('tab-active').click();
    await active('Nina Sol').waitFor();
    await active('Omar Reyes').waitFor();
    await search.fill('sol');
    await poll(() => contacts('active-chat')).toEqual(['Nina Sol']);
    await search.fill('sliced');
    await page.getByTestId('active-empty').getByText('No chat matches.').waitFor();
    await customerWrites(nina.name, 'Sliced, please', nina.psid);
    await poll(() => contacts('active-chat')).toEqual(['Nina Sol']);
    await search.fill('marzipan');
    await poll(() => contacts('active-chat')).toEqual(['Omar Reyes']);
    await search.fill('');
    await poll(() => contacts('active-chat')).toEqual(['Nina Sol', 'Omar Reyes']);
  });

  // Last: it leaves the page's token revoked.
  it('a reply Facebook refuses shows the reason and a Retry that sends it again; a reply to a disconnected page says it is waiting', async (test) => {
    const page = await aloneAtWork(test, 'gus', 'Gus Hale');
    const hal = await customerWrites('Hal Ives', 'Can I change my order?');
    await offerWith(page, 'Can I change my order?').getByTestId('offer-accept').click();
    const messages = page.getByTestId('conversation-messages');
    await messages.getByText('Can I change my order?').waitFor();

    // The customer has blocked the page: Facebook answers 551.
    bed.sim.block(BAKERY.id, hal.psid);
    const text = page.getByTestId('composer-text');
    await text.fill('Of course, which one?');
    await page.getByTestId('composer-send').click();
    const failed = messages.getByTestId('message-failed');
    await failed.waitFor();
    expect(await failed.textContent()).toMatch(/Not sent: .*551/);

    bed.sim.unblock(BAKERY.id, hal.psid);
    await failed.getByTestId('message-retry').click();
    const outbound = messages.locator('[data-testid=message][data-direction=OUTBOUND]');
    await poll(() => outbound.count()).toBe(2);
    await poll(() => outbound.nth(1).getByTestId('message-status').getAttribute('data-status')).toMatch(
      /SENT|DELIVERED|READ/,
    );
    expect(await outbound.nth(1).textContent()).toContain('Of course, which one?');

    // Facebook revokes the page's token and Parley finds out: a reply waits, and says why.
    bed.sim.revokeToken({ pageId: BAKERY.id });
    await api(`mutation($c: ID!) { checkCampaignToken(campaignId: $c) { tokenStatus } }`, { c: bakery });
    await text.fill('Your order is changed.');
    await text.press('Enter');
    await messages.getByTestId('message-waiting').getByText('the Facebook page is disconnected').waitFor();
    await page.getByTestId('page-disconnected').waitFor();
    expect(await outbound.last().getByTestId('message-status').getAttribute('data-status')).toBe('PENDING');
  });
});
