import { createConnection } from 'mysql2/promise';
import { MESSENGER_WEBHOOK_FIELDS } from '../../libs/messenger/webhook-fields.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../server/src/infrastructure/database/database.js';
import { JobQueue } from '../../server/src/infrastructure/queues/job-queue.service.js';
import { JobName } from '../../server/src/infrastructure/queues/queue-registry.js';
import { signatureHeaders } from '../../libs/messenger-simulator/simulator.js';
import { createCampaign, readCampaign } from '../support/campaigns.js';
import {
  type FacebookTestBed,
  popupResult,
  runActivationPopup,
  SEED,
  startFacebookTestBed,
} from '../support/facebook.js';
import {
  codeOf,
  createUser,
  DEFAULT_PASSWORD,
  eventually,
  gql,
  login,
  subscribe,
  wsClient,
} from '../support/graphql.js';

const FIELDS =
  'id pageId pageName pageConnectedAt pageConnectedThrough tokenStatus tokenError tokenCheckedAt';
const CONNECT = `mutation($c: ID!, $p: String!, $t: String!) { connectFacebookPage(campaignId: $c, pageId: $p, pageAccessToken: $t) { ${FIELDS} } }`;
const CHECK = `mutation($c: ID!) { checkCampaignToken(campaignId: $c) { ${FIELDS} } }`;
const DISCONNECT = `mutation($c: ID!) { disconnectFacebookPage(campaignId: $c) { ${FIELDS} } }`;
const START = 'mutation($c: ID!) { startFacebookActivation(campaignId: $c) { authorizeUrl expiresAt } }';
const SETTINGS =
  '{ messengerSettings { webhookUrl verifyToken appId graphApiUrl lastWebhookAt lastRejectedWebhookAt } }';

describe('Facebook page connection (against the Messenger simulator)', () => {
  let bed: FacebookTestBed;
  let baseUrl: string;
  let admin: string;
  let counter = 0;

  // Every user token expires within 365 days, so the renewal job takes every popup connection.
  beforeAll(async () => {
    bed = await startFacebookTestBed({ TOKEN_REFRESH_BEFORE_DAYS: '365' });
    baseUrl = bed.server.baseUrl;
    admin = await login(baseUrl, bed.server.adminUsername, bed.server.adminPassword);
  });
  afterAll(() => bed?.stop());

  const newCampaign = (channel = 'MESSENGER') =>
    createCampaign(baseUrl, admin, { name: `Facebook ${++counter}`, channel });

  async function tokenRows(campaignId: string) {
    const { database, ...server } = parseDatabaseUrl(bed.server.environment.databaseUrl);
    const connection = await createConnection({ ...server, database });
    try {
      const [rows] = await connection.query('SELECT * FROM campaign_page_tokens WHERE campaignId = ?', [
        campaignId,
      ]);
      return rows as Record<string, unknown>[];
    } finally {
      await connection.end();
    }
  }

  const runJob = (job: JobName.CheckPageTokens | JobName.RenewUserTokens) =>
    bed.server.app.get(JobQueue).add(job, {});

  const campaignOf = async (id: string) => (await readCampaign(baseUrl, admin, id))!;

  it('activates through the popup: code exchanged, page chosen, ACTIVE with its name, pushed over graphql-ws', async () => {
    const campaign = await newCampaign();
    const { client } = wsClient(bed.server.wsUrl, { authorization: `Bearer ${admin}` });
    const events = subscribe(client, 'subscription { campaignChanged { id tokenStatus pageName pageId } }');
    try {
      const run = await runActivationPopup(bed, admin, campaign.id, { choosePage: SEED.pages.bakery.name });
      expect(run.callback.status).toBe(200);
      expect(run.callback.html).toContain('Connect page');
      expect(run.callback.html).not.toContain('EAA');
      expect(run.result?.status).toBe(200);
      expect(popupResult(run.result!.html)).toEqual({
        outcome: 'connected',
        message: `Connected to ${SEED.pages.bakery.name}`,
        pageName: SEED.pages.bakery.name,
        campaignId: campaign.id,
      });
      expect(run.result!.html).toContain('<script src="/facebook/popup.js"></script>');
      const pushed = await eventually(async () => {
        const event = await events.next();
        return event.data?.campaignChanged?.tokenStatus === 'ACTIVE' ? event : undefined;
      });
      expect(pushed.data?.campaignChanged).toEqual({
        id: campaign.id,
        tokenStatus: 'ACTIVE',
        pageName: SEED.pages.bakery.name,
        pageId: SEED.pages.bakery.id,
      });
    } finally {
      events.dispose();
      await client.dispose();
    }
    const stored = await gql(
      baseUrl,
      `query($id: ID!) { campaign(id: $id) { ${FIELDS} } }`,
      { id: campaign.id },
      { token: admin },
    );
    expect(stored.data?.campaign).toMatchObject({
      pageId: SEED.pages.bakery.id,
      pageName: SEED.pages.bakery.name,
      pageConnectedThrough: 'POPUP',
      tokenStatus: 'ACTIVE',
      tokenError: null,
    });
    expect(stored.data?.campaign.pageConnectedAt).toBeTruthy();
    const page = bed.sim.state().pages.find((p) => p.id === SEED.pages.bakery.id)!;
    expect(page.subscribedFields).toEqual(expect.arrayContaining([...MESSENGER_WEBHOOK_FIELDS]));

    // Secrets at rest: sealed, never the tokens Facebook handed out.
    const [row] = await tokenRows(campaign.id);
    const plain = bed.sim.state().tokens.map((t) => t.token);
    expect(row.pageTokenCiphertext).toMatch(/^v1:/);
    expect(row.userTokenCiphertext).toMatch(/^v1:/);
    expect(row.userTokenExpiresAt).toBeTruthy();
    for (const value of Object.values(row))
      for (const token of plain) expect(String(value)).not.toContain(token);

    const script = await fetch(`${baseUrl}/facebook/popup.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toContain("type: 'parley:facebook-activation'");
  });

  it('refuses a replayed state and a forged one, changing nothing', async () => {
    const campaign = await newCampaign();
    const run = await runActivationPopup(bed, admin, campaign.id, { choosePage: null });
    expect(run.callback.status).toBe(200);
    const again = await fetch(run.callback.url);
    expect(again.status).toBe(400);
    expect(popupResult(await again.text())).toMatchObject({
      outcome: 'failed',
      message: expect.stringMatching(/already used/),
    });
    const forged = await fetch(`${baseUrl}/facebook/callback?code=x&state=eyJjIjoiYSJ9.bad`);
    expect(forged.status).toBe(400);
    // The popup keeps its opener (the console, which allows popups) so popup.js can post the result.
    expect(forged.headers.get('cross-origin-opener-policy')).toBe('unsafe-none');
    expect((await fetch(`${baseUrl}/health`)).headers.get('cross-origin-opener-policy')).toBe(
      'same-origin-allow-popups',
    );
    expect(await forged.text()).toContain('not issued by Parley');
    expect((await campaignOf(campaign.id)).tokenStatus).toBe('NOT_CONNECTED');
  });

  it('names a declined permission and leaves the campaign NOT_CONNECTED', async () => {
    const campaign = await newCampaign();
    const run = await runActivationPopup(bed, admin, campaign.id, { declined: ['pages_messaging'] });
    expect(popupResult(run.callback.html)).toMatchObject({
      outcome: 'declined',
      message: expect.stringMatching(/^You declined pages_messaging; Parley needs it to /),
    });
    expect(run.result).toBeUndefined();
    expect(await campaignOf(campaign.id)).toMatchObject({ tokenStatus: 'NOT_CONNECTED', pageId: null });
  });

  it('refuses the page choice when the admin who started it was deactivated meanwhile', async () => {
    const campaign = await newCampaign();
    const second = await createUser(baseUrl, admin, { username: 'fb-admin-two', role: 'ADMIN' });
    const secondToken = await login(baseUrl, 'fb-admin-two', DEFAULT_PASSWORD);
    const run = await runActivationPopup(bed, secondToken, campaign.id, {
      beforeChoice: async () => {
        const deactivated = await gql(
          baseUrl,
          'mutation($id: ID!) { deactivateUser(id: $id) { id } }',
          { id: second.id },
          { token: admin },
        );
        expect(deactivated.errors).toBeUndefined();
      },
    });
    expect(run.result?.status).toBe(403);
    expect(popupResult(run.result!.html)).toMatchObject({
      outcome: 'failed',
      message: expect.stringContaining('no longer an active admin'),
    });
    expect(await campaignOf(campaign.id)).toMatchObject({ tokenStatus: 'NOT_CONNECTED', pageId: null });
  });

  it('tells a person with no page so, and a cancelled login that nothing changed', async () => {
    const campaign = await newCampaign();
    const none = await runActivationPopup(bed, admin, campaign.id, { person: SEED.persons.sam.id });
    expect(popupResult(none.callback.html)).toMatchObject({
      outcome: 'no-pages',
      message: expect.stringMatching(/^Your Facebook account administers no page/),
    });
    const cancelled = await runActivationPopup(bed, admin, campaign.id, { cancel: true });
    expect(popupResult(cancelled.callback.html).outcome).toBe('cancelled');
    expect((await campaignOf(campaign.id)).tokenStatus).toBe('NOT_CONNECTED');
  });

  it('refuses a bad or expired page token with Facebook’s reason, storing nothing', async () => {
    const campaign = await newCampaign();
    const bad = await gql(
      baseUrl,
      CONNECT,
      { c: campaign.id, p: SEED.pages.bikes.id, t: 'EAAnonsense' },
      { token: admin },
    );
    expect(codeOf(bad)).toBe('FACEBOOK_ERROR');
    expect(bad.errors?.[0].extensions?.facebook).toEqual({ code: 190, subcode: null });
    expect(bad.errors?.[0].message).toMatch(/^Facebook refused the page token: /);
    expect(await campaignOf(campaign.id)).toMatchObject({ tokenStatus: 'NOT_CONNECTED', pageId: null });
    expect(await tokenRows(campaign.id)).toEqual([]);
  });

  it('connects a page token, refuses the same page on a second campaign (CONFLICT), then disconnects', async () => {
    const first = await newCampaign();
    const second = await newCampaign();
    const ok = await gql(
      baseUrl,
      CONNECT,
      { c: first.id, p: SEED.pages.bikes.id, t: SEED.pages.bikes.token },
      { token: admin },
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.connectFacebookPage).toMatchObject({
      pageId: SEED.pages.bikes.id,
      pageName: SEED.pages.bikes.name,
      pageConnectedThrough: 'PAGE_TOKEN',
      tokenStatus: 'ACTIVE',
    });
    const taken = await gql(
      baseUrl,
      CONNECT,
      { c: second.id, p: SEED.pages.bikes.id, t: SEED.pages.bikes.token },
      { token: admin },
    );
    expect(codeOf(taken)).toBe('CONFLICT');
    expect(taken.errors?.[0].message).toContain(`"${first.name}"`);
    expect((await campaignOf(second.id)).pageId).toBeNull();

    const gone = await gql(baseUrl, DISCONNECT, { c: first.id }, { token: admin });
    expect(gone.data?.disconnectFacebookPage).toMatchObject({
      pageId: null,
      pageConnectedAt: null,
      pageConnectedThrough: null,
      tokenStatus: 'NOT_CONNECTED',
    });
    expect(await tokenRows(first.id)).toEqual([]);
    expect(bed.sim.state().pages.find((p) => p.id === SEED.pages.bikes.id)?.subscribed).toBe(false);
    const check = await gql(baseUrl, CHECK, { c: first.id }, { token: admin });
    expect(codeOf(check)).toBe('BAD_USER_INPUT');
  });

  it('lets only admins connect, and admins and supervisors check', async () => {
    const campaign = await newCampaign();
    await createUser(baseUrl, admin, { username: 'fb-agent', role: 'AGENT' });
    await createUser(baseUrl, admin, { username: 'fb-supervisor', role: 'SUPERVISOR' });
    const agent = await login(baseUrl, 'fb-agent', DEFAULT_PASSWORD);
    const supervisor = await login(baseUrl, 'fb-supervisor', DEFAULT_PASSWORD);
    for (const [query, variables] of [
      [START, { c: campaign.id }],
      [CONNECT, { c: campaign.id, p: '1', t: 'x' }],
      [CHECK, { c: campaign.id }],
      [DISCONNECT, { c: campaign.id }],
      [SETTINGS, {}],
    ] as const) {
      expect(codeOf(await gql(baseUrl, query, variables, { token: agent }))).toBe('FORBIDDEN');
    }
    expect(codeOf(await gql(baseUrl, START, { c: campaign.id }, { token: supervisor }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(baseUrl, SETTINGS, {}, { token: supervisor }))).toBe('FORBIDDEN');
    // A supervisor may check (this campaign has no page: the refusal is about that, not the role).
    expect(codeOf(await gql(baseUrl, CHECK, { c: campaign.id }, { token: supervisor }))).toBe(
      'BAD_USER_INPUT',
    );
    const voice = await newCampaign('VOICE');
    expect(codeOf(await gql(baseUrl, START, { c: voice.id }, { token: admin }))).toBe('BAD_USER_INPUT');
  });

  describe('token health job', () => {
    it('marks a campaign INACTIVE with the reason when its token expired, and pushes the change', async () => {
      const campaign = await newCampaign();
      // The bakery is on the popup-activated campaign; this one gets the bikes page through a page token.
      await gql(
        baseUrl,
        CONNECT,
        { c: campaign.id, p: SEED.pages.bikes.id, t: SEED.pages.bikes.token },
        { token: admin },
      );
      expect((await campaignOf(campaign.id)).tokenStatus).toBe('ACTIVE');
      const { client } = wsClient(bed.server.wsUrl, { authorization: `Bearer ${admin}` });
      const events = subscribe(client, 'subscription { campaignChanged { id tokenStatus tokenError } }');
      try {
        await new Promise((r) => setTimeout(r, 200));
        bed.sim.expireToken({ token: SEED.pages.bikes.token });
        await runJob(JobName.CheckPageTokens);
        const inactive = await eventually(async () => {
          const c = await campaignOf(campaign.id);
          return c.tokenStatus === 'INACTIVE' ? c : undefined;
        });
        expect(inactive.tokenError).toBe('the page token has expired (Facebook error 190/463)');
        const pushed = await eventually(async () => {
          const event = await events.next();
          return event.data?.campaignChanged?.tokenStatus === 'INACTIVE' ? event : undefined;
        });
        expect(pushed.data?.campaignChanged).toMatchObject({
          id: campaign.id,
          tokenError: inactive.tokenError,
        });
      } finally {
        events.dispose();
        await client.dispose();
      }
      await gql(baseUrl, DISCONNECT, { c: campaign.id }, { token: admin });
    });

    it('subscribes a page again when its subscription was dropped', async () => {
      const [connected] = (
        await gql<{ campaigns: { id: string; pageId: string | null; tokenStatus: string }[] }>(
          baseUrl,
          '{ campaigns { id pageId tokenStatus } }',
          {},
          { token: admin },
        )
      ).data!.campaigns.filter((c) => c.pageId === SEED.pages.bakery.id);
      expect(connected?.tokenStatus).toBe('ACTIVE');
      bed.sim.dropSubscription(SEED.pages.bakery.id);
      expect(bed.sim.state().pages.find((p) => p.id === SEED.pages.bakery.id)?.subscribed).toBe(false);
      await runJob(JobName.CheckPageTokens);
      await eventually(
        async () => bed.sim.state().pages.find((p) => p.id === SEED.pages.bakery.id)?.subscribed,
      );
      const checked = await gql(baseUrl, CHECK, { c: connected.id }, { token: admin });
      expect(checked.data?.checkCampaignToken).toMatchObject({
        tokenStatus: 'ACTIVE',
        pageName: SEED.pages.bakery.name,
      });
    });
  });

  describe('token renewal job', () => {
    it('exchanges the user token for a fresh one, and sets INACTIVE when Facebook refuses', async () => {
      const { data } = await gql<{ campaigns: { id: string; pageId: string | null }[] }>(
        baseUrl,
        '{ campaigns { id pageId } }',
        {},
        { token: admin },
      );
      const popup = data!.campaigns.find((c) => c.pageId === SEED.pages.bakery.id)!;
      const [before] = await tokenRows(popup.id);
      await runJob(JobName.RenewUserTokens);
      const after = await eventually(async () => {
        const [row] = await tokenRows(popup.id);
        return row.userTokenCiphertext !== before.userTokenCiphertext ? row : undefined;
      });
      expect(after.pageTokenCiphertext).toMatch(/^v1:/);
      expect((await campaignOf(popup.id)).tokenStatus).toBe('ACTIVE');

      // Past the long-lived user token's 60 days: Facebook refuses to renew it.
      bed.sim.advanceClock(61 * 24 * 3600);
      await runJob(JobName.RenewUserTokens);
      const refused = await eventually(async () => {
        const c = await campaignOf(popup.id);
        return c.tokenStatus === 'INACTIVE' ? c : undefined;
      });
      expect(refused.tokenError).toMatch(
        /^Facebook refused to renew the login of the person who connected the page: .*190.*; activate again$/,
      );
    });
  });

  describe('webhook', () => {
    it('answers the verification with the challenge only for the right verify token', async () => {
      const url = (token: string) =>
        `${baseUrl}/webhooks/messenger?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`;
      const ok = await fetch(url(bed.verifyToken));
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await ok.text()).toBe('1158201444');
      expect((await fetch(url('wrong-token'))).status).toBe(403);
    });

    it('accepts a POST signed over its raw bytes and refuses a missing or wrong signature', async () => {
      const body = Buffer.from(
        '{"object":"page","entry":[{"id":"1","time":1,"messaging":[{"message":{"text":"\\u00e9t\\u00e9"}}]}]}',
      );
      const post = (headers: Record<string, string>) =>
        fetch(`${baseUrl}/webhooks/messenger`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
        });
      const settingsBefore = await gql(baseUrl, SETTINGS, {}, { token: admin });
      expect(settingsBefore.data?.messengerSettings).toMatchObject({
        webhookUrl: `${baseUrl}/webhooks/messenger`,
        verifyToken: bed.verifyToken,
        appId: '100000000000001',
        graphApiUrl: `${bed.sim.url}/v25.0`,
        lastWebhookAt: null,
        lastRejectedWebhookAt: null,
      });
      expect((await post(signatureHeaders(body, bed.appSecret))).status).toBe(200);
      expect((await post({})).status).toBe(403);
      expect((await post(signatureHeaders(body, 'another-secret-entirely'))).status).toBe(403);
      const settings = await gql(baseUrl, SETTINGS, {}, { token: admin });
      expect(settings.data?.messengerSettings.lastWebhookAt).toBeTruthy();
      expect(settings.data?.messengerSettings.lastRejectedWebhookAt).toBeTruthy();
      const huge = Buffer.alloc(1024 * 1024 + 10, 'a');
      const tooBig = await fetch(`${baseUrl}/webhooks/messenger`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: huge,
      });
      expect(tooBig.status).toBe(413);
    });
  });
});
