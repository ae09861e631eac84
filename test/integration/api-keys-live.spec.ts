import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, createUser, gql, login, subscribe, wsClient } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

// apiKeyChanged: the admins' API keys screen stays live without reading the list again.

const CREATE_KEY =
  'mutation($n: String!, $r: Role!) { createApiKey(name: $n, role: $r) { apiKey { id name role } } }';
const REVOKE = 'mutation($id: ID!) { revokeApiKey(id: $id) }';
const API_KEY_CHANGED = 'subscription { apiKeyChanged { id name role createdAt lastUsedAt revoked } }';

interface ApiKeyEvent {
  apiKeyChanged: {
    id: string;
    name: string;
    role: string;
    createdAt: string;
    lastUsedAt: string | null;
    revoked: boolean;
  };
}

describe('apiKeyChanged', () => {
  let server: TestServer;
  let adminToken: string;

  beforeAll(async () => {
    server = await startTestServer();
    adminToken = await login(server.baseUrl, server.adminUsername, server.adminPassword);
  });
  afterAll(() => server?.stop());

  it('announces a created key, then its revocation with revoked: true', async () => {
    const { client } = wsClient(server.wsUrl, { authorization: `Bearer ${adminToken}` });
    const events = subscribe<ApiKeyEvent>(client, API_KEY_CHANGED);
    // The subscription is registered once the socket has said hello.
    await new Promise((r) => setTimeout(r, 300));

    const created = await gql<{ createApiKey: { apiKey: { id: string } } }>(
      server.baseUrl,
      CREATE_KEY,
      { n: 'BI export', r: 'SUPERVISOR' },
      { token: adminToken },
    );
    const id = created.data!.createApiKey.apiKey.id;
    const added = await events.next();
    expect(added.errors).toBeUndefined();
    expect(added.data!.apiKeyChanged).toMatchObject({
      id,
      name: 'BI export',
      role: 'SUPERVISOR',
      lastUsedAt: null,
      revoked: false,
    });
    expect(Number.isNaN(Date.parse(added.data!.apiKeyChanged.createdAt))).toBe(false);

    await gql(server.baseUrl, REVOKE, { id }, { token: adminToken });
    const revoked = await events.next();
    expect(revoked.data!.apiKeyChanged).toMatchObject({ id, name: 'BI export', revoked: true });

    // The list itself never shows the flag set: revoked keys are not listed.
    const listed = await gql<{ apiKeys: { id: string; revoked: boolean }[] }>(
      server.baseUrl,
      '{ apiKeys { id revoked } }',
      {},
      { token: adminToken },
    );
    expect(listed.data!.apiKeys.map((k) => k.id)).not.toContain(id);
    await client.dispose();
  });

  it('is for admins only', async () => {
    await createUser(server.baseUrl, adminToken, {
      username: 'sup.sam',
      role: 'SUPERVISOR',
      password: 'supervisor-pass-1',
    });
    const supervisorToken = await login(server.baseUrl, 'sup.sam', 'supervisor-pass-1');
    const { client } = wsClient(server.wsUrl, { authorization: `Bearer ${supervisorToken}` });
    const events = subscribe(client, API_KEY_CHANGED);
    const refused = await events.next().catch(() => null);
    const code =
      (refused && codeOf(refused)) ??
      (events.failure as { extensions?: { code?: string } }[] | undefined)?.[0]?.extensions?.code;
    expect(code).toBe('FORBIDDEN');
    await client.dispose();
  });
});
