import { type Connection, createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../server/src/infrastructure/database/database.js';
import { ALWAYS_OPEN, createCampaign } from '../support/campaigns.js';
import { type FacebookTestBed, SEED, startFacebookTestBed } from '../support/facebook.js';
import {
  createUser,
  DEFAULT_PASSWORD,
  eventually,
  gql,
  login,
  subscribe,
  wsClient,
} from '../support/graphql.js';
import { proxiedRedis, type TcpProxy } from '../support/tcp-proxy.js';

// Customers keep writing while Redis is away: Facebook still gets its 200 (the delivery is in
// MySQL), nothing is lost, and the chats reach the agent seconds after Redis returns.

const BAKERY = SEED.pages.bakery;
const INBOX_CHANGED = `subscription { inboxChanged { kind interaction { id contact { name } } } }`;

describe('Redis lost while customers write', () => {
  let proxy: TcpProxy;
  let bed: FacebookTestBed;
  let db: Connection;

  beforeAll(async () => {
    const redis = await proxiedRedis();
    proxy = redis.proxy;
    bed = await startFacebookTestBed({ REDIS_URL: redis.url, PRESENCE_GRACE_SECONDS: '600' });
    const { database, ...server } = parseDatabaseUrl(bed.server.environment.databaseUrl);
    db = await createConnection({ ...server, database, timezone: 'Z' });
  });
  afterAll(async () => {
    await proxy?.restore();
    await db?.end();
    await bed?.stop();
    await proxy?.close();
  });

  it('acknowledges every webhook during the outage, and offers each chat exactly once soon after', async () => {
    const url = bed.server.baseUrl;
    const admin = await login(url, bed.server.adminUsername, bed.server.adminPassword);
    const call = (query: string, variables: Record<string, unknown>, token = admin) =>
      gql(url, query, variables, { token });
    const campaign = await createCampaign(url, admin, {
      name: 'Bakery',
      channel: 'MESSENGER',
      maxInteractionsPerAgent: 5,
      schedule: ALWAYS_OPEN,
    });
    const voice = await createCampaign(url, admin, { name: 'Phones', channel: 'VOICE' });
    const connected = await call(
      'mutation($c: ID!, $p: String!, $t: String!) { connectFacebookPage(campaignId: $c, pageId: $p, pageAccessToken: $t) { id } }',
      { c: campaign.id, p: BAKERY.id, t: BAKERY.token },
    );
    expect(connected.errors).toBeUndefined();
    bed.sim.configure({ webhookUrl: `${url}/webhooks/messenger`, verifyToken: bed.verifyToken });
    const { id: agentId } = await createUser(url, admin, { username: 'outage-agent', role: 'AGENT' });
    await call(
      'mutation($c: [ID!]!, $u: [ID!]!) { addCampaignMembers(campaignIds: $c, userIds: $u) { id } }',
      {
        c: [campaign.id, voice.id],
        u: [agentId],
      },
    );
    const agent = await login(url, 'outage-agent', DEFAULT_PASSWORD);
    await call('mutation { setPresence(presence: AVAILABLE) { id } }', {}, agent);
    const socket = wsClient(bed.server.wsUrl, { authorization: `Bearer ${agent}` });
    const inbox = subscribe<{
      inboxChanged: { kind: string; interaction: { id: string; contact: { name: string } } };
    }>(socket.client, INBOX_CHANGED);
    await new Promise((r) => setTimeout(r, 300));

    await proxy.cut();
    const customers = ['Ines Outage', 'Jon Outage', 'Kim Outage'].map((name) => ({
      name,
      psid: bed.sim.addCustomer(BAKERY.id, name).psid,
    }));
    for (const { psid } of customers) bed.sim.customerWrites(BAKERY.id, psid, { text: 'Anyone there?' });
    // Facebook got its 200 for each: the deliveries are stored, waiting for Redis to be processed.
    await bed.sim.webhooksIdle();
    const [stored] = (await db.query(
      "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'PENDING'",
    )) as unknown as [{ n: number }[]];
    expect(Number(stored[0].n)).toBe(customers.length);
    expect(bed.sim.state().webhook.problem).toBeUndefined();

    await proxy.restore();
    const offered = new Set<string>();
    const started = Date.now();
    while (offered.size < customers.length) {
      const event = (await inbox.next(20_000)).data!.inboxChanged;
      if (event.kind === 'OFFERED') offered.add(event.interaction.contact.name);
    }
    // Seconds after Redis returned, not the minute of the delivery sweep.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect([...offered].sort()).toEqual(customers.map((c) => c.name).sort());

    // Exactly once: one message and one interaction per customer.
    await eventually(async () => {
      const [rows] = (await db.query(
        `SELECT c.psid, COUNT(DISTINCT m.id) AS messages, COUNT(DISTINCT i.id) AS interactions
           FROM contacts c JOIN messages m ON m.contactId = c.id JOIN interactions i ON i.contactId = c.id
          WHERE c.psid IN (?) GROUP BY c.psid`,
        [customers.map((c) => c.psid)],
      )) as unknown as [{ messages: number; interactions: number }[]];
      return rows.length === customers.length && rows.every((r) => r.messages == 1 && r.interactions == 1);
    });
    await socket.client.dispose();
  });
});
