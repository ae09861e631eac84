import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, eventually, login, subscribe, wsClient } from '../support/graphql.js';
import { type ServerProcess, startServerProcess, stopServerProcess } from '../support/processes.js';
import { testEnvironment, type TestEnvironment } from '../support/server.js';

describe('two server processes sharing one MySQL and one Redis', () => {
  let environment: TestEnvironment;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    environment = testEnvironment();
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    // Started together: both run migrations and the first-admin bootstrap at the same moment.
    [a, b] = await Promise.all([
      startServerProcess({ ...environment.env, ROLE: 'all' }, port),
      startServerProcess({ ...environment.env, ROLE: 'api' }, port + 1),
    ]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([a && stopServerProcess(a.child), b && stopServerProcess(b.child)]);
    await environment?.cleanup();
  });

  it('delivers an event published by one process to a subscriber connected to the other', async () => {
    const token = await login(a.baseUrl, environment.env.ADMIN_USERNAME, environment.env.ADMIN_PASSWORD);
    const { client } = wsClient(`${b.baseUrl.replace('http', 'ws')}/graphql`, {
      authorization: `Bearer ${token}`,
    });
    const events = subscribe(client, 'subscription { userChanged { username } }');
    await new Promise((r) => setTimeout(r, 500));
    await createUser(a.baseUrl, token, { username: 'made.on.a', role: 'AGENT' });
    expect((await events.next(10_000)).data).toEqual({ userChanged: { username: 'made.on.a' } });
    await client.dispose();
  });

  it('applied the migrations and created the first admin once', async () => {
    const token = await login(b.baseUrl, environment.env.ADMIN_USERNAME, environment.env.ADMIN_PASSWORD);
    const response = await fetch(`${b.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ users(role: ADMIN) { username } }' }),
    });
    expect(((await response.json()) as { data: unknown }).data).toEqual({ users: [{ username: 'admin' }] });
  });
});

describe('ROLE=api and ROLE=worker', () => {
  let environment: TestEnvironment;
  const children: ChildProcess[] = [];

  afterAll(async () => {
    await Promise.all(children.map((child) => stopServerProcess(child)));
    await environment?.cleanup();
  });

  it('leaves jobs to the worker process: an API-only instance queues them, a worker runs them', async () => {
    environment = testEnvironment();
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const api = await startServerProcess({ ...environment.env, ROLE: 'api' }, port);
    children.push(api.child);
    const token = await login(api.baseUrl, environment.env.ADMIN_USERNAME, environment.env.ADMIN_PASSWORD);
    const call = async (query: string, headers: Record<string, string>) => {
      const response = await fetch(`${api.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query }),
      });
      return ((await response.json()) as { data: any }).data;
    };
    const created = await call(
      'mutation { createApiKey(name: "bi", role: SUPERVISOR) { key apiKey { id } } }',
      {
        authorization: `Bearer ${token}`,
      },
    );
    await call('{ users { id } }', { 'x-api-key': created.createApiKey.key });
    const lastUsed = async () =>
      ((await call('{ apiKeys { lastUsedAt } }', { authorization: `Bearer ${token}` })).apiKeys[0]
        ?.lastUsedAt ?? null) as string | null;

    // Recording the key's use is a job: nothing runs it while only the API role is up.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await lastUsed()).toBeNull();

    const worker = await startServerProcess({ ...environment.env, ROLE: 'worker' }, port + 1);
    children.push(worker.child);
    expect(await eventually(lastUsed, 15_000)).toMatch(/^\d{4}-/);
  });
});
