import jsonwebtoken from 'jsonwebtoken';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CampaignChanged,
  SocketClosed,
  SocketConnected,
  type SocketEvent,
} from '../../server/src/events/catalogue.js';
import { EventBus } from '../../server/src/infrastructure/events/event-bus.service.js';
import { createCampaign } from '../support/campaigns.js';
import {
  codeOf,
  createApiKey,
  createUser,
  DEFAULT_PASSWORD,
  eventually,
  gql,
  login,
  subscribe,
  wsClient,
} from '../support/graphql.js';
import { startTestServer, TEST_REDIS, type TestServer } from '../support/server.js';

const CAMPAIGN_CHANGED = 'subscription { campaignChanged { id name enabled deleted } }';

describe('events: typed, after commit, scoped by owner', () => {
  let server: TestServer;
  let admin: string;
  let bus: EventBus;

  beforeAll(async () => {
    server = await startTestServer();
    admin = await login(server.baseUrl, server.adminUsername, server.adminPassword);
    bus = server.app.get(EventBus);
  });
  afterAll(() => server?.stop());

  it('carries customer-like text as it was written: a name that looks like a date stays a string', async () => {
    const { client } = wsClient(server.wsUrl, { authorization: `Bearer ${admin}` });
    const events = subscribe(client, CAMPAIGN_CHANGED);
    await new Promise((r) => setTimeout(r, 300));
    const campaign = await createCampaign(server.baseUrl, admin, { name: '2025-01-01T00:00:00Z' });
    const event = await events.next();
    expect(event.data).toEqual({
      campaignChanged: { id: campaign.id, name: '2025-01-01T00:00:00Z', enabled: true, deleted: false },
    });
    await client.dispose();
  });

  it('announces nothing for a write that was refused, and the next change after it', async () => {
    const campaign = await createCampaign(server.baseUrl, admin, { name: 'Refusals' });
    const { client } = wsClient(server.wsUrl, { authorization: `Bearer ${admin}` });
    const events = subscribe(client, CAMPAIGN_CHANGED);
    await new Promise((r) => setTimeout(r, 300));
    const refused = await gql(
      server.baseUrl,
      'mutation($id: ID!) { updateCampaign(id: $id, input: { name: "Refusals 2", serviceLevelTarget: 400 }) { id } }',
      { id: campaign.id },
      { token: admin },
    );
    expect(codeOf(refused)).toBe('BAD_USER_INPUT');
    await gql(
      server.baseUrl,
      'mutation($id: ID!) { updateCampaign(id: $id, input: { enabled: false }) { id } }',
      { id: campaign.id },
      { token: admin },
    );
    // The first event is the accepted change: the refused rename was never announced.
    expect((await events.next()).data).toEqual({
      campaignChanged: { id: campaign.id, name: 'Refusals', enabled: false, deleted: false },
    });
    await client.dispose();
  });

  it('delivers an owner-scoped event only to that owner’s subscribers, and drops malformed messages', async () => {
    const [a, b] = [
      await createCampaign(server.baseUrl, admin, { name: 'Owner A' }),
      await createCampaign(server.baseUrl, admin, { name: 'Owner B' }),
    ];
    const seenByA: string[] = [];
    const seenByAny: string[] = [];
    const stopA = await bus.subscribe(CampaignChanged, a.id, (e) => seenByA.push(e.campaignId));
    const stopAny = await bus.subscribe(CampaignChanged, '*', (e) => seenByAny.push(e.campaignId));
    // Someone writes garbage on A's topic: no listener sees it.
    const raw = new Redis(TEST_REDIS);
    await raw.publish(
      `${server.environment.redisPrefix}:events:campaign.changed:${a.id}`,
      '{"campaignId": 42}',
    );
    raw.disconnect();
    for (const campaign of [b, a]) {
      await gql(
        server.baseUrl,
        'mutation($id: ID!) { updateCampaign(id: $id, input: { enabled: false }) { id } }',
        { id: campaign.id },
        { token: admin },
      );
    }
    await eventually(async () => seenByAny.length >= 2 && seenByA.length >= 1, 5_000);
    expect(seenByA).toEqual([a.id]);
    expect(seenByAny).toEqual([b.id, a.id]);
    await stopA();
    await stopAny();
  });

  it('publishes socket connected and closed events with who it was, for presence', async () => {
    const agent = await createUser(server.baseUrl, admin, { username: 'socket.agent', role: 'AGENT' });
    const agentToken = await login(server.baseUrl, 'socket.agent', DEFAULT_PASSWORD);
    const connected: SocketEvent[] = [];
    const closed: SocketEvent[] = [];
    const stops = [
      await bus.subscribe(SocketConnected, undefined, (e) => connected.push(e)),
      await bus.subscribe(SocketClosed, undefined, (e) => closed.push(e)),
    ];
    const { client } = wsClient(server.wsUrl, { authorization: `Bearer ${agentToken}` });
    const opened = await eventually(async () => connected.find((e) => e.userId === agent.id), 5_000);
    expect(opened).toMatchObject({ role: 'AGENT', apiKeyId: null });
    await client.dispose();
    const ended = await eventually(async () => closed.find((e) => e.socketId === opened.socketId), 5_000);
    expect(ended.userId).toBe(agent.id);
    for (const stop of stops) await stop();
  });
});

describe('who is calling', () => {
  let server: TestServer;
  let admin: string;

  beforeAll(async () => {
    server = await startTestServer();
    admin = await login(server.baseUrl, server.adminUsername, server.adminPassword);
  });
  afterAll(() => server?.stop());

  it('answers viewer for a user and for an API key alike', async () => {
    const asUser = await gql(
      server.baseUrl,
      '{ viewer { role user { username } apiKey { id } } }',
      {},
      { token: admin },
    );
    expect(asUser.data).toEqual({ viewer: { role: 'ADMIN', user: { username: 'admin' }, apiKey: null } });
    const { key, id } = await createApiKey(server.baseUrl, admin, 'crm', 'SUPERVISOR');
    const asKey = await gql(
      server.baseUrl,
      '{ viewer { role user { id } apiKey { id name } } }',
      {},
      { apiKey: key },
    );
    expect(asKey.data).toEqual({
      viewer: { role: 'SUPERVISOR', user: null, apiKey: { id, name: 'crm' } },
    });
  });

  it('accepts an API key sent as X-Api-Key in connectionParams, as GraphiQL-style tools do', async () => {
    const { key } = await createApiKey(server.baseUrl, admin, 'tool', 'ADMIN');
    for (const [i, name] of ['X-Api-Key', 'x-api-key'].entries()) {
      const { client } = wsClient(server.wsUrl, { [name]: key });
      const events = subscribe(client, 'subscription { userChanged { username } }');
      await new Promise((r) => setTimeout(r, 300));
      const username = `seen.by.header${i}`;
      await createUser(server.baseUrl, admin, { username, role: 'AGENT' });
      expect((await events.next()).data).toEqual({ userChanged: { username } });
      await client.dispose();
    }
  });

  it('refuses a correctly signed token that never expires', async () => {
    const me = await gql<{ me: { id: string } }>(server.baseUrl, '{ me { id } }', {}, { token: admin });
    const forever = jsonwebtoken.sign({ sub: me.data!.me.id, sv: 0 }, server.environment.env.JWT_SECRET, {
      algorithm: 'HS256',
    });
    const result = await gql(server.baseUrl, '{ me { id } }', {}, { token: forever });
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
    const { closed } = wsClient(server.wsUrl, { authorization: `Bearer ${forever}` });
    expect((await closed).code).toBe(4401);
  });

  it('refuses a deactivated user’s token within a second, though access is cached', async () => {
    const user = await createUser(server.baseUrl, admin, { username: 'soon.gone', role: 'AGENT' });
    const token = await login(server.baseUrl, 'soon.gone', DEFAULT_PASSWORD);
    // Warm the cache, then deactivate.
    expect((await gql(server.baseUrl, '{ me { id } }', {}, { token })).data).toEqual({ me: { id: user.id } });
    await gql(
      server.baseUrl,
      'mutation($id: ID!) { deactivateUser(id: $id) { id } }',
      { id: user.id },
      { token: admin },
    );
    const started = Date.now();
    await eventually(
      async () => codeOf(await gql(server.baseUrl, '{ me { id } }', {}, { token })) === 'UNAUTHENTICATED',
      1_000,
    );
    expect(Date.now() - started).toBeLessThan(1_100);
  });

  it('gives every campaign member an id that stays the same for the pair', async () => {
    const agent = await createUser(server.baseUrl, admin, { username: 'member.id', role: 'AGENT' });
    const campaign = await createCampaign(server.baseUrl, admin, { name: 'Member ids' });
    const add = () =>
      gql<{ addCampaignMembers: { members: { id: string; user: { id: string } }[] }[] }>(
        server.baseUrl,
        'mutation($c: [ID!]!, $u: [ID!]!) { addCampaignMembers(campaignIds: $c, userIds: $u) { members { id user { id } } } }',
        { c: [campaign.id], u: [agent.id] },
        { token: admin },
      );
    const first = (await add()).data!.addCampaignMembers[0].members[0].id;
    await gql(
      server.baseUrl,
      'mutation($c: [ID!]!, $u: [ID!]!) { removeCampaignMembers(campaignIds: $c, userIds: $u) { id } }',
      { c: [campaign.id], u: [agent.id] },
      { token: admin },
    );
    const again = (await add()).data!.addCampaignMembers[0].members[0].id;
    expect(first).toBe(again);
    expect(first).toContain(agent.id);
  });
});
