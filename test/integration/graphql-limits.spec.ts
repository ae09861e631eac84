import { createHash } from 'node:crypto';
import { getIntrospectionQuery } from 'graphql';
import type { Client } from 'graphql-ws';
import { GRAPHQL_TRANSPORT_WS_PROTOCOL } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { GRAPHQL_LIMITS } from '../../server/src/infrastructure/graphql/limits.js';
import { type GqlResult, login, wsClient } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** One HTTP call that keeps the status, which `gql` drops. */
async function post(server: TestServer, body: object, token?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${server.baseUrl}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  return { status: response.status, ...((await response.json()) as GqlResult) };
}

/** One operation over graphql-ws: its result, or the errors of an `error` message. */
function overSocket(client: Client, query: string, variables: Record<string, unknown> = {}) {
  return new Promise<GqlResult>((resolve) => {
    let result: GqlResult = {};
    client.subscribe(
      { query, variables },
      {
        next: (value) => (result = value as GqlResult),
        error: (errors) => resolve({ errors: errors as GqlResult['errors'] }),
        complete: () => resolve(result),
      },
    );
  });
}

const codes = (result: GqlResult) => result.errors?.map((e) => e.extensions?.code);

const ALIASES_1500 = `{ ${Array.from({ length: 1_500 }, (_, i) => `u${i}: me { id }`).join(' ')} }`;
const ALIASES_OVER = `{ ${Array.from({ length: GRAPHQL_LIMITS.maxAliases + 1 }, (_, i) => `u${i}: me { id }`).join(' ')} }`;
// 5 levels of 5 spreads of 2 fields: 1,250 fields in a few lines, each level spread again.
const FRAGMENT_BOMB = [
  'fragment L0 on User { id username }',
  ...[1, 2, 3, 4].map((n) => `fragment L${n} on User { ${`...L${n - 1} `.repeat(5)}}`),
  'query { me { ...L4 } }',
].join('\n');
const FRAGMENT_CYCLE =
  'fragment A on Campaign { members { user { id } } ...B } fragment B on Campaign { ...A } { campaigns { ...A } }';
const BAD_USER = {
  query: 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }',
  variables: { input: { username: 'a b', displayName: ' ', password: 'short', role: 'AGENT' } },
};

function expectEveryUserProblem(result: GqlResult) {
  expect(codes(result)).toEqual(['BAD_USER_INPUT']);
  expect(result.errors![0].extensions!.problems).toEqual([
    { field: 'username', problem: expect.stringMatching(/letters, digits/) },
    { field: 'displayName', problem: 'must be 1 to 100 characters' },
    { field: 'password', problem: 'must be 8 to 200 characters' },
  ]);
  expect(result.errors![0].message).toMatch(/^username: .*; displayName: .*; password: /);
}

// Each variable coercion graphql-js does, with the field the problem must name.
const COERCION_CASES = [
  {
    what: 'a missing required variable',
    query: 'query($id: ID!) { campaign(id: $id) { id } }',
    variables: {},
    field: 'id',
  },
  {
    what: 'null for a non-null variable',
    query: 'query($id: ID!) { campaign(id: $id) { id } }',
    variables: { id: null },
    field: 'id',
  },
  {
    what: 'a value of the wrong type, deep in an input',
    query: 'mutation($input: CampaignInput!) { createCampaign(input: $input) { id } }',
    variables: {
      input: {
        name: 'Wrong type',
        thresholds: { serviceLevelSeconds: 'soon', dropoutSeconds: 1, chatTimeSeconds: 1, acdMaxWaiting: 1 },
      },
    },
    field: 'thresholds.serviceLevelSeconds',
  },
  {
    what: 'an unknown enum value',
    query: 'query($role: Role) { users(role: $role) { id } }',
    variables: { role: 'BOSS' },
    field: 'role',
  },
  {
    what: 'an Int out of range',
    query:
      'mutation($p: Int) { updateCampaignMember(campaignId: "1", userId: "1", penalty: $p) { penalty } }',
    variables: { p: 2 ** 31 },
    field: 'p',
  },
];

describe('bad input is refused cleanly, on HTTP and on graphql-ws alike', () => {
  let server: TestServer;
  let admin: string;

  beforeAll(async () => {
    server = await startTestServer();
    admin = await login(server.baseUrl, server.adminUsername, server.adminPassword);
  });
  afterAll(() => server?.stop());

  describe('over HTTP', () => {
    it.each(COERCION_CASES)('refuses $what with 400 BAD_USER_INPUT naming the field', async (c) => {
      const result = await post(server, { query: c.query, variables: c.variables }, admin);
      expect(result.status).toBe(400);
      expect(codes(result)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors![0].extensions!.problems).toEqual([
        { field: c.field, problem: expect.any(String) },
      ]);
    });

    it('refuses a query over the cost budget with 400, naming the limit', async () => {
      const result = await post(server, { query: FRAGMENT_BOMB }, admin);
      expect(result.status).toBe(400);
      expect(codes(result)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(result.errors![0].message).toMatch(/^Query is too complex: cost 1251, at most 1000/);
      expect(result.errors![0].extensions).toMatchObject({ limit: 'cost', maximum: 1000, actual: 1251 });
    });

    it('refuses a fragment cycle in an anonymous operation with 400, without a stack overflow', async () => {
      const result = await post(server, { query: FRAGMENT_CYCLE });
      expect(result.status).toBe(400);
      expect(codes(result)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(result.errors![0].message).toMatch(/Cannot spread fragment "A" within itself/);
    });

    it('refuses 1,500 aliases by the token limit, and a few too many aliases by the alias limit', async () => {
      const huge = await post(server, { query: ALIASES_1500 }, admin);
      expect(huge.status).toBe(400);
      expect(codes(huge)).toEqual(['GRAPHQL_PARSE_FAILED']);
      expect(huge.errors![0].message).toMatch(/more th\w+ 2000 tokens/);
      const over = await post(server, { query: ALIASES_OVER }, admin);
      expect(over.status).toBe(400);
      expect(over.errors![0]).toMatchObject({
        message: 'Query has too many aliases: 31, at most 30',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'aliases' },
      });
    });

    it('refuses a query nested deeper than the depth limit', async () => {
      const result = await post(server, { query: deepQuery(GRAPHQL_LIMITS.maxDepth + 1) }, admin);
      expect(result.status).toBe(400);
      expect(limitError(result, 'depth')).toMatchObject({
        message: 'Query is too deep: 11 levels, at most 10; ask for fewer nested fields',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      });
    });

    it('lists every problem of every field the validation pipe finds', async () => {
      expectEveryUserProblem(await post(server, BAD_USER, admin));
    });

    it('answers persisted-query misses and mismatches with their own codes, not an internal error', async () => {
      const sha256Hash = createHash('sha256').update('{ me { id } }').digest('hex');
      const unknown = await post(server, { extensions: { persistedQuery: { version: 1, sha256Hash } } });
      expect(codes(unknown)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
      const mismatch = await post(server, {
        query: '{ __typename }',
        extensions: { persistedQuery: { version: 1, sha256Hash } },
      });
      expect(mismatch.status).toBe(400);
      expect(codes(mismatch)).toEqual(['BAD_REQUEST']);
      expect(mismatch.errors![0].message).toMatch(/does not match/);
    });

    it('still suggests names outside production', async () => {
      const result = await post(server, { query: '{ campaing(id: "1") { id } }' });
      expect(result.status).toBe(400);
      expect(result.errors![0].message).toMatch(/Did you mean "campaign"/);
    });
  });

  describe('over graphql-ws', () => {
    let client: Client;
    let closed: Promise<unknown>;
    let closedYet = false;

    beforeAll(() => {
      ({ client, closed } = wsClient(server.wsUrl, { authorization: `Bearer ${admin}` }));
      void closed.then(() => (closedYet = true));
    });
    afterAll(() => client?.dispose());

    it.each(COERCION_CASES)('refuses $what with BAD_USER_INPUT naming the field', async (c) => {
      const result = await overSocket(client, c.query, c.variables);
      expect(codes(result)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors![0].extensions!.problems).toEqual([
        { field: c.field, problem: expect.any(String) },
      ]);
    });

    it('lists every problem of every field the validation pipe finds', async () => {
      expectEveryUserProblem(await overSocket(client, BAD_USER.query, BAD_USER.variables));
    });

    it('applies the cost, alias, depth and token limits of HTTP', async () => {
      const bomb = await overSocket(client, FRAGMENT_BOMB);
      expect(bomb.errors![0]).toMatchObject({
        message: expect.stringMatching(/^Query is too complex/),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'cost' },
      });
      const aliases = await overSocket(client, ALIASES_OVER);
      expect(aliases.errors![0].extensions).toMatchObject({
        code: 'GRAPHQL_VALIDATION_FAILED',
        limit: 'aliases',
      });
      const deepest = await overSocket(client, deepQuery(GRAPHQL_LIMITS.maxDepth + 1));
      expect(limitError(deepest, 'depth')?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      const huge = await overSocket(client, ALIASES_1500);
      expect(huge.data).toBeUndefined();
      expect(codes(huge)).toEqual(['GRAPHQL_PARSE_FAILED']);
    });

    it('answers a fragment cycle with an error message and keeps the socket open', async () => {
      const cycle = await overSocket(client, FRAGMENT_CYCLE);
      expect(codes(cycle)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      const after = await overSocket(client, '{ me { username } }');
      expect(after.data).toEqual({ me: { username: server.adminUsername } });
      expect(closedYet).toBe(false);
    });

    it('gives validation and syntax errors their codes', async () => {
      const unknownField = await overSocket(client, '{ me { nickname } }');
      expect(codes(unknownField)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      const syntax = await overSocket(client, '{ me { id }');
      expect(codes(syntax)).toEqual(['GRAPHQL_PARSE_FAILED']);
      expect(closedYet).toBe(false);
    });

    it('closes a socket that sends a message over the size limit (1009)', async () => {
      const socket = new WebSocket(server.wsUrl, GRAPHQL_TRANSPORT_WS_PROTOCOL);
      const acknowledged = new Promise<void>((resolve) =>
        socket.on('message', (data) => {
          if (JSON.parse(String(data)).type === 'connection_ack') resolve();
        }),
      );
      const closedWith = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${admin}` } }));
      await acknowledged;
      const padding = 'x'.repeat(GRAPHQL_LIMITS.maxSocketPayloadBytes);
      socket.send(
        JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `{ me { id } } # ${padding}` } }),
      );
      expect(await closedWith).toBe(1009);
    });
  });
});

describe('in production', () => {
  let server: TestServer;
  let admin: string;

  beforeAll(async () => {
    server = await startTestServer({ env: { NODE_ENV: 'production' } });
    admin = await login(server.baseUrl, server.adminUsername, server.adminPassword);
  });
  afterAll(() => server?.stop());

  it('refuses introspection to anonymous callers with 401 UNAUTHENTICATED', async () => {
    const result = await post(server, { query: getIntrospectionQuery() });
    expect(result.status).toBe(401);
    expect(codes(result)).toEqual(['UNAUTHENTICATED']);
    const typeQuery = await post(server, { query: '{ __type(name: "User") { fields { name } } }' });
    expect(codes(typeQuery)).toEqual(['UNAUTHENTICATED']);
  });

  it('lets anonymous callers ask for __typename and sign in', async () => {
    expect((await post(server, { query: '{ __typename }' })).data).toEqual({ __typename: 'Query' });
  });

  it('gives anonymous callers no "Did you mean" hints', async () => {
    const field = await post(server, { query: '{ campaing(id: "1") { id } }' });
    expect(field.status).toBe(400);
    expect(field.errors![0].message).toBe('Cannot query field "campaing" on type "Query".');
    const value = await post(server, {
      query: 'query($role: Role) { users(role: $role) { id } }',
      variables: { role: 'ADMN' },
    });
    expect(codes(value)).toEqual(['BAD_USER_INPUT']);
    expect(value.errors![0].message).not.toMatch(/Did you mean/);
  });

  // Needs the principal in the GraphQL context before execution (context.req.user), which the
  // context factory sets on both transports.
  it('lets signed-in callers introspect', async () => {
    const result = await post(server, { query: '{ __schema { queryType { name } } }' }, admin);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});

/** A query nested `depth` levels deep (past the schema's real paths; the limit is checked all the same). */
function deepQuery(depth: number): string {
  let selection = 'id';
  for (let i = 0; i < depth; i++) selection = `campaigns { ${selection} }`;
  return `{ ${selection} }`;
}

const limitError = (result: GqlResult, limit: string) =>
  result.errors?.find((e) => e.extensions?.limit === limit);
