import { randomBytes } from 'node:crypto';
import { type Connection, createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED, type Simulator, startSimulator } from '../../libs/messenger-simulator/simulator.js';
import { parseDatabaseUrl } from '../../server/src/infrastructure/database/database.js';
import { createCampaign } from '../support/campaigns.js';
import { FACEBOOK_APP_ID } from '../support/facebook.js';
import { eventually, gql, login } from '../support/graphql.js';
import { freePort, type ServerProcess, startServerProcess, stopServerProcess } from '../support/processes.js';
import { testEnvironment, type TestEnvironment } from '../support/server.js';

// A crash between Facebook accepting a message and Parley recording it (docs/messenger.md#sending):
// the server process is killed (SIGKILL) while the Send API call is in flight, after the
// simulator took the message; the restarted server must not send it again, and the echo settles it.

const CONNECT = `mutation($c: ID!, $p: String!, $t: String!) { connectFacebookPage(campaignId: $c, pageId: $p, pageAccessToken: $t) { id } }`;
const BAKERY = SEED.pages.bakery;
const CLOSED_TEXT = 'We are closed; back at nine.';

describe('a crash while a reply is being sent', () => {
  let sim: Simulator;
  let environment: TestEnvironment;
  let server: ServerProcess | undefined;
  let db: Connection;
  let webhookUrl: string;
  let port: number;

  beforeAll(async () => {
    const appSecret = randomBytes(16).toString('hex');
    const verifyToken = randomBytes(8).toString('hex');
    sim = await startSimulator({ port: 0, appId: FACEBOOK_APP_ID, appSecret, verifyToken, seed: 'demo' });
    port = await freePort();
    environment = testEnvironment({
      GRAPH_API_URL: sim.url,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      FACEBOOK_APP_ID,
      FACEBOOK_APP_SECRET: appSecret,
      FACEBOOK_VERIFY_TOKEN: verifyToken,
      // A killed worker's job is taken back within seconds; the echo gets 30 s before a re-send.
      JOB_LOCK_SECONDS: '2',
      OUTBOUND_ECHO_WAIT_SECONDS: '30',
    });
    server = await startServerProcess(environment.env, port);
    const admin = await login(server.baseUrl, environment.env.ADMIN_USERNAME, environment.env.ADMIN_PASSWORD);
    const campaign = await createCampaign(server.baseUrl, admin, {
      name: 'Bakery',
      channel: 'MESSENGER',
      schedule: [],
      afterHoursMessage: CLOSED_TEXT,
    });
    const connected = await gql(
      server.baseUrl,
      CONNECT,
      { c: campaign.id, p: BAKERY.id, t: BAKERY.token },
      { token: admin },
    );
    expect(connected.errors).toBeUndefined();
    webhookUrl = `${server.baseUrl}/webhooks/messenger`;
    sim.configure({ webhookUrl, verifyToken, failuresBeforeUnsubscribe: 10_000, retryDelaysMs: [300] });
    const { database, ...mysql } = parseDatabaseUrl(environment.databaseUrl);
    db = await createConnection({ ...mysql, database });
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    if (server) await stopServerProcess(server.child);
    await sim?.close();
    await environment?.cleanup();
  });

  it('does not send the reply again after a restart; its echo marks it SENT', async () => {
    const ada = SEED.customers.bakery.ada;
    // The simulator takes the message, then the server dies before it hears the answer; the
    // webhooks (the echo) are held back until the restarted server has had its chance to re-send.
    const send = sim.core.send.bind(sim.core);
    let killed = false;
    sim.core.send = (pageId, token, body) => {
      const answer = send(pageId, token, body);
      const message = body.message as { text?: string } | undefined;
      if (!killed && message?.text === CLOSED_TEXT) {
        killed = true;
        sim.configure({ webhookUrl: 'http://127.0.0.1:9/held-back' });
        server!.child.kill('SIGKILL');
      }
      return answer;
    };
    sim.customerWrites(BAKERY.id, ada.psid, { text: 'Are you open?' });
    await eventually(async () => killed, 30_000);
    await stopServerProcess(server!.child);

    server = await startServerProcess(environment.env, port);
    const outbound = async () =>
      (
        await db.query(
          `SELECT m.id, m.status, m.mid, m.sendingSince FROM messages m JOIN contacts c ON c.id = m.contactId
          WHERE c.psid = ? AND m.direction = 'OUTBOUND'`,
          [ada.psid],
        )
      )[0] as { id: string; status: string; mid: string | null; sendingSince: Date | null }[];
    const sends = () => sim.sent(BAKERY.id).filter((s) => s.recipient === ada.psid && s.text === CLOSED_TEXT);
    // The killed job is taken back (JOB_LOCK_SECONDS) and tried again (backoff) several times
    // meanwhile: each finds the claim of the attempt that may have reached Facebook, and waits.
    await new Promise((r) => setTimeout(r, 10_000));
    expect(sends()).toHaveLength(1);
    const [waiting] = await outbound();
    expect(waiting).toMatchObject({ status: 'PENDING', mid: null });
    expect(waiting.sendingSince).toBeInstanceOf(Date);

    sim.configure({ webhookUrl });
    const [settled] = await eventually(async () => {
      const list = await outbound();
      return list.length && list[0].status !== 'PENDING' ? list : null;
    }, 20_000);
    expect(settled.status).toMatch(/^(SENT|DELIVERED|READ)$/);
    expect(settled.mid).toBe(sends()[0].mid);
    await sim.webhooksIdle();
    await new Promise((r) => setTimeout(r, 2_000));
    expect(sends()).toHaveLength(1);
    expect(await outbound()).toHaveLength(1);
  }, 90_000);
});
