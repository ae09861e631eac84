import { type Connection, createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../server/src/infrastructure/database/database.js';
import { QueuePositionJob } from '../../server/src/routing/jobs/queue-position.job.js';
import { ALWAYS_OPEN, createCampaign } from '../support/campaigns.js';
import { type FacebookTestBed, SEED, startFacebookTestBed } from '../support/facebook.js';
import { createUser, DEFAULT_PASSWORD, eventually, gql, login } from '../support/graphql.js';

// Queue-position announcements against the simulator (docs/routing.md#queue-position): a customer
// left waiting is told their place and the estimated wait, at most once a minute, and only while
// actually waiting in an open campaign that announces.

const CONNECT = `mutation($c: ID!, $p: String!, $t: String!) { connectFacebookPage(campaignId: $c, pageId: $p, pageAccessToken: $t) { id } }`;
const ADD = `mutation($c: [ID!]!, $u: [ID!]!) { addCampaignMembers(campaignIds: $c, userIds: $u) { id } }`;
const UPDATE = `mutation($id: ID!, $input: CampaignInput!) { updateCampaign(id: $id, input: $input) { id announceQueuePosition } }`;
const PRESENCE = `mutation($p: Presence!) { setPresence(presence: $p) { id } }`;
const ACCEPT = `mutation($id: ID!) { acceptInteraction(id: $id) { id status } }`;
const CLOSE = `mutation($id: ID!) { closeInteraction(id: $id) { id status } }`;
const BAKERY = SEED.pages.bakery;
/** Long enough for ingest, routing and the announcement job to have run, had they anything to send. */
const SETTLE_MS = 1_500;

let bed: FacebookTestBed;
let db: Connection;
let admin: string;
let agent: string;
let campaign: string;

const url = () => bed.server.baseUrl;
const call = async (query: string, variables: Record<string, unknown>, token = admin) => {
  const result = await gql(url(), query, variables, { token });
  expect(result.errors).toBeUndefined();
  return result.data as Record<string, any>;
};
const rows = async (sql: string, params: unknown[] = []) =>
  (await db.query(sql, params))[0] as Record<string, any>[];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What Parley sent this customer through the Send API, oldest first. */
const sentTo = (psid: string) =>
  bed.sim
    .sent(BAKERY.id)
    .filter((s) => s.recipient === psid)
    .map((s) => s.text);

/** The customer writes; resolves with their interaction once the message is stored with it. */
async function writes(psid: string, text: string): Promise<{ id: string; status: string }> {
  const { mid } = bed.sim.customerWrites(BAKERY.id, psid, { text });
  return eventually(async () => {
    const [found] = await rows(
      `SELECT i.id, i.status FROM messages m JOIN interactions i ON i.id = m.interactionId WHERE m.mid = ?`,
      [mid],
    );
    return found as { id: string; status: string } | undefined;
  });
}

/** A new customer of the bakery page. */
const customer = (name: string) => bed.sim.addCustomer(BAKERY.id, name).psid;

beforeAll(async () => {
  bed = await startFacebookTestBed({ OFFER_TIMEOUT_SECONDS: '600', PRESENCE_GRACE_SECONDS: '600' });
  admin = await login(url(), bed.server.adminUsername, bed.server.adminPassword);
  campaign = (
    await createCampaign(url(), admin, {
      name: 'Bakery',
      strategy: 'LINEAR',
      maxInteractionsPerAgent: 1,
      schedule: ALWAYS_OPEN,
      timezone: 'UTC',
      afterHoursMessage: 'We are closed.',
      announceQueuePosition: true,
    })
  ).id;
  const voice = (await createCampaign(url(), admin, { name: 'Phones', channel: 'VOICE' })).id;
  await call(CONNECT, { c: campaign, p: BAKERY.id, t: BAKERY.token });
  const { id } = await createUser(url(), admin, { username: 'ana', role: 'AGENT' });
  await call(ADD, { c: [campaign, voice], u: [id] });
  agent = await login(url(), 'ana', DEFAULT_PASSWORD);
  const { database, ...server } = parseDatabaseUrl(bed.server.environment.databaseUrl);
  db = await createConnection({ ...server, database, timezone: 'Z' });
  bed.sim.configure({ webhookUrl: `${url()}/webhooks/messenger`, verifyToken: bed.verifyToken });
}, 60_000);

afterAll(async () => {
  await db?.end();
  await bed?.stop();
});

describe('queue position', () => {
  let ada: string;
  let bo: string;
  let adaInteraction: string;

  it('tells a customer left waiting (no agent available) their place in line', async () => {
    ada = customer('Ada Waiting');
    bo = customer('Bo Waiting');
    const waiting = await writes(ada, 'Hello, anyone there?');
    adaInteraction = waiting.id;
    expect(waiting.status).toBe('QUEUED');
    await eventually(async () => sentTo(ada).length === 1);
    // Nobody was answered today yet: no estimate rather than a made-up one.
    expect(sentTo(ada)).toEqual(['You are next in line.']);

    expect((await writes(bo, 'Hi!')).status).toBe('QUEUED');
    await eventually(async () => sentTo(bo).length === 1);
    expect(sentTo(bo)).toEqual(['You are number 2 in line.']);
    const [stored] = await rows(
      "SELECT m.sentByUserId, m.status FROM messages m JOIN contacts c ON c.id = m.contactId WHERE c.psid = ? AND m.direction = 'OUTBOUND'",
      [bo],
    );
    expect(stored.sentByUserId).toBeNull();
  });

  it('says nothing more when the customer writes again within the minute', async () => {
    expect((await writes(bo, 'Still there?')).status).toBe('QUEUED');
    expect((await writes(bo, 'Hello??')).status).toBe('QUEUED');
    await sleep(SETTLE_MS);
    expect(sentTo(bo)).toEqual(['You are number 2 in line.']);
  });

  it('after the minute, a new message is answered with the place as it is now and the estimated wait', async () => {
    // Ada's chat is offered and accepted: Bo moves up, and today has an answered chat to estimate from.
    await call(PRESENCE, { p: 'AVAILABLE' }, agent);
    await eventually(
      async () =>
        (await rows('SELECT status FROM interactions WHERE id = ?', [adaInteraction]))[0].status ===
        'OFFERED',
    );
    await call(ACCEPT, { id: adaInteraction }, agent);
    // As if Bo was told a minute ago.
    await db.query(
      `UPDATE interactions i JOIN contacts c ON c.id = i.contactId
          SET i.positionAnnouncedAt = i.positionAnnouncedAt - INTERVAL 61 SECOND WHERE c.psid = ?`,
      [bo],
    );
    expect((await writes(bo, 'And now?')).status).toBe('QUEUED');
    await eventually(async () => sentTo(bo).length === 2);
    expect(sentTo(bo)[1]).toBe('You are next in line; the estimated wait is less than a minute.');
  });

  it('sends one announcement when several workers race to announce the same wait', async () => {
    const [waiting] = await rows(
      `SELECT i.id FROM interactions i JOIN contacts c ON c.id = i.contactId WHERE c.psid = ?`,
      [bo],
    );
    await db.query(
      'UPDATE interactions SET positionAnnouncedAt = positionAnnouncedAt - INTERVAL 61 SECOND WHERE id = ?',
      [waiting.id],
    );
    const job = bed.server.app.get(QueuePositionJob);
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => job.run({ interactionId: waiting.id })),
    );
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(1);
    await eventually(async () => sentTo(bo).length === 3);
    await sleep(SETTLE_MS);
    expect(sentTo(bo)).toHaveLength(3);
  });

  it('tells nothing to a customer whose chat is offered to an agent', async () => {
    // Ana finishes Ada's chat: Bo's is offered to her at once, and Cleo's, arriving next, waits.
    await call(CLOSE, { id: adaInteraction }, agent);
    const [boInteraction] = await rows(
      'SELECT i.id FROM interactions i JOIN contacts c ON c.id = i.contactId WHERE c.psid = ?',
      [bo],
    );
    await eventually(
      async () =>
        (await rows('SELECT status FROM interactions WHERE id = ?', [boInteraction.id]))[0].status ===
        'OFFERED',
    );
    await db.query(
      `UPDATE interactions SET positionAnnouncedAt = positionAnnouncedAt - INTERVAL 61 SECOND WHERE id = ?`,
      [boInteraction.id],
    );
    expect((await writes(bo, 'Is someone coming?')).status).toBe('OFFERED');
    await sleep(SETTLE_MS);
    expect(sentTo(bo)).toHaveLength(3);

    // A chat that an agent can take at once is offered, never announced.
    await call(ACCEPT, { id: boInteraction.id }, agent);
    await call(CLOSE, { id: boInteraction.id }, agent);
    const dora = customer('Dora Lucky');
    const lucky = await writes(dora, 'Quick question');
    await eventually(
      async () =>
        (await rows('SELECT status FROM interactions WHERE id = ?', [lucky.id]))[0].status === 'OFFERED',
    );
    await sleep(SETTLE_MS);
    expect(sentTo(dora)).toEqual([]);
  });

  it('tells nothing while the campaign is closed: the after-hours message speaks then', async () => {
    await call(UPDATE, { id: campaign, input: { schedule: [] } });
    const eli = customer('Eli Late');
    expect((await writes(eli, 'Open?')).status).toBe('QUEUED');
    await eventually(async () => sentTo(eli).length === 1);
    await sleep(SETTLE_MS);
    expect(sentTo(eli)).toEqual(['We are closed.']);
    await call(UPDATE, { id: campaign, input: { schedule: ALWAYS_OPEN } });
  });

  it('tells nothing when the campaign does not announce', async () => {
    const updated = await call(UPDATE, { id: campaign, input: { announceQueuePosition: false } });
    expect(updated.updateCampaign.announceQueuePosition).toBe(false);
    const fay = customer('Fay Quiet');
    expect((await writes(fay, 'Hello')).status).toBe('QUEUED');
    expect((await writes(fay, 'Hello again')).status).toBe('QUEUED');
    await sleep(SETTLE_MS);
    expect(sentTo(fay)).toEqual([]);
  });
});
