import { type Connection, createConnection } from 'mysql2/promise';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../server/src/infrastructure/database/database.js';
import { ContactsService } from '../../server/src/messenger/contacts/contacts.service.js';
import { RoutingService } from '../../server/src/routing/routing.service.js';
import { ALWAYS_OPEN, createCampaign } from '../support/campaigns.js';
import { type FacebookTestBed, SEED, startFacebookTestBed } from '../support/facebook.js';
import {
  codeOf,
  createUser,
  DEFAULT_PASSWORD,
  eventually,
  gql,
  login,
  wsClient,
} from '../support/graphql.js';

// Routing end to end: a customer writes in the simulator, Parley queues, offers over inboxChanged,
// and agents accept, close, transfer (docs/routing.md).

const CONNECT = `mutation($c: ID!, $p: String!, $t: String!) { connectFacebookPage(campaignId: $c, pageId: $p, pageAccessToken: $t) { id } }`;
const ADD = `mutation($c: [ID!]!, $u: [ID!]!) { addCampaignMembers(campaignIds: $c, userIds: $u) { id } }`;
const UPDATE = `mutation($id: ID!, $input: CampaignInput!) { updateCampaign(id: $id, input: $input) { id } }`;
const PRESENCE = `mutation($p: Presence!, $r: String) { setPresence(presence: $p, breakReason: $r) { id } }`;
const INBOX_CHANGED = `subscription { inboxChanged { kind interaction { id status contact { name } agent { username } } message { text } } }`;
const QUEUE_CHANGED = `subscription($c: ID!) { queueChanged(campaignId: $c) { id status contact { name } } }`;
const ACCEPT = `mutation($id: ID!) { acceptInteraction(id: $id) { id status agent { username } } }`;
const CLOSE = `mutation($id: ID!, $d: String) { closeInteraction(id: $id, disposition: $d) { id status disposition closedAt } }`;
const TRANSFER = `mutation($id: ID!, $u: ID, $c: ID) { transferInteraction(id: $id, toUserId: $u, toCampaignId: $c) { id status } }`;
const INTERACTION = `query($id: ID!) { interaction(id: $id) { id status agent { username } windowExpiresAt lastMessage { text direction } messages { text } } }`;
const BAKERY = SEED.pages.bakery;
const OFFER_TIMEOUT_SECONDS = 2;

type Agent = { id: string; username: string; token: string };
/** An inboxChanged feed that keeps every event; `next` takes the oldest unread one (polling). */
interface Feed {
  events: { data?: any; errors?: { message: string; extensions?: { code?: string } }[] }[];
  failure?: unknown;
  next(timeoutMs?: number): Promise<Feed['events'][number]>;
}

let bed: FacebookTestBed;
let db: Connection;
let admin: string;
let campaign: string;
let voice: string;
const agents: Record<string, Agent> = {};
const feeds: Record<string, Feed> = {};
const sockets: ReturnType<typeof wsClient>[] = [];

const url = () => bed.server.baseUrl;
const call = (query: string, variables: Record<string, unknown>, token = admin) =>
  gql(url(), query, variables, { token });

async function settings(input: Record<string, unknown>) {
  const result = await call(UPDATE, { id: campaign, input });
  expect(result.errors).toBeUndefined();
}

async function presence(name: string, p: 'AVAILABLE' | 'OFFLINE' | 'BREAK') {
  const result = await call(PRESENCE, { p, r: p === 'BREAK' ? 'Lunch' : null }, agents[name].token);
  expect(result.errors).toBeUndefined();
}

async function makeAgent(username: string, campaigns: string[]): Promise<Agent> {
  const { id } = await createUser(url(), admin, { username, role: 'AGENT' });
  await call(ADD, { c: campaigns, u: [id] });
  const agent = { id, username, token: await login(url(), username, DEFAULT_PASSWORD) };
  agents[username] = agent;
  return agent;
}

/** The agent's inboxChanged feed, subscribed and confirmed live. */
async function feed(name: string): Promise<Feed> {
  const socket = wsClient(bed.server.wsUrl, { authorization: `Bearer ${agents[name].token}` });
  sockets.push(socket);
  const f = collect(socket.client);
  // Give the server a moment to subscribe in Redis before anything is published.
  await new Promise((r) => setTimeout(r, 300));
  feeds[name] = f;
  return f;
}

function collect(
  client: ReturnType<typeof wsClient>['client'],
  query = INBOX_CHANGED,
  variables?: Record<string, unknown>,
): Feed {
  const f: Feed = {
    events: [],
    async next(timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (!f.events.length) {
        if (Date.now() > deadline) throw new Error(`no event within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return f.events.shift()!;
    },
  };
  client.subscribe(
    { query, variables },
    {
      next: (v) => void f.events.push(v as Feed['events'][number]),
      error: (e) => (f.failure = e),
      complete: () => undefined,
    },
  );
  return f;
}

/** A MANUAL campaign's queueChanged, as `token` follows it, subscribed and given time to go live. */
async function watchQueue(token: string, campaignId: string): Promise<Feed> {
  const socket = wsClient(bed.server.wsUrl, { authorization: `Bearer ${token}` });
  sockets.push(socket);
  const f = collect(socket.client, QUEUE_CHANGED, { c: campaignId });
  await new Promise((r) => setTimeout(r, 300));
  return f;
}

/** Reads the queue feed until the interaction shows with this status (a name read may come first). */
async function queueShows(f: Feed, id: string, status: string) {
  for (;;) {
    const event = await f.next();
    expect(event.errors).toBeUndefined();
    const shown = event.data.queueChanged as { id: string; status: string };
    if (shown.id === id && shown.status === status) return shown;
  }
}

/** A new customer of the bakery page writes; resolves with the interaction id once stored. */
async function customerWrites(name: string, text = 'Hello'): Promise<string> {
  const { psid } = bed.sim.addCustomer(BAKERY.id, name);
  bed.sim.customerWrites(BAKERY.id, psid, { text });
  return eventually(async () => {
    const [rows] = (await db.query(
      `SELECT i.id FROM interactions i JOIN contacts c ON c.id = i.contactId WHERE c.psid = ?`,
      [psid],
    )) as unknown as [{ id: string }[]];
    return rows[0]?.id;
  });
}

/** Thresholds under which nothing waiting is abandoned while a test runs. */
const UNHURRIED = { serviceLevelSeconds: 30, dropoutSeconds: 300, chatTimeSeconds: 900, acdMaxWaiting: 10 };

/** The interaction's PENDING offer once routing has made it. */
async function pendingOffer(interactionId: string): Promise<{ id: string; userId: string }> {
  return eventually(async () => {
    const [rows] = (await db.query(
      "SELECT id, userId FROM interaction_offers WHERE interactionId = ? AND status = 'PENDING'",
      [interactionId],
    )) as unknown as [{ id: string; userId: string }[]];
    return rows[0];
  });
}

async function statusOf(id: string): Promise<string> {
  const [rows] = (await db.query('SELECT status FROM interactions WHERE id = ?', [id])) as unknown as [
    { status: string }[],
  ];
  return rows[0].status;
}

/**
 * The next event of a feed, asserted to be `kind` of `interactionId`. When another kind is awaited,
 * UPDATED events are passed over: the profile job sends one whenever Facebook's answer lands after
 * the offer, and that timing is Facebook's, not the routing under test.
 */
async function expectEvent(name: string, kind: string, interactionId: string, timeoutMs = 8_000) {
  const deadline = Date.now() + timeoutMs;
  let event = await feeds[name].next(timeoutMs);
  while (kind !== 'UPDATED' && event.data?.inboxChanged?.kind === 'UPDATED') {
    event = await feeds[name].next(Math.max(deadline - Date.now(), 1));
  }
  expect(event.errors).toBeUndefined();
  expect(event.data?.inboxChanged).toMatchObject({ kind, interaction: { id: interactionId } });
  return event.data!.inboxChanged;
}

/** Nothing but profile UPDATEs (see expectEvent) arrives on the feed within `ms`. */
async function expectQuiet(name: string, ms = 1_000) {
  await new Promise((r) => setTimeout(r, ms));
  const kinds = feeds[name].events.splice(0).map((e) => e.data?.inboxChanged?.kind ?? 'error');
  expect(kinds.filter((k) => k !== 'UPDATED')).toEqual([]);
}

beforeAll(async () => {
  bed = await startFacebookTestBed({
    OFFER_TIMEOUT_SECONDS: String(OFFER_TIMEOUT_SECONDS),
    PRESENCE_GRACE_SECONDS: '600',
  });
  admin = await login(url(), bed.server.adminUsername, bed.server.adminPassword);
  campaign = (
    await createCampaign(url(), admin, {
      name: 'Bakery',
      channel: 'MESSENGER',
      strategy: 'LINEAR',
      maxInteractionsPerAgent: 1,
      schedule: ALWAYS_OPEN,
    })
  ).id;
  voice = (await createCampaign(url(), admin, { name: 'Phones', channel: 'VOICE' })).id;
  const connected = await call(CONNECT, { c: campaign, p: BAKERY.id, t: BAKERY.token });
  expect(connected.errors).toBeUndefined();
  const { database, ...server } = parseDatabaseUrl(bed.server.environment.databaseUrl);
  db = await createConnection({ ...server, database, timezone: 'Z' });
  bed.sim.configure({ webhookUrl: `${url()}/webhooks/messenger`, verifyToken: bed.verifyToken });
  // Positions follow the order added: ana 1, ben 2, dan 3, eve 4.
  await makeAgent('ana', [campaign, voice]);
  await makeAgent('ben', [campaign, voice]);
  await makeAgent('dan', [campaign]); // no VOICE membership: receives nothing
  await makeAgent('eve', [campaign, voice]);
  for (const name of ['ana', 'ben', 'dan', 'eve']) await feed(name);
}, 60_000);

afterAll(async () => {
  for (const s of sockets) await s.client.dispose();
  await db?.end();
  await bed?.stop();
});

describe('routing', () => {
  let first: string;
  let second: string;

  it('offers a new chat to the AVAILABLE member with a VOICE membership; accept assigns it and inbox lists it', async () => {
    await presence('ana', 'AVAILABLE');
    await presence('dan', 'AVAILABLE');
    await presence('eve', 'BREAK');
    first = await customerWrites('Carla', 'Do you have rye bread?');
    const offered = await expectEvent('ana', 'OFFERED', first);
    expect(offered.interaction.status).toBe('OFFERED');
    expect(offered.interaction.contact.name).toBeTruthy();

    const accepted = await call(ACCEPT, { id: first }, agents.ana.token);
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data!.acceptInteraction).toMatchObject({ status: 'ACTIVE', agent: { username: 'ana' } });
    await expectEvent('ana', 'ASSIGNED', first);

    const inbox = await call('{ inbox { id status } }', {}, agents.ana.token);
    expect(inbox.data!.inbox).toEqual([{ id: first, status: 'ACTIVE' }]);
    const read = await call(INTERACTION, { id: first }, agents.ana.token);
    expect(read.data!.interaction).toMatchObject({
      status: 'ACTIVE',
      lastMessage: { text: 'Do you have rye bread?', direction: 'INBOUND' },
      messages: [{ text: 'Do you have rye bread?' }],
    });
    expect(read.data!.interaction.windowExpiresAt).toBeTruthy();

    // Nothing for the agent without a VOICE membership, nor for the one on break.
    await expectQuiet('dan', 300);
    await expectQuiet('eve', 300);
  });

  it('explains the decision to supervisors (routingDecisions), not to agents', async () => {
    const q = `query($id: ID!) { routingDecisions(interactionId: $id) { strategy chosenUserIds reason candidates { userId eligible why load } } }`;
    const result = await call(q, { id: first });
    expect(result.errors).toBeUndefined();
    const [decision] = result.data!.routingDecisions;
    expect(decision.strategy).toBe('LINEAR');
    expect(decision.chosenUserIds).toEqual([agents.ana.id]);
    expect(decision.reason).toMatch(/^LINEAR: agent/);
    const why = Object.fromEntries(
      decision.candidates.map((c: { userId: string; why: string }) => [c.userId, c.why]),
    );
    expect(why).toEqual({
      [agents.ana.id]: null,
      [agents.ben.id]: 'offline',
      [agents.dan.id]: 'no-voice-membership',
      [agents.eve.id]: 'on-break',
    });
    expect(codeOf(await call(q, { id: first }, agents.ana.token))).toBe('FORBIDDEN');
  });

  it('at capacity the next chat waits QUEUED; closing the first routes it at once', async () => {
    second = await customerWrites('Dora');
    await new Promise((r) => setTimeout(r, 500));
    expect(await statusOf(second)).toBe('QUEUED');
    const pending = await call('{ pendingInteractions { id } }', {});
    expect(pending.data!.pendingInteractions.map((i: { id: string }) => i.id)).toContain(second);

    const closed = await call(CLOSE, { id: first, d: 'Sold rye' }, agents.ana.token);
    expect(closed.data!.closeInteraction).toMatchObject({ status: 'CLOSED', disposition: 'Sold rye' });
    await expectEvent('ana', 'CLOSED', first);
    await expectEvent('ana', 'OFFERED', second);
    expect((await call(ACCEPT, { id: second }, agents.ana.token)).errors).toBeUndefined();
    await expectEvent('ana', 'ASSIGNED', second);
  });

  it("another agent can neither read, accept nor close someone else's interaction", async () => {
    expect((await call(INTERACTION, { id: second }, agents.ben.token)).data!.interaction).toBeNull();
    expect(codeOf(await call(ACCEPT, { id: second }, agents.ben.token))).toBe('CONFLICT');
    expect(codeOf(await call(CLOSE, { id: second }, agents.ben.token))).toBe('FORBIDDEN');
    expect(codeOf(await call(TRANSFER, { id: second, u: agents.ben.id }, agents.ben.token))).toBe(
      'FORBIDDEN',
    );
    const long = await call(CLOSE, { id: second, d: 'x'.repeat(501) }, agents.ana.token);
    expect(codeOf(long)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(long.errors)).toContain('disposition');
  });

  it('transfers to an eligible agent (OFFERED to them), refuses an ineligible one with the reason', async () => {
    await presence('ben', 'AVAILABLE');
    const refused = await call(TRANSFER, { id: second, u: agents.dan.id }, agents.ana.token);
    expect(codeOf(refused)).toBe('CONFLICT');
    expect(refused.errors![0].message).toContain('no-voice-membership');
    expect(codeOf(await call(TRANSFER, { id: second }, agents.ana.token))).toBe('BAD_USER_INPUT');

    const moved = await call(TRANSFER, { id: second, u: agents.ben.id }, agents.ana.token);
    expect(moved.data!.transferInteraction).toMatchObject({ status: 'OFFERED' });
    await expectEvent('ana', 'REVOKED', second);
    await expectEvent('ben', 'OFFERED', second);
    expect((await call(ACCEPT, { id: second }, agents.ben.token)).errors).toBeUndefined();
    await expectEvent('ben', 'ASSIGNED', second);
    expect((await call(CLOSE, { id: second }, agents.ben.token)).errors).toBeUndefined();
    await expectEvent('ben', 'CLOSED', second);
  });

  it('an offer not accepted in time is REVOKED and offered to another agent', async () => {
    const third = await customerWrites('Emil');
    await expectEvent('ana', 'OFFERED', third);
    await expectEvent('ana', 'REVOKED', third, (OFFER_TIMEOUT_SECONDS + 5) * 1000);
    await expectEvent('ben', 'OFFERED', third);
    const q = `query($id: ID!) { routingDecisions(interactionId: $id) { chosenUserIds candidates { userId why } } }`;
    const decisions = (await call(q, { id: third })).data!.routingDecisions;
    expect(decisions.map((d: { chosenUserIds: string[] }) => d.chosenUserIds)).toEqual([
      [agents.ana.id],
      [agents.ben.id],
    ]);
    expect(decisions[1].candidates.find((c: { userId: string }) => c.userId === agents.ana.id).why).toBe(
      'excluded',
    );
    expect((await call(ACCEPT, { id: third }, agents.ben.token)).errors).toBeUndefined();
    await expectEvent('ben', 'ASSIGNED', third);
    expect((await call(CLOSE, { id: third }, agents.ben.token)).errors).toBeUndefined();
    await expectEvent('ben', 'CLOSED', third);
  });

  it('going OFFLINE revokes pending offers; they go to the next available agent', async () => {
    await presence('ben', 'OFFLINE');
    const fourth = await customerWrites('Fritz');
    await expectEvent('ana', 'OFFERED', fourth);
    await presence('ana', 'OFFLINE');
    await expectEvent('ana', 'REVOKED', fourth);
    await eventually(async () => (await statusOf(fourth)) === 'QUEUED');
    await presence('ben', 'AVAILABLE');
    await expectEvent('ben', 'OFFERED', fourth);
    expect((await call(ACCEPT, { id: fourth }, agents.ben.token)).errors).toBeUndefined();
    await expectEvent('ben', 'ASSIGNED', fourth);
    expect((await call(CLOSE, { id: fourth }, agents.ben.token)).errors).toBeUndefined();
    await expectEvent('ben', 'CLOSED', fourth);
  });

  it('a disabled campaign routes nothing', async () => {
    await settings({ enabled: false });
    const { psid } = bed.sim.addCustomer(BAKERY.id, 'Gerd');
    bed.sim.customerWrites(BAKERY.id, psid, { text: 'closed?' });
    await expectQuiet('ben', 1_500);
    const [rows] = (await db.query(
      'SELECT COUNT(*) AS n FROM interactions i JOIN contacts c ON c.id = i.contactId WHERE c.psid = ?',
      [psid],
    )) as unknown as [{ n: number }[]];
    expect(Number(rows[0].n)).toBe(0);
    await settings({ enabled: true });
  });

  it('a campaign closed by its schedule keeps the chat QUEUED, never abandoned, and offers it once it opens', async () => {
    await settings({
      schedule: [],
      thresholds: { serviceLevelSeconds: 20, dropoutSeconds: 1, chatTimeSeconds: 600, acdMaxWaiting: 5 },
    });
    const id = await customerWrites('Hanna Night', 'Are you there at night?');
    // Past dropoutSeconds, and with an agent free: while closed, neither an offer nor abandonment.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await statusOf(id)).toBe('QUEUED');
    // Opening is a campaign change, which routes it at once; its wait counts from the opening.
    await settings({
      schedule: ALWAYS_OPEN,
      thresholds: { serviceLevelSeconds: 20, dropoutSeconds: 300, chatTimeSeconds: 600, acdMaxWaiting: 5 },
    });
    await eventually(async () => (await statusOf(id)) === 'OFFERED');
    const [decisions] = (await db.query(
      'SELECT chosenUserIds FROM routing_decisions WHERE interactionId = ?',
      [id],
    )) as unknown as [{ chosenUserIds: string | string[] }[]];
    expect(decisions).toHaveLength(1);
    // Hand the chat back so the agent's capacity is free for the tests that follow.
    const chosen = decisions[0].chosenUserIds;
    const [userId] = typeof chosen === 'string' ? (JSON.parse(chosen) as string[]) : chosen;
    const holder = Object.values(agents).find((a) => a.id === userId)!;
    expect((await call(ACCEPT, { id }, holder.token)).errors).toBeUndefined();
    expect((await call(CLOSE, { id, d: 'Night owl' }, holder.token)).errors).toBeUndefined();
    await new Promise((r) => setTimeout(r, 500));
    for (const f of Object.values(feeds)) f.events.length = 0;
  });

  it("tells the agent offered a chat the customer's real name once the profile is read after the offer", async () => {
    const id = await customerWrites('Ivo Late', 'Hello from a slow profile');
    await eventually(async () => (await statusOf(id)) === 'OFFERED');
    const [[offer]] = (await db.query(
      "SELECT o.userId, i.contactId, i.campaignId FROM interaction_offers o JOIN interactions i ON i.id = o.interactionId WHERE o.interactionId = ? AND o.status = 'PENDING'",
      [id],
    )) as unknown as [{ userId: string; contactId: string; campaignId: string }[]];
    const holder = Object.values(agents).find((a) => a.id === offer.userId)!;
    // As if the offer had gone out before the profile API answered.
    await db.query("UPDATE contacts SET name = 'Messenger user 0000', profileFetchedAt = NULL WHERE id = ?", [
      offer.contactId,
    ]);
    feeds[holder.username].events.length = 0;
    await bed.server.app
      .get(ContactsService)
      .fetchProfile({ contactId: offer.contactId, campaignId: offer.campaignId });
    const updated = await expectEvent(holder.username, 'UPDATED', id);
    expect(updated.interaction.contact.name).toBe('Ivo Late');
    expect((await call(ACCEPT, { id }, holder.token)).errors).toBeUndefined();
    expect((await call(CLOSE, { id, d: 'Named' }, holder.token)).errors).toBeUndefined();
    await new Promise((r) => setTimeout(r, 500));
    for (const f of Object.values(feeds)) f.events.length = 0;
  });

  it('MANUAL: nothing is offered; members see it in pendingInteractions, live on queueChanged, and take it within capacity', async () => {
    await settings({ strategy: 'MANUAL' });
    const queue = await watchQueue(agents.ben.token, campaign);
    const fifth = await customerWrites('Hana');
    const sixth = await customerWrites('Ivo');
    await queueShows(queue, fifth, 'QUEUED');
    await queueShows(queue, sixth, 'QUEUED');
    await expectQuiet('ben', 800);
    const pending = await call(
      'query($c: ID) { pendingInteractions(campaignId: $c) { id status } }',
      { c: campaign },
      agents.ben.token,
    );
    expect(pending.data!.pendingInteractions.map((i: { id: string }) => i.id)).toEqual([fifth, sixth]);
    expect((await call(INTERACTION, { id: fifth }, agents.ben.token)).data!.interaction.status).toBe(
      'QUEUED',
    );
    expect((await call(ACCEPT, { id: fifth }, agents.ben.token)).errors).toBeUndefined();
    await expectEvent('ben', 'ASSIGNED', fifth);
    // Taken: it leaves the queue of everyone who picks from it.
    await queueShows(queue, fifth, 'ACTIVE');
    const full = await call(ACCEPT, { id: sixth }, agents.ben.token);
    expect(codeOf(full)).toBe('CONFLICT');
    expect(full.errors![0].message).toContain('at-capacity');
    for (const id of [fifth]) {
      expect((await call(CLOSE, { id }, agents.ben.token)).errors).toBeUndefined();
      await expectEvent('ben', 'CLOSED', id);
    }
    expect((await call(ACCEPT, { id: sixth }, agents.ben.token)).errors).toBeUndefined();
    await expectEvent('ben', 'ASSIGNED', sixth);
    expect((await call(CLOSE, { id: sixth }, agents.ben.token)).errors).toBeUndefined();
    await expectEvent('ben', 'CLOSED', sixth);
  });

  it('RINGALL: offered to every eligible agent; of 20 parallel accepts exactly one wins', async () => {
    await presence('ben', 'OFFLINE');
    const ringers: Agent[] = [];
    ringers.push(
      ...(await Promise.all(
        Array.from({ length: 20 }, (_, n) => makeAgent(`ring${n + 1}`, [campaign, voice])),
      )),
    );
    await settings({ strategy: 'RINGALL', maxInteractionsPerAgent: 2 });
    for (const r of ringers) await call(PRESENCE, { p: 'AVAILABLE' }, r.token);
    const chat = await customerWrites('Jana');
    await eventually(async () => {
      const [rows] = (await db.query(
        "SELECT COUNT(*) AS n FROM interaction_offers WHERE interactionId = ? AND status = 'PENDING'",
        [chat],
      )) as unknown as [{ n: number }[]];
      return Number(rows[0].n) === 20;
    });
    const results = await Promise.all(ringers.map((r) => call(ACCEPT, { id: chat }, r.token)));
    const winners = results.filter((r) => !r.errors);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => codeOf(r) === 'CONFLICT')).toHaveLength(19);
    const [offers] = (await db.query(
      'SELECT status, COUNT(*) AS n FROM interaction_offers WHERE interactionId = ? GROUP BY status',
      [chat],
    )) as unknown as [{ status: string; n: number }[]];
    expect(Object.fromEntries(offers.map((o) => [o.status, Number(o.n)]))).toEqual({
      ACCEPTED: 1,
      REVOKED: 19,
    });
    expect(await statusOf(chat)).toBe('ACTIVE');
    for (const r of ringers) await call(PRESENCE, { p: 'OFFLINE' }, r.token);
  }, 120_000);

  it('a queued chat nobody answers within dropoutSeconds becomes ABANDONED', async () => {
    await settings({
      strategy: 'LINEAR',
      thresholds: { serviceLevelSeconds: 30, dropoutSeconds: 1, chatTimeSeconds: 900, acdMaxWaiting: 10 },
    });
    const lonely = await customerWrites('Kurt');
    await eventually(async () => (await statusOf(lonely)) === 'ABANDONED', 8_000);
  });

  it('LEASTRECENT offers to whoever finished here longest ago, FEWESTCALLS to whoever completed fewest today', async () => {
    await settings({
      strategy: 'LEASTRECENT',
      maxInteractionsPerAgent: 1,
      thresholds: UNHURRIED,
    });
    await presence('eve', 'OFFLINE');
    await presence('ana', 'AVAILABLE');
    await presence('ben', 'AVAILABLE');
    const DECISION = `query($id: ID!) { routingDecisions(interactionId: $id) { chosenUserIds candidates { userId eligible completedToday } } }`;
    /** A new chat is offered, accepted and closed: who got it, and the decision that chose them. */
    const serve = async (customer: string) => {
      const id = await customerWrites(customer);
      const holder = (await pendingOffer(id)).userId;
      const agent = Object.values(agents).find((a) => a.id === holder)!;
      expect((await call(ACCEPT, { id }, agent.token)).errors).toBeUndefined();
      expect((await call(CLOSE, { id }, agent.token)).errors).toBeUndefined();
      const [decision] = (await call(DECISION, { id })).data!.routingDecisions as {
        chosenUserIds: string[];
        candidates: { userId: string; eligible: boolean; completedToday: number }[];
      }[];
      return { who: agent.username, decision };
    };
    // Whoever just finished goes to the back: the two alternate.
    const order = [];
    for (const name of ['Lea', 'Lou', 'Lia']) order.push((await serve(name)).who);
    expect(order[0]).not.toBe(order[1]);
    expect(order[2]).toBe(order[0]);

    await settings({ strategy: 'FEWESTCALLS' });
    const first = await serve('Max');
    const counts = (d: typeof first.decision) =>
      new Map(d.candidates.filter((c) => c.eligible).map((c) => [c.userId, c.completedToday]));
    const before = counts(first.decision);
    const chosen = first.decision.chosenUserIds[0];
    expect(before.get(chosen)).toBe(Math.min(...before.values()));
    // The close just made counts in the next decision.
    const after = counts((await serve('Mia')).decision);
    expect(after.get(chosen)).toBe(before.get(chosen)! + 1);
    for (const f of Object.values(feeds)) f.events.length = 0;
  });

  it("an accept racing the offer's expiry: exactly one of them wins, and the chat is never lost", async () => {
    await settings({
      strategy: 'LINEAR',
      maxInteractionsPerAgent: 1,
      thresholds: UNHURRIED,
    });
    await presence('ben', 'OFFLINE');
    await presence('eve', 'OFFLINE');
    await presence('ana', 'AVAILABLE');
    const routing = bed.server.app.get(RoutingService);
    const waiting: string[] = [];
    let accepted = 0;
    for (let i = 0; i < 9; i++) {
      const id = await customerWrites(`Racer ${i}`);
      const offerId = (await pendingOffer(id)).id;
      // The accept locks the chat without the campaign's lock; the expiry locks the campaign first.
      // Together, or one of them 150 ms late: near-ties as well as both clear orders.
      const later = (first: boolean) => new Promise((r) => setTimeout(r, first ? 0 : 150));
      const [accept, expired] = await Promise.all([
        later(i % 3 !== 1).then(() => call(ACCEPT, { id }, agents.ana.token)),
        later(i % 3 !== 2).then(() => routing.expireOffer(offerId)),
      ]);
      const [[offer]] = (await db.query('SELECT status FROM interaction_offers WHERE id = ?', [
        offerId,
      ])) as unknown as [{ status: string }[]];
      if (accept.errors) {
        expect(codeOf(accept)).toBe('CONFLICT');
        expect({ offer: offer.status, expired, chat: await statusOf(id) }).toEqual({
          offer: 'EXPIRED',
          expired: true,
          chat: 'QUEUED', // ana is excluded from it now, and nobody else is available
        });
        waiting.push(id);
      } else {
        expect({ offer: offer.status, expired, chat: await statusOf(id) }).toEqual({
          offer: 'ACCEPTED',
          expired: false,
          chat: 'ACTIVE',
        });
        accepted++;
        expect((await call(CLOSE, { id }, agents.ana.token)).errors).toBeUndefined();
      }
    }
    expect(accepted + waiting.length).toBe(9);
    expect(accepted).toBeGreaterThan(0);
    expect(waiting.length).toBeGreaterThan(0);
    // Out of the way of the tests below.
    if (waiting.length)
      await db.query("UPDATE interactions SET status = 'ABANDONED' WHERE id IN (?)", [waiting]);
    for (const f of Object.values(feeds)) f.events.length = 0;
  });

  it("puts a deactivated agent's ACTIVE chat back in the queue at its place, where another agent gets it", async () => {
    await settings({ strategy: 'LINEAR', maxInteractionsPerAgent: 2, thresholds: UNHURRIED });
    for (const name of Object.keys(agents)) await presence(name, 'OFFLINE');
    const dora = await makeAgent('dora', [campaign, voice]);
    await makeAgent('eli', [campaign, voice]);
    await presence('dora', 'AVAILABLE');
    const chat = await customerWrites('Pia');
    expect((await pendingOffer(chat)).userId).toBe(dora.id);
    expect((await call(ACCEPT, { id: chat }, dora.token)).errors).toBeUndefined();
    await presence('eli', 'AVAILABLE');
    const [[before]] = (await db.query('SELECT queuedAt FROM interactions WHERE id = ?', [
      chat,
    ])) as unknown as [{ queuedAt: Date }[]];

    const deactivated = await call('mutation($id: ID!) { deactivateUser(id: $id) { active } }', {
      id: dora.id,
    });
    expect(deactivated.data?.deactivateUser.active).toBe(false);
    // Offered to Eli, the only one left, at once: the customer is not stuck with Dora's account.
    expect((await pendingOffer(chat)).userId).toBe(agents.eli.id);
    const [[after]] = (await db.query('SELECT queuedAt, agentId FROM interactions WHERE id = ?', [
      chat,
    ])) as unknown as [{ queuedAt: Date; agentId: string | null }[]];
    expect(after.queuedAt).toEqual(before.queuedAt);
    const decisions = await call(
      'query($id: ID!) { routingDecisions(interactionId: $id) { strategy reason } }',
      { id: chat },
    );
    expect(decisions.data!.routingDecisions.map((d: { strategy: string }) => d.strategy)).toContain(
      'RELEASE',
    );
    expect((await call(ACCEPT, { id: chat }, agents.eli.token)).errors).toBeUndefined();
    expect((await call(CLOSE, { id: chat }, agents.eli.token)).errors).toBeUndefined();
    await presence('eli', 'OFFLINE');
    for (const f of Object.values(feeds)) f.events.length = 0;
  });

  it('queueChanged is FORBIDDEN to an agent outside the campaign, and for a campaign that is not MANUAL', async () => {
    const outsider = await makeAgent('outsider', [voice]);
    await settings({ strategy: 'MANUAL' });
    for (const [token, campaignId] of [
      [outsider.token, campaign],
      [admin, voice],
    ]) {
      const f = await watchQueue(token, campaignId);
      const event = await f.next(3_000).catch(() => null);
      expect(JSON.stringify(event?.errors ?? f.failure)).toContain('FORBIDDEN');
    }
    await settings({ strategy: 'LINEAR' });
  });

  it('inboxChanged is FORBIDDEN for an API key', async () => {
    const q = `mutation { createApiKey(name: "tool", role: AGENT) { key } }`;
    const key = (await call(q, {})).data!.createApiKey.key;
    const socket = wsClient(bed.server.wsUrl, { apiKey: key });
    sockets.push(socket);
    const f = collect(socket.client);
    const event = await f.next(3_000).catch(() => null);
    const failure = JSON.stringify(event?.errors ?? f.failure);
    expect(failure).toContain('FORBIDDEN');
  });
});

describe('transfer to another campaign', () => {
  // A page belongs to one campaign, so "another campaign of the same page" (product.md section 4)
  // is one connected to no page: here the bakery's second line, "Bakery support".
  let support: string;
  let bikes: string;
  let closedShop: string;
  let chat: string;
  let psid: string;
  let contactId: string;
  const DECISIONS = `query($id: ID!) { routingDecisions(interactionId: $id) { strategy campaignId chosenUserIds reason } }`;
  const WHERE = `query($id: ID!) { interaction(id: $id) { status agent { username } campaign { id } } }`;

  beforeAll(async () => {
    await settings({
      strategy: 'LINEAR',
      maxInteractionsPerAgent: 1,
      thresholds: UNHURRIED,
    });
    support = (
      await createCampaign(url(), admin, {
        name: 'Bakery support',
        strategy: 'LINEAR',
        schedule: ALWAYS_OPEN,
      })
    ).id;
    bikes = (await createCampaign(url(), admin, { name: 'Bikes' })).id;
    const bikesPage = SEED.pages.bikes;
    expect((await call(CONNECT, { c: bikes, p: bikesPage.id, t: bikesPage.token })).errors).toBeUndefined();
    closedShop = (await createCampaign(url(), admin, { name: 'Closed shop', enabled: false })).id;
    await makeAgent('zoe', [support, voice]);
    await feed('zoe');
    await presence('zoe', 'AVAILABLE');
    for (const name of ['ana', 'ben']) feeds[name].events.length = 0;
    await presence('ana', 'AVAILABLE');
    chat = await customerWrites('Lena', 'My order never arrived');
    const [rows] = (await db.query(
      'SELECT c.id, c.psid FROM interactions i JOIN contacts c ON c.id = i.contactId WHERE i.id = ?',
      [chat],
    )) as unknown as [{ id: string; psid: string }[]];
    ({ id: contactId, psid } = rows[0]);
    await expectEvent('ana', 'OFFERED', chat);
    expect((await call(ACCEPT, { id: chat }, agents.ana.token)).errors).toBeUndefined();
    await expectEvent('ana', 'ASSIGNED', chat);
  }, 60_000);

  it('refuses a target it cannot go to, each with a clear code, and the chat stays with its agent', async () => {
    const refusals: [Record<string, unknown>, string, RegExp, string | undefined][] = [
      [{}, 'BAD_USER_INPUT', /exactly one of toUserId and toCampaignId/, undefined],
      [{ u: agents.ben.id, c: support }, 'BAD_USER_INPUT', /exactly one/, undefined],
      [{ c: randomUUID() }, 'NOT_FOUND', /does not exist/, undefined],
      [{ c: voice }, 'BAD_USER_INPUT', /"Phones" is a VOICE campaign/, undefined],
      [{ c: closedShop }, 'CONFLICT', /"Closed shop" is disabled/, 'disabled'],
      [{ c: bikes }, 'CONFLICT', /"Bikes" belongs to another Facebook page/, 'other-page'],
      [{ c: campaign }, 'CONFLICT', /already in campaign "Bakery"/, undefined],
    ];
    for (const [target, code, message, reason] of refusals) {
      const result = await call(TRANSFER, { id: chat, ...target }, agents.ana.token);
      expect(codeOf(result), JSON.stringify(target)).toBe(code);
      expect(result.errors![0].message).toMatch(message);
      expect(result.errors![0].extensions?.reason).toBe(reason);
    }
    // Only the agent handling it (or an admin or supervisor) hands it on.
    expect(codeOf(await call(TRANSFER, { id: chat, c: support }, agents.zoe.token))).toBe('FORBIDDEN');
    expect((await call(WHERE, { id: chat })).data!.interaction).toEqual({
      status: 'ACTIVE',
      agent: { username: 'ana' },
      campaign: { id: campaign },
    });
    await expectQuiet('ana', 500);
  });

  it("moves an ACTIVE chat to the other campaign's queue: offered there, gone from the agent's inbox, recorded", async () => {
    const moved = await call(TRANSFER, { id: chat, c: support }, agents.ana.token);
    expect(moved.errors).toBeUndefined();
    expect(['QUEUED', 'OFFERED']).toContain(moved.data!.transferInteraction.status);
    await expectEvent('ana', 'REVOKED', chat);
    await expectEvent('zoe', 'OFFERED', chat);
    expect((await call('{ inbox { id } }', {}, agents.ana.token)).data!.inbox).toEqual([]);
    expect((await call(WHERE, { id: chat })).data!.interaction).toEqual({
      status: 'OFFERED',
      agent: null,
      campaign: { id: support },
    });
    const decisions = (await call(DECISIONS, { id: chat })).data!.routingDecisions;
    expect(decisions.slice(-2)).toEqual([
      {
        strategy: 'TRANSFER',
        campaignId: support,
        chosenUserIds: [],
        reason: `TRANSFER: transferred by user ${agents.ana.id} from campaign "Bakery" to the queue of campaign "Bakery support"`,
      },
      expect.objectContaining({ strategy: 'LINEAR', campaignId: support, chosenUserIds: [agents.zoe.id] }),
    ]);
  });

  it('the conversation goes on there: the customer joins it and replies still go out through the page', async () => {
    expect((await call(ACCEPT, { id: chat }, agents.zoe.token)).errors).toBeUndefined();
    await expectEvent('zoe', 'ASSIGNED', chat);
    bed.sim.customerWrites(BAKERY.id, psid, { text: 'Any news?' });
    expect((await expectEvent('zoe', 'MESSAGE', chat)).message.text).toBe('Any news?');
    const [open] = (await db.query(
      "SELECT id, campaignId FROM interactions WHERE contactId = ? AND status <> 'CLOSED'",
      [contactId],
    )) as unknown as [{ id: string; campaignId: string }[]];
    expect(open).toEqual([{ id: chat, campaignId: support }]);

    // Zoe's reply goes out through the bakery page, with its token.
    const reply = await call(
      'mutation($i: ID!, $t: String) { sendMessage(interactionId: $i, text: $t) { id status } }',
      { i: chat, t: 'It leaves the oven today' },
      agents.zoe.token,
    );
    expect(reply.errors).toBeUndefined();
    await eventually(async () =>
      bed.sim.sent(BAKERY.id).some((s) => s.recipient === psid && s.text === 'It leaves the oven today'),
    );

    // Once closed there, the customer's next message opens a new chat in the page's own campaign.
    expect((await call(CLOSE, { id: chat }, agents.zoe.token)).errors).toBeUndefined();
    // Her feed also carried her own reply (MESSAGE, then status UPDATEs); the close comes last.
    for (let event = await feeds.zoe.next(8_000); ; event = await feeds.zoe.next(8_000)) {
      expect(event.data?.inboxChanged.interaction.id).toBe(chat);
      if (event.data!.inboxChanged.kind === 'CLOSED') break;
      expect(['MESSAGE', 'UPDATED']).toContain(event.data!.inboxChanged.kind);
    }
    bed.sim.customerWrites(BAKERY.id, psid, { text: 'Another order, please' });
    let next = (await feeds.ana.next(8_000)).data!.inboxChanged;
    while (next.kind === 'UPDATED') next = (await feeds.ana.next(8_000)).data!.inboxChanged;
    expect(next).toMatchObject({ kind: 'OFFERED', interaction: { status: 'OFFERED' } });
    expect(next.interaction.id).not.toBe(chat);
    expect((await call(WHERE, { id: next.interaction.id })).data!.interaction.campaign).toEqual({
      id: campaign,
    });
  });
});
