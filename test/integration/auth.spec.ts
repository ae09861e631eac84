import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, createUser, eventually, gql, login, subscribe, wsClient } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ME = '{ me { id username displayName role presence presenceSince } }';
const CREATE_USER = 'mutation($input: CreateUserInput!) { createUser(input: $input) { id username role } }';
const CREATE_KEY =
  'mutation($n: String!, $r: Role!) { createApiKey(name: $n, role: $r) { key apiKey { id name role } } }';
const API_KEYS = '{ apiKeys { id name role createdAt lastUsedAt } }';
const REVOKE = 'mutation($id: ID!) { revokeApiKey(id: $id) }';
const USER_CHANGED = 'subscription { userChanged { id username role } }';

describe('sign-in, roles and API keys', () => {
  let server: TestServer;
  let adminToken: string;
  let agentToken: string;

  beforeAll(async () => {
    server = await startTestServer();
    adminToken = await login(server.baseUrl, server.adminUsername, server.adminPassword);
    await createUser(server.baseUrl, adminToken, {
      username: 'agent.ana',
      role: 'AGENT',
      password: 'tidal-maple-forest',
    });
    agentToken = await login(server.baseUrl, 'agent.ana', 'tidal-maple-forest');
  });
  afterAll(() => server?.stop());

  describe('login', () => {
    it('signs the first admin in and returns a token that works for me', async () => {
      const me = await gql(server.baseUrl, ME, {}, { token: adminToken });
      expect(me.errors).toBeUndefined();
      expect(me.data!.me).toMatchObject({ username: 'admin', role: 'ADMIN', presence: 'OFFLINE' });
    });

    it('refuses a wrong password and an unknown user with the same words', async () => {
      const wrong = await gql(
        server.baseUrl,
        'mutation { login(username: "admin", password: "nope-nope") { accessToken } }',
      );
      const unknown = await gql(
        server.baseUrl,
        'mutation { login(username: "ghost", password: "whatever1") { accessToken } }',
      );
      for (const result of [wrong, unknown]) {
        expect(result.data).toBeNull();
        expect(codeOf(result)).toBe('UNAUTHENTICATED');
        expect(result.errors![0].message).toBe('Wrong username or password');
      }
    });

    it('asks for both fields when one is empty', async () => {
      const result = await gql(
        server.baseUrl,
        'mutation { login(username: "admin", password: "") { accessToken } }',
      );
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
      expect(result.errors![0].message).toMatch(/username and password/);
    });
  });

  describe('HTTP credentials', () => {
    it('refuses a call with no credentials', async () => {
      const result = await gql(server.baseUrl, ME);
      expect(codeOf(result)).toBe('UNAUTHENTICATED');
    });

    it('refuses a forged or garbled token', async () => {
      const [header, , signature] = adminToken.split('.');
      const forgedPayload = Buffer.from(JSON.stringify({ sub: 'someone', exp: 9999999999 })).toString(
        'base64url',
      );
      for (const token of [`${header}.${forgedPayload}.${signature}`, 'not-a-jwt']) {
        const result = await gql(server.baseUrl, ME, {}, { token });
        expect(codeOf(result)).toBe('UNAUTHENTICATED');
        expect(result.errors![0].message).toMatch(/invalid or has expired/);
      }
    });

    it('lets an AGENT read me but not create users', async () => {
      expect((await gql(server.baseUrl, ME, {}, { token: agentToken })).data!.me).toMatchObject({
        role: 'AGENT',
      });
      const result = await gql(
        server.baseUrl,
        CREATE_USER,
        { input: { username: 'intruder', displayName: 'X', password: 'velvet-otter-93', role: 'ADMIN' } },
        { token: agentToken },
      );
      expect(codeOf(result)).toBe('FORBIDDEN');
      const users = await gql(server.baseUrl, '{ users { id } }', {}, { token: agentToken });
      expect(codeOf(users)).toBe('FORBIDDEN');
      const all = await gql<{ users: { username: string }[] }>(
        server.baseUrl,
        '{ users { username } }',
        {},
        { token: adminToken },
      );
      expect(all.data!.users.map((u) => u.username)).not.toContain('intruder');
    });
  });

  describe('createUser', () => {
    const attempt = (input: Record<string, unknown>) =>
      gql(
        server.baseUrl,
        CREATE_USER,
        {
          input: {
            username: 'new.user',
            displayName: 'New User',
            password: 'velvet-otter-93',
            role: 'AGENT',
            ...input,
          },
        },
        { token: adminToken },
      );

    it.each([
      [{ username: 'a b' }, /^username: must be 3 to 50/],
      [{ username: 'ab' }, /^username: /],
      [{ displayName: '   ' }, /^displayName: must be 1 to 100/],
      [{ password: 'short' }, /^password: must be 8 to 200/],
    ])('refuses %j naming the field', async (input, message) => {
      const result = await attempt(input);
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
      expect(result.errors![0].message).toMatch(message);
    });

    it('refuses an unknown role before any resolver runs', async () => {
      const result = await attempt({ role: 'OWNER' });
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
      expect(result.errors![0].message).toMatch(/OWNER/);
    });

    it('refuses a taken username and keeps the first', async () => {
      const first = await attempt({ username: 'twice' });
      expect(first.errors).toBeUndefined();
      const second = await attempt({ username: 'twice', displayName: 'Other' });
      expect(codeOf(second)).toBe('BAD_USER_INPUT');
      expect(second.errors![0].message).toBe('username: "twice" is already taken');
      const users = await gql<{ users: { username: string; displayName: string }[] }>(
        server.baseUrl,
        '{ users { username displayName } }',
        {},
        { token: adminToken },
      );
      expect(users.data!.users.filter((u) => u.username === 'twice')).toEqual([
        { username: 'twice', displayName: 'New User' },
      ]);
    });

    it('filters users by role', async () => {
      const agents = await gql<{ users: { role: string }[] }>(
        server.baseUrl,
        '{ users(role: AGENT) { role } }',
        {},
        { token: adminToken },
      );
      expect(agents.data!.users.length).toBeGreaterThan(0);
      expect(new Set(agents.data!.users.map((u) => u.role))).toEqual(new Set(['AGENT']));
    });
  });

  describe('API keys', () => {
    it('shows the key once, acts as its role, records use, and stops working when revoked', async () => {
      const created = await gql<{ createApiKey: { key: string; apiKey: { id: string; role: string } } }>(
        server.baseUrl,
        CREATE_KEY,
        { n: 'CRM sync', r: 'SUPERVISOR' },
        { token: adminToken },
      );
      const { key, apiKey } = created.data!.createApiKey;
      expect(key).toMatch(/^pk_[A-Za-z0-9_-]{43}$/);
      expect(apiKey.role).toBe('SUPERVISOR');

      // Acts as a SUPERVISOR: may list users, may not create them, has no "me".
      expect((await gql(server.baseUrl, '{ users { id } }', {}, { apiKey: key })).errors).toBeUndefined();
      expect(
        codeOf(
          await gql(
            server.baseUrl,
            CREATE_USER,
            { input: { username: 'k', displayName: 'k', password: 'password-1', role: 'AGENT' } },
            { apiKey: key },
          ),
        ),
      ).toBe('FORBIDDEN');
      expect(codeOf(await gql(server.baseUrl, ME, {}, { apiKey: key }))).toBe('FORBIDDEN');

      // lastUsedAt is stamped by a background job.
      const listed = await eventually(async () => {
        const keys = await gql<{ apiKeys: { id: string; lastUsedAt: string | null }[] }>(
          server.baseUrl,
          API_KEYS,
          {},
          { token: adminToken },
        );
        return keys.data!.apiKeys.find((k) => k.id === apiKey.id && k.lastUsedAt);
      });
      expect(new Date(listed.lastUsedAt!).getTime()).toBeGreaterThan(Date.now() - 60_000);

      expect((await gql(server.baseUrl, REVOKE, { id: apiKey.id }, { token: adminToken })).data).toEqual({
        revokeApiKey: true,
      });
      const after = await gql(server.baseUrl, '{ users { id } }', {}, { apiKey: key });
      expect(codeOf(after)).toBe('UNAUTHENTICATED');
      expect(after.errors![0].message).toMatch(/revoked/);
      const keys = await gql<{ apiKeys: { id: string }[] }>(
        server.baseUrl,
        API_KEYS,
        {},
        { token: adminToken },
      );
      expect(keys.data!.apiKeys.map((k) => k.id)).not.toContain(apiKey.id);
    });

    it('never shows the key again and validates the name', async () => {
      const listed = await gql(server.baseUrl, '{ apiKeys { key } }', {}, { token: adminToken });
      expect(codeOf(listed)).toBe('GRAPHQL_VALIDATION_FAILED');
      const blank = await gql(server.baseUrl, CREATE_KEY, { n: '  ', r: 'AGENT' }, { token: adminToken });
      expect(codeOf(blank)).toBe('BAD_USER_INPUT');
      expect(blank.errors![0].message).toMatch(/^name: /);
    });

    it('refuses a made-up key, a second revoke, and API key management by non-admins', async () => {
      expect(codeOf(await gql(server.baseUrl, ME, {}, { apiKey: 'pk_' + 'a'.repeat(43) }))).toBe(
        'UNAUTHENTICATED',
      );
      const created = await gql<{ createApiKey: { apiKey: { id: string } } }>(
        server.baseUrl,
        CREATE_KEY,
        { n: 'tmp', r: 'AGENT' },
        { token: adminToken },
      );
      const id = created.data!.createApiKey.apiKey.id;
      expect(codeOf(await gql(server.baseUrl, REVOKE, { id }, { token: agentToken }))).toBe('FORBIDDEN');
      expect((await gql(server.baseUrl, REVOKE, { id }, { token: adminToken })).data).toEqual({
        revokeApiKey: true,
      });
      expect(codeOf(await gql(server.baseUrl, REVOKE, { id }, { token: adminToken }))).toBe('NOT_FOUND');
      expect(codeOf(await gql(server.baseUrl, API_KEYS, {}, { token: agentToken }))).toBe('FORBIDDEN');
    });
  });

  describe('graphql-ws', () => {
    it('delivers userChanged to an admin connected with a JWT', async () => {
      const { client } = wsClient(server.wsUrl, { authorization: `Bearer ${adminToken}` });
      const events = subscribe(client, USER_CHANGED);
      await new Promise((r) => setTimeout(r, 300));
      await createUser(server.baseUrl, adminToken, { username: 'pushed', role: 'SUPERVISOR' });
      const event = await events.next();
      expect(event.data).toEqual({
        userChanged: { id: expect.any(String), username: 'pushed', role: 'SUPERVISOR' },
      });
      await client.dispose();
    });

    it('closes a connection without credentials with 4401', async () => {
      const { client, closed } = wsClient(server.wsUrl, {});
      subscribe(client, USER_CHANGED);
      expect(await closed).toMatchObject({ code: 4401 });
      await client.dispose();
    });

    it('closes a connection with a bad token or unknown key with 4401', async () => {
      for (const params of [{ authorization: 'Bearer nonsense' }, { apiKey: 'pk_' + 'b'.repeat(43) }]) {
        const { client, closed } = wsClient(server.wsUrl, params);
        subscribe(client, USER_CHANGED);
        expect((await closed).code).toBe(4401);
        await client.dispose();
      }
    });

    it('refuses a subscription the role may not use', async () => {
      const { client } = wsClient(server.wsUrl, { authorization: `Bearer ${agentToken}` });
      const events = subscribe(client, USER_CHANGED);
      const event = await events.next();
      expect(
        event.errors?.[0]?.extensions?.code ??
          (events.failure as { extensions?: { code?: string } }[])?.[0]?.extensions?.code,
      ).toBe('FORBIDDEN');
      await client.dispose();
    });

    it('serves an API key on the socket and closes it with 4403 when the key is revoked', async () => {
      const created = await gql<{ createApiKey: { key: string; apiKey: { id: string } } }>(
        server.baseUrl,
        CREATE_KEY,
        { n: 'dashboard', r: 'ADMIN' },
        { token: adminToken },
      );
      const { key, apiKey } = created.data!.createApiKey;
      const { client, closed } = wsClient(server.wsUrl, { apiKey: key });
      const events = subscribe(client, USER_CHANGED);
      await new Promise((r) => setTimeout(r, 300));
      await createUser(server.baseUrl, adminToken, { username: 'seen.by.key', role: 'AGENT' });
      expect((await events.next()).data).toMatchObject({ userChanged: { username: 'seen.by.key' } });
      await gql(server.baseUrl, REVOKE, { id: apiKey.id }, { token: adminToken });
      expect(await closed).toMatchObject({ code: 4403 });
      await client.dispose();
    });
  });
});
