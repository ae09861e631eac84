import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, createUser, eventually, gql, login, subscribe, wsClient } from '../support/graphql.js';
import {
  assertServicesReachable,
  REACHABILITY_TIMEOUT_MS,
  ServiceUnreachableError,
} from '../../server/src/infrastructure/startup/reachability.js';
import {
  dropDatabase,
  ROOT,
  startTestServer,
  TEST_REDIS,
  testEnvironment,
  type TestServer,
} from '../support/server.js';
import { proxiedRedis, startTcpProxy, type TcpProxy, unusedPort } from '../support/tcp-proxy.js';

const MAIN = join(ROOT, 'dist/server/server/src/main.js');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Starts the built server as `npm run start:prod` would and waits for it to exit (killed after 30 s). */
function runBuiltServer(entry: string, env: Record<string, string>): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, [entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Times a call: every request must answer, one way or the other, within a few seconds. */
async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await call();
  return { value, ms: Date.now() - started };
}

describe('a start without Redis or MySQL', () => {
  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build:server first`);
  });

  it('stops within seconds when Redis is unreachable, saying so in one line without the password', async () => {
    const port = await unusedPort();
    const environment = testEnvironment({ REDIS_URL: `redis://:redis-secret-pw@127.0.0.1:${port}` });
    try {
      const run = await runBuiltServer(MAIN, environment.env);
      expect(run.code).toBe(1);
      // Seconds, not for ever (the check runs before Nest and the modules are loaded).
      expect(run.ms).toBeLessThan(10_000);
      expect(run.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          new RegExp(
            `^Redis at redis://127\\.0\\.0\\.1:${port} \\(REDIS_URL\\) cannot be reached: .*ECONNREFUSED`,
          ),
        ),
      ]);
      expect(run.stderr).toContain(
        `Start it with: redis-server --daemonize yes --bind 127.0.0.1 --port ${port} --save "" --appendonly no`,
      );
      expect(run.stdout).toBe('');
      expect(run.stderr).not.toContain('redis-secret-pw');
    } finally {
      await environment.cleanup();
    }
  });

  it('stops within seconds when MySQL is unreachable, naming DATABASE_URL without the password', async () => {
    const port = await unusedPort();
    const environment = testEnvironment({
      DATABASE_URL: `mysql://root:mysql-secret-pw@127.0.0.1:${port}/parley_unreachable`,
    });
    const run = await runBuiltServer(MAIN, environment.env);
    expect(run.code).toBe(1);
    // Seconds, not for ever (the check runs before Nest and the modules are loaded).
    expect(run.ms).toBeLessThan(10_000);
    expect(run.stderr.trim().split('\n')).toEqual([
      `MySQL at mysql://root@127.0.0.1:${port}/parley_unreachable (DATABASE_URL) cannot be reached: ` +
        `connect ECONNREFUSED 127.0.0.1:${port}. ` +
        'Start it with: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
    ]);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toContain('mysql-secret-pw');
  });

  it('gives up within seconds on a Redis or MySQL that accepts connections but never answers', async () => {
    const redis = new URL(TEST_REDIS);
    const hungRedis = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
    const hungMysql = await startTcpProxy({ host: '127.0.0.1', port: 3306 });
    hungRedis.freeze();
    hungMysql.freeze();
    try {
      const started = Date.now();
      const failure = await assertServicesReachable({
        redisUrl: `redis://127.0.0.1:${hungRedis.port}`,
        databaseUrl: `mysql://root@127.0.0.1:${hungMysql.port}/parley_hung`,
      }).catch((error: unknown) => error);
      expect(Date.now() - started).toBeLessThan(REACHABILITY_TIMEOUT_MS + 2_000);
      expect(failure).toBeInstanceOf(ServiceUnreachableError);
      const lines = (failure as Error).message.split('\n');
      expect(lines).toEqual([
        expect.stringMatching(
          new RegExp(`^Redis at redis://127\\.0\\.0\\.1:${hungRedis.port} \\(REDIS_URL\\) cannot be reached`),
        ),
        expect.stringMatching(
          new RegExp(
            `^MySQL at mysql://root@127\\.0\\.0\\.1:${hungMysql.port}/parley_hung \\(DATABASE_URL\\) cannot be reached`,
          ),
        ),
      ]);
    } finally {
      await hungRedis.close();
      await hungMysql.close();
    }
  });

  it('runs when started through a symlinked path instead of exiting 0 silently', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-link-'));
    try {
      symlinkSync(join(ROOT, 'dist'), join(dir, 'dist'));
      const port = await unusedPort();
      // Redis unreachable, so the run ends quickly: what matters is that main() ran at all.
      const environment = testEnvironment({ REDIS_URL: `redis://127.0.0.1:${port}` });
      const run = await runBuiltServer(join(dir, 'dist/server/server/src/main.js'), environment.env);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`Redis at redis://127.0.0.1:${port} (REDIS_URL) cannot be reached`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const CREATE_KEY =
  'mutation($n: String!, $r: Role!) { createApiKey(name: $n, role: $r) { key apiKey { id } } }';
const LAST_USED = '{ apiKeys { id lastUsedAt } }';
const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }';

describe('Redis lost while running', () => {
  let proxy: TcpProxy;
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    const redis = await proxiedRedis();
    proxy = redis.proxy;
    server = await startTestServer({ env: { REDIS_URL: redis.url } });
    token = await login(server.baseUrl, server.adminUsername, server.adminPassword);
  });
  afterAll(async () => {
    await proxy?.restore();
    await server?.stop();
    await proxy?.close();
  });

  it('answers every request within seconds, resumes by itself when Redis returns', async () => {
    const created = await gql<{ createApiKey: { key: string; apiKey: { id: string } } }>(
      server.baseUrl,
      CREATE_KEY,
      { n: 'CRM sync', r: 'ADMIN' },
      { token },
    );
    const { key, apiKey } = created.data!.createApiKey;
    const { client } = wsClient(server.wsUrl, { authorization: `Bearer ${token}` });
    const userEvents = subscribe<{ userChanged: { username: string } }>(
      client,
      'subscription { userChanged { username } }',
    );
    await new Promise((r) => setTimeout(r, 300));

    await proxy.cut();

    // An API key's first use enqueues its lastUsedAt job; the request must not wait on the queue.
    const byKey = await timed(() => gql(server.baseUrl, '{ campaigns { id } }', {}, { apiKey: key }));
    expect(byKey.value.errors).toBeUndefined();
    expect(byKey.value.data).toEqual({ campaigns: [] });
    expect(byKey.ms).toBeLessThan(1_500);

    const me = await timed(() => gql(server.baseUrl, '{ me { username } }', {}, { token }));
    expect(me.value.data).toEqual({ me: { username: server.adminUsername } });
    expect(me.ms).toBeLessThan(1_500);

    // Sign-in needs its Redis throttle: a clean, retryable refusal instead of a hang or a 500.
    const signIn = await timed(() =>
      gql(server.baseUrl, LOGIN, { u: server.adminUsername, p: server.adminPassword }),
    );
    expect(codeOf(signIn.value)).toBe('SERVICE_UNAVAILABLE');
    expect(signIn.value.errors![0].message).toMatch(/Redis/);
    expect(signIn.ms).toBeLessThan(5_000);

    const ready = await timed(() => fetch(`${server.baseUrl}/health/ready`));
    expect(ready.value.status).toBe(503);
    expect(ready.ms).toBeLessThan(5_000);
    const details = ((await ready.value.json()) as { details: Record<string, { status: string }> }).details;
    expect(details.redis.status).toBe('down');
    expect(details.mysql.status).toBe('up');

    await proxy.restore();

    await eventually(async () => (await fetch(`${server.baseUrl}/health/ready`)).status === 200, 15_000);
    expect(await login(server.baseUrl, server.adminUsername, server.adminPassword)).toBeTruthy();
    // The worker is back: the key's next use is recorded.
    await gql(server.baseUrl, '{ campaigns { id } }', {}, { apiKey: key });
    await eventually(async () => {
      const keys = await gql<{ apiKeys: { id: string; lastUsedAt: string | null }[] }>(
        server.baseUrl,
        LAST_USED,
        {},
        { token },
      );
      return keys.data?.apiKeys.find((k) => k.id === apiKey.id)?.lastUsedAt;
    }, 15_000);
    // The PubSub subscriber subscribed again: the socket opened before the outage gets events.
    await createUser(server.baseUrl, token, { username: 'after-outage', role: 'AGENT' });
    expect((await userEvents.next(10_000)).data?.userChanged.username).toBe('after-outage');
    await client.dispose();
  });
  it('answers a write that committed while Redis was away, and announces it once Redis returns', async () => {
    const created = await gql<{ createCampaign: { id: string } }>(
      server.baseUrl,
      'mutation { createCampaign(input: { name: "Before the outage" }) { id } }',
      {},
      { token },
    );
    const id = created.data!.createCampaign.id;
    const { client } = wsClient(server.wsUrl, { authorization: `Bearer ${token}` });
    const changes = subscribe<{ campaignChanged: { id: string; name: string } }>(
      client,
      'subscription { campaignChanged { id name } }',
    );
    await new Promise((r) => setTimeout(r, 300));

    await proxy.cut();
    // The rename commits; its event cannot be published: the answer is still what was stored.
    const renamed = await timed(() =>
      gql(
        server.baseUrl,
        'mutation($id: ID!) { updateCampaign(id: $id, input: { name: "During the outage" }) { name } }',
        { id },
        { token },
      ),
    );
    expect(renamed.value).toEqual({ data: { updateCampaign: { name: 'During the outage' } } });
    expect(renamed.ms).toBeLessThan(3_000);
    const read = await gql(
      server.baseUrl,
      'query($id: ID!) { campaign(id: $id) { name } }',
      { id },
      { token },
    );
    expect(read.data).toEqual({ campaign: { name: 'During the outage' } });

    await proxy.restore();
    // The publish was retried after the outage: the subscriber hears of the rename.
    for (;;) {
      const event = (await changes.next(30_000)).data!.campaignChanged;
      if (event.id === id && event.name === 'During the outage') break;
    }
    await client.dispose();
    await gql(server.baseUrl, 'mutation($id: ID!) { deleteCampaign(id: $id) }', { id }, { token });
  });

  it('answers within seconds while Redis hangs without closing its connections', async () => {
    const created = await gql<{ createApiKey: { key: string } }>(
      server.baseUrl,
      CREATE_KEY,
      { n: 'Reporting', r: 'SUPERVISOR' },
      { token },
    );
    const { key } = created.data!.createApiKey;

    proxy.freeze();

    const byKey = await timed(() => gql(server.baseUrl, '{ campaigns { id } }', {}, { apiKey: key }));
    expect(byKey.value.data).toEqual({ campaigns: [] });
    expect(byKey.ms).toBeLessThan(1_500);
    const signIn = await timed(() =>
      gql(server.baseUrl, LOGIN, { u: server.adminUsername, p: server.adminPassword }),
    );
    expect(codeOf(signIn.value)).toBe('SERVICE_UNAVAILABLE');
    expect(signIn.ms).toBeLessThan(5_000);
    const ready = await timed(() => fetch(`${server.baseUrl}/health/ready`));
    expect(ready.value.status).toBe(503);
    expect(ready.ms).toBeLessThan(5_000);

    proxy.thaw();

    await eventually(async () => (await fetch(`${server.baseUrl}/health/ready`)).status === 200, 15_000);
    expect(await login(server.baseUrl, server.adminUsername, server.adminPassword)).toBeTruthy();
  });
});

describe('a shutdown while Redis is away', () => {
  it('closes within seconds even with a subscription open and commands waiting for Redis', async () => {
    const { proxy, url } = await proxiedRedis();
    const server = await startTestServer({ env: { REDIS_URL: url } });
    try {
      const token = await login(server.baseUrl, server.adminUsername, server.adminPassword);
      const { client } = wsClient(server.wsUrl, { authorization: `Bearer ${token}` });
      subscribe(client, 'subscription { userChanged { username } }');
      await new Promise((r) => setTimeout(r, 300));
      await proxy.cut();
      await gql(server.baseUrl, '{ me { id } }', {}, { token });
      await new Promise((r) => setTimeout(r, 500));

      // What SIGTERM runs (enableShutdownHooks): it used to wait for Redis for ever.
      const closing = await timed(() => server.app.close());
      expect(closing.ms).toBeLessThan(5_000);
    } finally {
      await proxy.restore();
      await server.environment.cleanup();
      await proxy.close();
    }
  });
});

describe('MySQL lost while running', () => {
  it('refuses with a retryable 503 while credentials cannot be checked, and recovers by itself', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 3306 });
    const environment = testEnvironment();
    const database = new URL(environment.databaseUrl);
    database.host = `127.0.0.1:${proxy.port}`;
    const server = await startTestServer({ env: { DATABASE_URL: database.toString() } });
    try {
      const token = await login(server.baseUrl, server.adminUsername, server.adminPassword);
      await proxy.cut();
      // Past the one second a user's access is trusted without reading MySQL.
      await new Promise((r) => setTimeout(r, 1_200));
      const response = await fetch(`${server.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ me { username } }' }),
      });
      expect(response.status).toBe(503);
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
      const { closed } = wsClient(server.wsUrl, { authorization: `Bearer ${token}` });
      expect((await closed).code).toBe(1013);

      await proxy.restore();
      await eventually(async () => {
        const me = await gql<{ me: { username: string } }>(
          server.baseUrl,
          '{ me { username } }',
          {},
          { token },
        );
        return me.data?.me.username === server.adminUsername;
      }, 20_000);
    } finally {
      await proxy.restore();
      await server.stop();
      await proxy.close();
      // The database was named by this test's environment, not the server's own.
      await dropDatabase(environment.databaseUrl);
    }
  });
});
