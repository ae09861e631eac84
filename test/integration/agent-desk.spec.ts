import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../server/src/infrastructure/database/database.js';
import { ALWAYS_OPEN, createCampaign } from '../support/campaigns.js';
import { type FacebookTestBed, SEED, startFacebookTestBed } from '../support/facebook.js';
import {
  codeOf,
  createApiKey,
  createUser,
  DEFAULT_PASSWORD,
  eventually,
  gql,
  login,
} from '../support/graphql.js';

// What the agent screen reads besides the inbox (docs/agent-screen.md): the time left on an offer,
// who a chat can be handed to, the customer's earlier interactions, and history
// (`interactions(filter, first, after)`), where an agent sees only their own.

const CONNECT = `mutation($c: ID!, $p: String!, $t: String!) { connectFacebookPage(campaignId: $c, pageId: $p, pageAccessToken: $t) { id } }`;
const ADD = `mutation($c: [ID!]!, $u: [ID!]!) { addCampaignMembers(campaignIds: $c, userIds: $u) { id } }`;
const PRESENCE = `mutation($p: Presence!, $r: String) { setPresence(presence: $p, breakReason: $r) { id } }`;
const ACCEPT = `mutation($id: ID!) { acceptInteraction(id: $id) { id status offerExpiresAt } }`;
const CLOSE = `mutation($id: ID!, $d: String) { closeInteraction(id: $id, disposition: $d) { id status } }`;
const INBOX = `{ inbox { id status offerExpiresAt contact { name } } }`;
const HISTORY = `query($f: InteractionFilter, $first: Int, $after: String) {
  interactions(filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id status contact { name psid } agent { username } } }
  } }`;
const TARGETS = `query($id: ID!) { transferTargets(interactionId: $id) { agents { username presence } campaigns { name } } }`;
const BAKERY = SEED.pages.bakery;
const OFFER_TIMEOUT_SECONDS = 30;

type Agent = { id: string; token: string };
type Page = {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: { id: string; status: string; contact: { name: string; psid: string } } }[];
};

let bed: FacebookTestBed;
let admin: string;
let bakery: string;
const agents: Record<string, Agent> = {};
const psids: Record<string, string> = {};

const url = () => bed.server.baseUrl;
const call = (query: string, variables: Record<string, unknown> = {}, token = admin) =>
  gql(url(), query, variables, { token });

async function ok<T = any>(query: string, variables: Record<string, unknown>, token = admin): Promise<T> {
  const result = await call(query, variables, token);
  expect(result.errors).toBeUndefined();
  return result.data as T;
}

async function presence(name: string, p: 'AVAILABLE' | 'OFFLINE' | 'BREAK') {
  await ok(PRESENCE, { p, r: p === 'BREAK' ? 'Lunch' : null }, agents[name].token);
}

async function makeAgent(username: string, displayName: string, campaigns: string[]) {
  const { id } = await createUser(url(), admin, { username, displayName, role: 'AGENT' });
  await ok(ADD, { c: campaigns, u: [id] });
  agents[username] = { id, token: await login(url(), username, DEFAULT_PASSWORD) };
}

/** The customer writes; resolves once the interaction is offered to `agent`, with its id. */
async function offeredTo(agent: string, customer: string, text: string): Promise<string> {
  const known = new Set(
    ((await ok(INBOX, {}, agents[agent].token)).inbox as { id: string }[]).map((i) => i.id),
  );
  psids[customer] ??= bed.sim.addCustomer(BAKERY.id, customer).psid;
  bed.sim.customerWrites(BAKERY.id, psids[customer], { text });
  return eventually(async () => {
    const inbox = (await ok(INBOX, {}, agents[agent].token)).inbox as { id: string; status: string }[];
    return inbox.find((i) => !known.has(i.id) && i.status === 'OFFERED')?.id;
  });
}

async function history(token: string, variables: Record<string, unknown> = {}): Promise<Page> {
  return (await ok<{ interactions: Page }>(HISTORY, variables, token)).interactions;
}

const ids = (page: Page) => page.edges.map((e) => e.node.id);

beforeAll(async () => {
  bed = await startFacebookTestBed({
    OFFER_TIMEOUT_SECONDS: String(OFFER_TIMEOUT_SECONDS),
    PRESENCE_GRACE_SECONDS: '600',
  });
  admin = await login(url(), bed.server.adminUsername, bed.server.adminPassword);
  bakery = (
    await createCampaign(url(), admin, {
      name: 'Bakery',
      strategy: 'LINEAR',
      maxInteractionsPerAgent: 2,
      schedule: ALWAYS_OPEN,
    })
  ).id;
  await createCampaign(url(), admin, { name: 'Returns' });
  await createCampaign(url(), admin, { name: 'Old shop', enabled: false });
  // Another page's campaign: a transfer may not move a conversation there.
  const bikes = (await createCampaign(url(), admin, { name: 'Bikes' })).id;
  await ok(CONNECT, { c: bikes, p: SEED.pages.bikes.id, t: SEED.pages.bikes.token });
  const voice = (await createCampaign(url(), admin, { name: 'Phones', channel: 'VOICE' })).id;
  await ok(CONNECT, { c: bakery, p: BAKERY.id, t: BAKERY.token });
  bed.sim.configure({ webhookUrl: `${url()}/webhooks/messenger`, verifyToken: bed.verifyToken });
  await makeAgent('ana', 'Ana Lopez', [bakery, voice]);
  await makeAgent('ben', 'Ben Ode', [bakery, voice]);
  await makeAgent('dan', 'Dan Roy', [bakery]); // no VOICE membership: can never take one
}, 60_000);

afterAll(async () => {
  await bed?.stop();
});

describe('the agent desk', () => {
  const chats: Record<string, string> = {};

  it('an offer says when it will be withdrawn, to the agent it is offered to only; accepted, it no longer does', async () => {
    await presence('ana', 'AVAILABLE');
    const before = Date.now();
    chats.carla1 = await offeredTo('ana', 'Carla Diaz', 'Do you have rye bread?');
    const [offer] = (await ok(INBOX, {}, agents.ana.token)).inbox as { offerExpiresAt: string }[];
    const expires = Date.parse(offer.offerExpiresAt);
    expect(expires).toBeGreaterThan(before + (OFFER_TIMEOUT_SECONDS - 5) * 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + OFFER_TIMEOUT_SECONDS * 1000);
    // Not offered to the admin: nothing to expire for them.
    const seen = await ok(`query($id: ID!) { interaction(id: $id) { offerExpiresAt } }`, {
      id: chats.carla1,
    });
    expect(seen.interaction).toEqual({ offerExpiresAt: null });

    const accepted = await ok(ACCEPT, { id: chats.carla1 }, agents.ana.token);
    expect(accepted.acceptInteraction).toEqual({ id: chats.carla1, status: 'ACTIVE', offerExpiresAt: null });
  });

  it("transfer targets: the other members who can receive chats, with presence, and the enabled Messenger campaigns of the conversation's page or none; only for its agent", async () => {
    const targets = await ok(TARGETS, { id: chats.carla1 }, agents.ana.token);
    expect(targets.transferTargets).toEqual({
      agents: [{ username: 'ben', presence: 'OFFLINE' }],
      campaigns: [{ name: 'Returns' }],
    });
    expect(codeOf(await call(TARGETS, { id: chats.carla1 }, agents.ben.token))).toBe('NOT_FOUND');
    expect((await ok(TARGETS, { id: chats.carla1 })).transferTargets.agents).toHaveLength(1);
  });

  it("a returning customer's new interaction carries the earlier one, with its messages and disposition", async () => {
    await ok(CLOSE, { id: chats.carla1, d: 'Sold a rye loaf' }, agents.ana.token);
    chats.carla2 = await offeredTo('ana', 'Carla Diaz', 'Me again');
    await ok(ACCEPT, { id: chats.carla2 }, agents.ana.token);
    const read = await ok(
      `query($id: ID!) { interaction(id: $id) { previousInteractions { id status disposition messages { text } } } }`,
      { id: chats.carla2 },
      agents.ana.token,
    );
    expect(read.interaction.previousInteractions).toEqual([
      {
        id: chats.carla1,
        status: 'CLOSED',
        disposition: 'Sold a rye loaf',
        messages: [{ text: 'Do you have rye bread?' }],
      },
    ]);
    const bad = await call(
      `query($id: ID!) { interaction(id: $id) { previousInteractions(last: 0) { id } } }`,
      { id: chats.carla2 },
      agents.ana.token,
    );
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0].message).toBe('last: must be between 1 and 50');
    // The same for a field resolver that was there before: words, not an internal error.
    const messages = await call(
      `query($id: ID!) { interaction(id: $id) { messages(last: 0) { id } } }`,
      { id: chats.carla2 },
      agents.ana.token,
    );
    expect(codeOf(messages)).toBe('BAD_USER_INPUT');
  });

  it('history: an agent sees only their own interactions, newest first, page by page, filtered by status and customer', async () => {
    chats.dora = await offeredTo('ana', 'Dora Finn', 'Cake for Saturday?');
    await ok(ACCEPT, { id: chats.dora }, agents.ana.token);
    await ok(CLOSE, { id: chats.dora, d: null }, agents.ana.token);
    // Ben's chat: ana is away.
    await presence('ana', 'BREAK');
    await presence('ben', 'AVAILABLE');
    chats.eli = await offeredTo('ben', 'Eli Grant', 'Gluten free?');
    await ok(ACCEPT, { id: chats.eli }, agents.ben.token);
    await ok(CLOSE, { id: chats.eli, d: 'No' }, agents.ben.token);

    const all = await history(agents.ana.token);
    expect(ids(all)).toEqual([chats.dora, chats.carla2, chats.carla1]);
    expect(all.totalCount).toBe(3);
    expect(all.pageInfo.hasNextPage).toBe(false);

    const closed = await history(agents.ana.token, { f: { status: ['CLOSED'] } });
    expect(ids(closed)).toEqual([chats.dora, chats.carla1]);

    // Page by page: each page's endCursor leads to the next, and the count is of all pages.
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 3; pages++) {
      const page: Page = await history(agents.ana.token, { first: 1, after });
      expect(page.totalCount).toBe(3);
      seen.push(...ids(page));
      expect(page.pageInfo.hasNextPage).toBe(pages < 2);
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([chats.dora, chats.carla2, chats.carla1]);

    // The customer by part of the name, any case, or by PSID exactly.
    expect(ids(await history(agents.ana.token, { f: { contact: 'CARL' } }))).toEqual([
      chats.carla2,
      chats.carla1,
    ]);
    expect(ids(await history(agents.ana.token, { f: { contact: psids['Dora Finn'] } }))).toEqual([
      chats.dora,
    ]);
    // "%" is a letter, not a wildcard.
    expect((await history(agents.ana.token, { f: { contact: '%' } })).totalCount).toBe(0);

    // Another agent's chats stay out of sight, even when asked for by name.
    expect((await history(agents.ana.token, { f: { agentId: agents.ben.id } })).totalCount).toBe(0);
    expect(ids(await history(agents.ben.token))).toEqual([chats.eli]);
  });

  it('history: admins see every interaction, filtered by agent, campaign and dates', async () => {
    const all = await history(admin);
    expect(ids(all)).toEqual([chats.eli, chats.dora, chats.carla2, chats.carla1]);
    expect(ids(await history(admin, { f: { agentId: agents.ben.id } }))).toEqual([chats.eli]);
    expect((await history(admin, { f: { campaignId: bakery } })).totalCount).toBe(4);
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await history(admin, { f: { from: future } })).totalCount).toBe(0);
    expect((await history(admin, { f: { to: future } })).totalCount).toBe(4);

    // Dora's chat began yesterday and was closed within the hour: "closed since" finds it, "began
    // since" does not (an agent's History lists what they closed today, whenever it began).
    const { database, ...server } = parseDatabaseUrl(bed.server.environment.databaseUrl);
    const db = await createConnection({ ...server, database });
    try {
      await db.query('UPDATE interactions SET queuedAt = NOW(3) - INTERVAL 1 DAY WHERE id = ?', [chats.dora]);
    } finally {
      await db.end();
    }
    const anHourAgo = new Date(Date.now() - 3600_000).toISOString();
    expect(ids(await history(admin, { f: { status: ['CLOSED'], closedFrom: anHourAgo } }))).toEqual([
      chats.eli,
      chats.carla1,
      chats.dora,
    ]);
    expect(ids(await history(admin, { f: { status: ['CLOSED'], from: anHourAgo } }))).toEqual([
      chats.eli,
      chats.carla1,
    ]);
    expect((await history(admin, { f: { closedFrom: future } })).totalCount).toBe(0);
  });

  it('history: bad paging or dates are refused in words; an AGENT API key sees nothing', async () => {
    const tooMany = await call(HISTORY, { first: 201 }, agents.ana.token);
    expect(codeOf(tooMany)).toBe('BAD_USER_INPUT');
    expect(tooMany.errors![0].message).toMatch(/first: must be between 1 and 200/);
    const cursor = await call(HISTORY, { after: 'not-a-cursor' }, agents.ana.token);
    expect(codeOf(cursor)).toBe('BAD_USER_INPUT');
    expect(cursor.errors![0].message).toMatch(/^after:/);
    const now = new Date().toISOString();
    expect(codeOf(await call(HISTORY, { f: { from: now, to: now } }))).toBe('BAD_USER_INPUT');

    const { key } = await createApiKey(url(), admin, 'CRM', 'AGENT');
    const byKey = await gql(url(), HISTORY, {}, { apiKey: key });
    expect(byKey.errors).toBeUndefined();
    expect(byKey.data!.interactions.totalCount).toBe(0);
  });
});
