import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_LIMITS } from '../../server/src/auth/login-throttle.service.js';
import { codeOf, gql } from '../support/graphql.js';
import { ROOT, startTestServer, type TestServer } from '../support/server.js';

describe('health, limits and the emitted schema', () => {
  let server: TestServer;
  const schemaFile = join(mkdtempSync(join(tmpdir(), 'parley-schema-')), 'schema.gql');

  beforeAll(async () => {
    server = await startTestServer({ env: { SCHEMA_FILE: schemaFile } });
  });
  afterAll(() => server?.stop());

  it('answers liveness and readiness with each dependency named', async () => {
    const alive = await fetch(`${server.baseUrl}/health`);
    expect(alive.status).toBe(200);
    const ready = await fetch(`${server.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; details: Record<string, { status: string }> };
    expect(body.status).toBe('ok');
    expect(Object.keys(body.details).sort()).toEqual([
      'mysql',
      'queue:auth',
      'queue:facebook',
      'queue:messenger',
      'queue:routing',
      'redis',
    ]);
  });

  it('echoes a request id for log correlation', async () => {
    const response = await fetch(`${server.baseUrl}/health`, { headers: { 'x-request-id': 'trace-123' } });
    expect(response.headers.get('x-request-id')).toBe('trace-123');
  });

  it('rate-limits failed sign-ins per username, even when the right password follows', async () => {
    for (let i = 0; i < LOGIN_LIMITS.perUsername.points; i++) {
      const result = await gql(
        server.baseUrl,
        'mutation { login(username: "admin", password: "wrong-pass") { accessToken } }',
      );
      expect(codeOf(result)).toBe('UNAUTHENTICATED');
    }
    const blocked = await gql(
      server.baseUrl,
      'mutation($p: String!) { login(username: "admin", password: $p) { accessToken } }',
      { p: server.adminPassword },
    );
    expect(codeOf(blocked)).toBe('RATE_LIMITED');
    expect(blocked.errors![0].message).toMatch(/try again in \d+ minutes?/);
    expect(blocked.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('rate-limits failed sign-ins per address across usernames', async () => {
    const remaining = LOGIN_LIMITS.perIp.points - LOGIN_LIMITS.perUsername.points;
    for (let i = 0; i < remaining; i++) {
      await gql(
        server.baseUrl,
        `mutation { login(username: "guess${i}", password: "wrong-pass") { accessToken } }`,
      );
    }
    const result = await gql(
      server.baseUrl,
      'mutation { login(username: "fresh.name", password: "wrong-pass") { accessToken } }',
    );
    expect(codeOf(result)).toBe('RATE_LIMITED');
  });

  it('emits the schema that is committed in server/schema.gql', () => {
    const committed = readFileSync(join(ROOT, 'server/schema.gql'), 'utf8');
    const emitted = readFileSync(schemaFile, 'utf8');
    // If this fails, start the server once with SCHEMA_FILE=server/schema.gql (npm start does) and commit.
    expect(emitted).toBe(committed);
  });
});
