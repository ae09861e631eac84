import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codeOf,
  createApiKey,
  createUser,
  DEFAULT_PASSWORD,
  eventually,
  gql,
  login,
  wsClient,
} from '../support/graphql.js';
import { startServerProcess, stopServerProcess } from '../support/processes.js';
import { startTestServer, type TestServer } from '../support/server.js';

// Presence: what an agent sets, and what their sockets do to it (docs/routing.md#presence).

const SET =
  'mutation($p: Presence!, $r: String) { setPresence(presence: $p, breakReason: $r) { presence breakReason presenceSince } }';
const GRACE_SECONDS = 1;
const HEARTBEAT_SECONDS = 1;

let server: TestServer;
let admin: string;

async function agent(username: string): Promise<string> {
  await createUser(server.baseUrl, admin, { username, role: 'AGENT' });
  return login(server.baseUrl, username, DEFAULT_PASSWORD);
}

async function presenceOf(
  token: string,
): Promise<{ presence: string; breakReason: string | null; presenceSince: string }> {
  return (await gql(server.baseUrl, '{ me { presence breakReason presenceSince } }', {}, { token })).data!.me;
}

/** An open graphql-ws connection of the agent (the agent screen), which presence follows. */
async function connect(token: string, wsUrl = server.wsUrl) {
  const socket = wsClient(wsUrl, { authorization: `Bearer ${token}` });
  // The server publishes socket.connected once the connection is accepted; a query proves it is.
  await new Promise<void>((resolve, reject) =>
    socket.client.subscribe(
      { query: '{ me { id } }' },
      { next: () => undefined, error: reject, complete: resolve },
    ),
  );
  return socket;
}

describe('presence', () => {
  beforeAll(async () => {
    server = await startTestServer({
      env: {
        PRESENCE_GRACE_SECONDS: String(GRACE_SECONDS),
        PRESENCE_HEARTBEAT_SECONDS: String(HEARTBEAT_SECONDS),
      },
    });
    admin = await login(server.baseUrl, server.adminUsername, server.adminPassword);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('sets AVAILABLE, BREAK with a reason, and OFFLINE; refuses a BREAK without a reason or a reason without a BREAK', async () => {
    const token = await agent('presence-ana');
    const before = await presenceOf(token);
    expect(before.presence).toBe('OFFLINE');

    const available = await gql(server.baseUrl, SET, { p: 'AVAILABLE' }, { token });
    expect(available.data?.setPresence).toMatchObject({ presence: 'AVAILABLE', breakReason: null });
    expect(Date.parse(available.data!.setPresence.presenceSince)).toBeGreaterThan(
      Date.parse(before.presenceSince),
    );

    const noReason = await gql(server.baseUrl, SET, { p: 'BREAK' }, { token });
    expect(codeOf(noReason)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(noReason.errors)).toContain('breakReason');
    const stray = await gql(server.baseUrl, SET, { p: 'OFFLINE', r: 'Lunch' }, { token });
    expect(codeOf(stray)).toBe('BAD_USER_INPUT');
    expect((await presenceOf(token)).presence).toBe('AVAILABLE');

    const onBreak = await gql(server.baseUrl, SET, { p: 'BREAK', r: ' Lunch ' }, { token });
    expect(onBreak.data?.setPresence).toMatchObject({ presence: 'BREAK', breakReason: 'Lunch' });

    // The same presence again changes nothing, not even the time since the last change.
    const again = await gql(server.baseUrl, SET, { p: 'BREAK', r: 'Lunch' }, { token });
    expect(again.data?.setPresence.presenceSince).toBe(onBreak.data?.setPresence.presenceSince);
  });

  it('is FORBIDDEN for an API key, which has no presence', async () => {
    const { key } = await createApiKey(server.baseUrl, admin, 'presence-tool', 'AGENT');
    const result = await gql(server.baseUrl, SET, { p: 'AVAILABLE' }, { apiKey: key });
    expect(codeOf(result)).toBe('FORBIDDEN');
  });

  it('goes OFFLINE once the last socket stayed closed past the grace period, not while another is open', async () => {
    const token = await agent('presence-bo');
    await gql(server.baseUrl, SET, { p: 'AVAILABLE' }, { token });
    const first = await connect(token);
    const second = await connect(token);

    await first.client.dispose();
    await new Promise((r) => setTimeout(r, (GRACE_SECONDS + 1) * 1000));
    expect((await presenceOf(token)).presence).toBe('AVAILABLE');

    await second.client.dispose();
    await eventually(async () => (await presenceOf(token)).presence === 'OFFLINE', 10_000);
  });

  it('changes nothing when the agent reconnects within the grace period (a reload)', async () => {
    const token = await agent('presence-cy');
    await gql(server.baseUrl, SET, { p: 'BREAK', r: 'Coffee' }, { token });
    const before = await presenceOf(token);
    const socket = await connect(token);
    await socket.client.dispose();
    const reconnected = await connect(token);
    await new Promise((r) => setTimeout(r, (GRACE_SECONDS + 1.5) * 1000));
    expect(await presenceOf(token)).toEqual(before);
    await reconnected.client.dispose();
  });

  it('goes OFFLINE when the instance holding its only socket crashes, while agents on other instances stay', async () => {
    // A second API instance on the same database and Redis, killed without a chance to say goodbye.
    const doomed = await startServerProcess({ ...server.environment.env, ROLE: 'api' });
    const wsUrl = `${doomed.baseUrl.replace('http', 'ws')}/graphql`;
    const stranded = await agent('presence-di');
    const elsewhere = await agent('presence-ed');
    const both = await agent('presence-fa');
    for (const token of [stranded, elsewhere, both]) {
      await gql(server.baseUrl, SET, { p: 'AVAILABLE' }, { token });
    }
    const sockets = [
      await connect(stranded, wsUrl),
      await connect(elsewhere),
      await connect(both, wsUrl),
      await connect(both),
    ];

    await stopServerProcess(doomed.child, 'SIGKILL');
    // Three missed heartbeats, one sweep, the grace job: a few seconds, not the day the sets live.
    await eventually(async () => (await presenceOf(stranded)).presence === 'OFFLINE', 15_000);
    expect((await presenceOf(elsewhere)).presence).toBe('AVAILABLE');
    expect((await presenceOf(both)).presence).toBe('AVAILABLE');
    for (const socket of sockets) await socket.client.dispose();
  });
});
