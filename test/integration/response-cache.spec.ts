import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/infrastructure/config/config.js';
import { createParley } from '../../server/src/main.js';
import { createCampaign } from '../support/campaigns.js';
import { createUser, DEFAULT_PASSWORD, gql, login } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

const TABLE = '{ campaigns { id name enabled members { id penalty user { id displayName } } } }';
type Table = { campaigns: { id: string; name: string; members: { penalty: number }[] }[] };

describe('cached campaign table answers', () => {
  let a: TestServer;
  let b: { baseUrl: string; close(): Promise<void> };
  let admin: string;

  beforeAll(async () => {
    a = await startTestServer();
    // A second instance on the same MySQL and Redis, as behind a load balancer.
    const { app } = await createParley(loadConfig(a.environment.env));
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    b = { baseUrl: `http://127.0.0.1:${port}`, close: () => app.close() };
    admin = await login(a.baseUrl, a.adminUsername, a.adminPassword);
  });
  afterAll(async () => {
    await b?.close();
    await a?.stop();
  });

  it('is never stale on another instance once a change has been answered', async () => {
    const campaign = await createCampaign(a.baseUrl, admin, { name: 'Round 0' });
    const agent = await createUser(a.baseUrl, admin, { username: 'cached.agent', role: 'AGENT' });
    await gql(
      a.baseUrl,
      'mutation($c: [ID!]!, $u: [ID!]!) { addCampaignMembers(campaignIds: $c, userIds: $u) { id } }',
      { c: [campaign.id], u: [agent.id] },
      { token: admin },
    );
    const read = async () => (await gql<Table>(b.baseUrl, TABLE, {}, { token: admin })).data!.campaigns[0];
    for (let round = 1; round <= 15; round++) {
      await read(); // fills B's cache
      await read();
      const renamed = await gql(
        a.baseUrl,
        'mutation($id: ID!, $name: String!) { updateCampaign(id: $id, input: { name: $name }) { name } }',
        { id: campaign.id, name: `Round ${round}` },
        { token: admin },
      );
      expect(renamed.errors).toBeUndefined();
      expect((await read()).name).toBe(`Round ${round}`);
      // A member's change (another module, another event) shows as well.
      await gql(
        a.baseUrl,
        'mutation($c: ID!, $u: ID!, $p: Int) { updateCampaignMember(campaignId: $c, userId: $u, penalty: $p) { penalty } }',
        { c: campaign.id, u: agent.id, p: round },
        { token: admin },
      );
      expect((await read()).members[0].penalty).toBe(round);
    }
  });

  it('keeps agents’ answers their own', async () => {
    const mine = await createCampaign(a.baseUrl, admin, { name: 'Mine' });
    await createCampaign(a.baseUrl, admin, { name: 'Not mine' });
    const agents = [
      await createUser(a.baseUrl, admin, { username: 'agent.one', role: 'AGENT' }),
      await createUser(a.baseUrl, admin, { username: 'agent.two', role: 'AGENT' }),
    ];
    await gql(
      a.baseUrl,
      'mutation($c: [ID!]!, $u: [ID!]!) { addCampaignMembers(campaignIds: $c, userIds: $u) { id } }',
      { c: [mine.id], u: [agents[0].id] },
      { token: admin },
    );
    const names = async (username: string) => {
      const token = await login(b.baseUrl, username, DEFAULT_PASSWORD);
      const table = await gql<Table>(b.baseUrl, '{ campaigns { name } }', {}, { token });
      return table.data!.campaigns.map((c) => c.name);
    };
    expect(await names('agent.one')).toEqual(['Mine']);
    expect(await names('agent.two')).toEqual([]);
    expect(await names('agent.one')).toEqual(['Mine']);
  });
});
