import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CAMPAIGN_FIELDS,
  type CampaignView,
  createCampaign,
  listCampaigns,
  readCampaign,
  storeClosedInteraction,
} from '../support/campaigns.js';
import {
  codeOf,
  createApiKey,
  createUser,
  gql,
  type GqlResult,
  login,
  subscribe,
  wsClient,
} from '../support/graphql.js';
import { DemoDataService } from '../../server/src/demo/demo-data.service.js';
import { startTestServer, type TestServer } from '../support/server.js';

const UPDATE = `mutation($id: ID!, $input: CampaignInput!) { updateCampaign(id: $id, input: $input) { ${CAMPAIGN_FIELDS} } }`;
const CREATE = `mutation($input: CampaignInput!) { createCampaign(input: $input) { id } }`;
const DELETE = 'mutation($id: ID!) { deleteCampaign(id: $id) }';
const ADD_MEMBERS =
  'mutation($c: [ID!]!, $u: [ID!]!) { addCampaignMembers(campaignIds: $c, userIds: $u) { id } }';
const CAMPAIGN_CHANGED =
  'subscription { campaignChanged { id name enabled deleted cannedResponses { title } } }';

const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI'];
const FULL_INPUT = {
  name: 'Full campaign',
  channel: 'MESSENGER',
  enabled: false,
  serviceLevelTarget: 90,
  pageName: 'Acme Store',
  strategy: 'LINEAR',
  timezone: 'America/Montevideo',
  schedule: [
    { days: WEEKDAYS, from: '08:30', to: '12:00' },
    { days: ['SAT'], from: '10:00', to: '24:00' },
  ],
  thresholds: { serviceLevelSeconds: 20, dropoutSeconds: 120, chatTimeSeconds: 600, acdMaxWaiting: 5 },
  maxInteractionsPerAgent: 7,
  afterHoursMessage: 'We are closed',
  announceQueuePosition: true,
  cannedResponses: [
    { title: 'Greeting', text: 'Hello!' },
    { title: 'Bye', text: 'Goodbye!' },
  ],
};

/** Every validation error the issue lists, as the part of the input that causes it. */
const INVALID: [string, Record<string, unknown>, string, RegExp][] = [
  ['a blank name', { name: '   ' }, 'name', /^name: must be 1 to 100 characters/],
  ['a name over 100 characters', { name: 'x'.repeat(101) }, 'name', /^name: must be 1 to 100/],
  [
    'an unknown time zone',
    { timezone: 'Mars/Olympus' },
    'timezone',
    /^timezone: "Mars\/Olympus" is not a known IANA/,
  ],
  [
    'an hour of 25',
    { schedule: [{ days: ['MON'], from: '25:00', to: '24:00' }] },
    'schedule[0].from',
    /^schedule\[0\]\.from: "25:00" is not a time/,
  ],
  [
    'from after to',
    {
      schedule: [
        { days: ['MON'], from: '09:00', to: '18:00' },
        { days: ['TUE'], from: '18:00', to: '09:00' },
      ],
    },
    'schedule[1].to',
    /^schedule\[1\]\.to: must be after from \(18:00\)/,
  ],
  ['max interactions of 0', { maxInteractionsPerAgent: 0 }, 'maxInteractionsPerAgent', /between 1 and 50/],
  ['max interactions of 51', { maxInteractionsPerAgent: 51 }, 'maxInteractionsPerAgent', /between 1 and 50/],
  [
    'a negative threshold',
    { thresholds: { serviceLevelSeconds: 30, dropoutSeconds: -1, chatTimeSeconds: 900, acdMaxWaiting: 10 } },
    'thresholds.dropoutSeconds',
    /^thresholds\.dropoutSeconds: must be a whole number, 0 or more/,
  ],
  ['a service level target of 101', { serviceLevelTarget: 101 }, 'serviceLevelTarget', /between 0 and 100/],
  ['a service level target of -1', { serviceLevelTarget: -1 }, 'serviceLevelTarget', /between 0 and 100/],
  [
    'an after-hours message over 2000',
    { afterHoursMessage: 'x'.repeat(2001) },
    'afterHoursMessage',
    /at most 2000/,
  ],
  [
    'a null announceQueuePosition',
    { announceQueuePosition: null },
    'announceQueuePosition',
    /^announceQueuePosition: cannot be null/,
  ],
  [
    'a canned response without title',
    {
      cannedResponses: [
        { title: 'ok', text: 'ok' },
        { title: ' ', text: 'ok' },
      ],
    },
    'cannedResponses[1].title',
    /^cannedResponses\[1\]\.title: must be 1 to 100/,
  ],
  [
    'a canned title over 100',
    { cannedResponses: [{ title: 't'.repeat(101), text: 'ok' }] },
    'cannedResponses[0].title',
    /must be 1 to 100/,
  ],
  [
    'a canned text over 2000',
    { cannedResponses: [{ title: 'ok', text: 'x'.repeat(2001) }] },
    'cannedResponses[0].text',
    /^cannedResponses\[0\]\.text: must be 1 to 2000/,
  ],
  [
    'more than 100 canned responses',
    { cannedResponses: Array.from({ length: 101 }, (_, i) => ({ title: `t${i}`, text: 'x' })) },
    'cannedResponses',
    /^cannedResponses: must have at most 100/,
  ],
];

/** The whole state, minus the clock-dependent isOpenNow. */
const withoutClock = (campaigns: CampaignView[]) => campaigns.map(({ isOpenNow: _open, ...rest }) => rest);

function expectBadInput(result: GqlResult<unknown>, field: string, message: RegExp) {
  expect(result.data).toBeNull();
  expect(codeOf(result)).toBe('BAD_USER_INPUT');
  expect(result.errors![0].message).toMatch(message);
  expect(result.errors![0].message.startsWith(`${field}: `)).toBe(true);
  expect(result.errors![0].extensions!.field).toBe(field);
}

describe('campaigns', () => {
  let server: TestServer;
  let admin: string;
  let supervisor: string;
  let agent: { id: string; token: string };
  let dataSource: DataSource;

  const snapshot = async () => withoutClock(await listCampaigns(server.baseUrl, admin));

  beforeAll(async () => {
    server = await startTestServer();
    dataSource = server.app.get(DataSource);
    admin = await login(server.baseUrl, server.adminUsername, server.adminPassword);
    await createUser(server.baseUrl, admin, { username: 'sofia', role: 'SUPERVISOR' });
    supervisor = await login(server.baseUrl, 'sofia', 'velvet-otter-93');
    const ana = await createUser(server.baseUrl, admin, { username: 'ana', role: 'AGENT' });
    agent = { id: ana.id, token: await login(server.baseUrl, 'ana', 'velvet-otter-93') };
  });
  afterAll(() => server?.stop());

  describe('createCampaign', () => {
    it('fills every omitted field with its default', async () => {
      const created = await createCampaign(server.baseUrl, admin, { name: '  Defaults  ' });
      expect(created).toEqual({
        id: expect.any(String),
        name: 'Defaults',
        channel: 'MESSENGER',
        enabled: true,
        serviceLevelTarget: 80,
        pageName: null,
        pageId: null,
        strategy: 'RRMEMORY',
        timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        schedule: [{ days: WEEKDAYS, from: '09:00', to: '18:00' }],
        isOpenNow: expect.any(Boolean),
        thresholds: { serviceLevelSeconds: 30, dropoutSeconds: 300, chatTimeSeconds: 900, acdMaxWaiting: 10 },
        maxInteractionsPerAgent: 3,
        afterHoursMessage: null,
        announceQueuePosition: false,
        cannedResponses: [],
        tokenStatus: 'NOT_CONNECTED',
        tokenCheckedAt: null,
        tokenError: null,
        deleted: false,
        members: [],
      });
    });

    it('keeps every field given, and reads back the same', async () => {
      const created = await createCampaign(server.baseUrl, admin, FULL_INPUT);
      const { cannedResponses, ...settings } = FULL_INPUT;
      expect(created).toMatchObject(settings);
      expect(created.cannedResponses.map(({ title, text }) => ({ title, text }))).toEqual(cannedResponses);
      expect(withoutClock([(await readCampaign(server.baseUrl, admin, created.id))!])).toEqual(
        withoutClock([created]),
      );
    });

    it('requires a name', async () => {
      const before = await snapshot();
      expectBadInput(
        await gql(server.baseUrl, CREATE, { input: {} }, { token: admin }),
        'name',
        /^name: is required$/,
      );
      expectBadInput(
        await gql(server.baseUrl, CREATE, { input: { name: null, enabled: true } }, { token: admin }),
        'name',
        /^name: is required$/,
      );
      expect(await snapshot()).toEqual(before);
    });

    it.each(INVALID)(
      'refuses %s, naming the field, and saves nothing',
      async (_case, bad, field, message) => {
        const before = await snapshot();
        const result = await gql(
          server.baseUrl,
          CREATE,
          { input: { ...FULL_INPUT, name: 'Refused', ...bad } },
          { token: admin },
        );
        expectBadInput(result, field, message);
        expect(await snapshot()).toEqual(before);
      },
    );

    it('reports several problems at once, each with its field', async () => {
      const result = await gql(
        server.baseUrl,
        CREATE,
        { input: { name: 'Several', timezone: 'Nowhere/City', maxInteractionsPerAgent: 99 } },
        { token: admin },
      );
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
      expect(result.errors![0].message).toMatch(/^timezone: .*; maxInteractionsPerAgent: /);
      expect(result.errors![0].extensions!.problems).toEqual([
        { field: 'timezone', problem: expect.any(String) },
        { field: 'maxInteractionsPerAgent', problem: 'must be between 1 and 50' },
      ]);
    });

    it('refuses a duplicate name, whatever its case, keeping the first', async () => {
      await createCampaign(server.baseUrl, admin, { name: 'Unique name', afterHoursMessage: 'first' });
      const before = await snapshot();
      const result = await gql(
        server.baseUrl,
        CREATE,
        { input: { name: 'unique NAME', cannedResponses: [{ title: 'a', text: 'b' }] } },
        { token: admin },
      );
      expectBadInput(result, 'name', /^name: "unique NAME" is already used by another campaign$/);
      expect(await snapshot()).toEqual(before);
    });

    it('lets the unique index decide between concurrent creates of one name', async () => {
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          gql(server.baseUrl, CREATE, { input: { name: 'Race' } }, { token: admin }),
        ),
      );
      expect(results.filter((r) => !r.errors)).toHaveLength(1);
      expect(results.filter((r) => codeOf(r) === 'BAD_USER_INPUT')).toHaveLength(4);
      expect((await listCampaigns(server.baseUrl, admin)).filter((c) => c.name === 'Race')).toHaveLength(1);
    });

    it('refuses an unknown strategy or channel before any resolver runs', async () => {
      for (const [field, value] of [
        ['strategy', 'FASTEST'],
        ['channel', 'SMS'],
      ]) {
        const result = await gql(
          server.baseUrl,
          CREATE,
          { input: { name: 'x', [field]: value } },
          { token: admin },
        );
        expect(codeOf(result)).toBe('BAD_USER_INPUT');
        expect(result.errors![0].message).toContain(value);
      }
    });
  });

  describe('updateCampaign', () => {
    let campaign: CampaignView;

    beforeAll(async () => {
      campaign = await createCampaign(server.baseUrl, admin, { ...FULL_INPUT, name: 'To update' });
    });

    const update = (input: Record<string, unknown>, id = campaign.id) =>
      gql<{ updateCampaign: CampaignView }>(server.baseUrl, UPDATE, { id, input }, { token: admin });

    it('changes only the fields given', async () => {
      const before = (await readCampaign(server.baseUrl, admin, campaign.id))!;
      const thresholds = {
        serviceLevelSeconds: 0,
        dropoutSeconds: 60,
        chatTimeSeconds: 1200,
        acdMaxWaiting: 0,
      };
      const result = await update({
        enabled: true,
        serviceLevelTarget: 50,
        thresholds,
        timezone: 'europe/madrid',
        announceQueuePosition: false,
      });
      expect(result.errors).toBeUndefined();
      const after = result.data!.updateCampaign;
      expect(withoutClock([after])).toEqual(
        withoutClock([
          {
            ...before,
            enabled: true,
            serviceLevelTarget: 50,
            thresholds,
            timezone: 'Europe/Madrid',
            announceQueuePosition: false,
          },
        ]),
      );
    });

    it('replaces the whole schedule and canned-response list when given, and clears optional texts with null', async () => {
      const result = await update({
        schedule: [{ days: ['SUN'], from: '00:00', to: '24:00' }],
        cannedResponses: [{ title: ' Only ', text: ' One ' }],
        afterHoursMessage: null,
        pageName: '  ',
      });
      expect(result.errors).toBeUndefined();
      const after = result.data!.updateCampaign;
      expect(after.schedule).toEqual([{ days: ['SUN'], from: '00:00', to: '24:00' }]);
      expect(after.cannedResponses).toEqual([{ id: expect.any(String), title: 'Only', text: 'One' }]);
      expect(after.afterHoursMessage).toBeNull();
      expect(after.pageName).toBeNull();
      expect(after.timezone).toBe('Europe/Madrid');

      // An omitted list stays; an empty list empties it (never open).
      const kept = await update({ name: 'To update' });
      expect(kept.data!.updateCampaign.cannedResponses).toEqual(after.cannedResponses);
      const emptied = await update({ schedule: [], cannedResponses: [] });
      expect(emptied.data!.updateCampaign).toMatchObject({
        schedule: [],
        cannedResponses: [],
        isOpenNow: false,
      });
    });

    it.each(INVALID)(
      'refuses %s, naming the field, and changes nothing',
      async (_case, bad, field, message) => {
        const before = await snapshot();
        // Valid replacements ride along: they must not be half-saved.
        const result = await update({
          enabled: false,
          cannedResponses: [{ title: 'new', text: 'new' }],
          ...bad,
        });
        expectBadInput(result, field, message);
        expect(await snapshot()).toEqual(before);
      },
    );

    it('refuses a name another campaign uses, and changes nothing', async () => {
      await createCampaign(server.baseUrl, admin, { name: 'Taken' });
      const before = await snapshot();
      const result = await update({
        name: 'Taken',
        enabled: true,
        cannedResponses: [{ title: 'x', text: 'y' }],
      });
      expectBadInput(result, 'name', /^name: "Taken" is already used by another campaign$/);
      expect(await snapshot()).toEqual(before);
    });

    it('refuses to null a required field or to change the channel', async () => {
      const before = await snapshot();
      expectBadInput(await update({ name: null }), 'name', /^name: is required$/);
      expectBadInput(await update({ strategy: null }), 'strategy', /^strategy: cannot be null/);
      expectBadInput(
        await update({ channel: 'VOICE' }),
        'channel',
        /^channel: cannot change once the campaign exists/,
      );
      expect(await snapshot()).toEqual(before);
      expect((await update({ channel: 'MESSENGER' })).errors).toBeUndefined();
    });

    it('answers NOT_FOUND for an unknown campaign', async () => {
      const id = randomUUID();
      const result = await update({ enabled: true }, id);
      expect(codeOf(result)).toBe('NOT_FOUND');
      expect(result.errors![0].message).toContain(id);
    });
  });

  describe('canned responses on their own', () => {
    it('adds one last, edits it and removes it', async () => {
      const campaign = await createCampaign(server.baseUrl, admin, {
        name: 'Canned',
        cannedResponses: [{ title: 'First', text: '1' }],
      });
      const added = await gql(
        server.baseUrl,
        'mutation($c: ID!, $i: CannedResponseInput!) { addCannedResponse(campaignId: $c, input: $i) { cannedResponses { id title text } } }',
        { c: campaign.id, i: { title: ' Second ', text: '2' } },
        { token: admin },
      );
      const list = added.data!.addCannedResponse.cannedResponses as { id: string; title: string }[];
      expect(list.map((r) => r.title)).toEqual(['First', 'Second']);

      const edited = await gql(
        server.baseUrl,
        'mutation($id: ID!, $i: CannedResponseInput!) { updateCannedResponse(id: $id, input: $i) { cannedResponses { title text } } }',
        { id: list[1].id, i: { title: 'Second!', text: 'two' } },
        { token: admin },
      );
      expect(edited.data!.updateCannedResponse.cannedResponses).toEqual([
        { title: 'First', text: '1' },
        { title: 'Second!', text: 'two' },
      ]);

      const bad = await gql(
        server.baseUrl,
        'mutation($id: ID!, $i: CannedResponseInput!) { updateCannedResponse(id: $id, input: $i) { id } }',
        { id: list[1].id, i: { title: '', text: 'two' } },
        { token: admin },
      );
      expectBadInput(bad, 'title', /^title: must be 1 to 100/);

      const removed = await gql(
        server.baseUrl,
        'mutation($id: ID!) { removeCannedResponse(id: $id) { cannedResponses { title } } }',
        { id: list[0].id },
        { token: admin },
      );
      expect(removed.data!.removeCannedResponse.cannedResponses).toEqual([{ title: 'Second!' }]);
      const again = await gql(
        server.baseUrl,
        'mutation($id: ID!) { removeCannedResponse(id: $id) { id } }',
        { id: list[0].id },
        { token: admin },
      );
      expect(codeOf(again)).toBe('NOT_FOUND');
    });
  });

  describe('deleteCampaign', () => {
    it('deletes a campaign with its canned responses and members', async () => {
      const campaign = await createCampaign(server.baseUrl, admin, {
        name: 'Short-lived',
        cannedResponses: [{ title: 'a', text: 'b' }],
      });
      expect(
        (await gql(server.baseUrl, ADD_MEMBERS, { c: [campaign.id], u: [agent.id] }, { token: admin }))
          .errors,
      ).toBeUndefined();
      expect((await gql(server.baseUrl, DELETE, { id: campaign.id }, { token: admin })).data).toEqual({
        deleteCampaign: true,
      });
      expect(await readCampaign(server.baseUrl, admin, campaign.id)).toBeNull();
      const [{ n }] = await dataSource.query(
        'SELECT (SELECT COUNT(*) FROM canned_responses WHERE campaignId = ?) + (SELECT COUNT(*) FROM campaign_members WHERE campaignId = ?) AS n',
        [campaign.id, campaign.id],
      );
      expect(Number(n)).toBe(0);
      expect(codeOf(await gql(server.baseUrl, DELETE, { id: campaign.id }, { token: admin }))).toBe(
        'NOT_FOUND',
      );
    });

    it('refuses to delete a campaign with interactions, saying to disable it instead', async () => {
      const campaign = await createCampaign(server.baseUrl, admin, { name: 'With history' });
      await storeClosedInteraction(dataSource, campaign.id);
      const before = await snapshot();
      const result = await gql(server.baseUrl, DELETE, { id: campaign.id }, { token: admin });
      expect(result.data).toBeNull();
      expect(codeOf(result)).toBe('CONFLICT');
      expect(result.errors![0].message).toMatch(/has interactions .* disable it instead/);
      expect(await snapshot()).toEqual(before);
      // Disabling is the way out.
      const disabled = await gql(
        server.baseUrl,
        UPDATE,
        { id: campaign.id, input: { enabled: false } },
        { token: admin },
      );
      expect(disabled.data!.updateCampaign.enabled).toBe(false);
    });
  });

  describe('reading', () => {
    let voice: CampaignView;
    let mine: CampaignView;

    beforeAll(async () => {
      voice = await createCampaign(server.baseUrl, admin, { name: 'Voice only', channel: 'VOICE' });
      mine = await createCampaign(server.baseUrl, admin, {
        name: 'Ana works here',
        cannedResponses: [{ title: 'Hi', text: 'Hello' }],
      });
      await createUser(server.baseUrl, admin, { username: 'bruno', role: 'AGENT' });
      const users = await gql<{ users: { id: string; username: string }[] }>(
        server.baseUrl,
        '{ users(role: AGENT) { id username } }',
        {},
        { token: admin },
      );
      const bruno = users.data!.users.find((u) => u.username === 'bruno')!;
      await gql(server.baseUrl, ADD_MEMBERS, { c: [mine.id], u: [agent.id, bruno.id] }, { token: admin });
    });

    it('lists by name for admins and supervisors, filtered by channel', async () => {
      for (const token of [admin, supervisor]) {
        const all = await gql<{ campaigns: { name: string }[] }>(
          server.baseUrl,
          '{ campaigns { name } }',
          {},
          { token },
        );
        const names = all.data!.campaigns.map((c) => c.name);
        expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })));
        expect(names).toEqual(expect.arrayContaining(['Voice only', 'Ana works here']));
        const voiceOnly = await gql<{ campaigns: { name: string; channel: string }[] }>(
          server.baseUrl,
          '{ campaigns(channel: VOICE) { name channel } }',
          {},
          { token },
        );
        expect(voiceOnly.data!.campaigns).toEqual([{ name: 'Voice only', channel: 'VOICE' }]);
      }
    });

    it('shows an agent only their campaigns, their canned responses and their own membership', async () => {
      const result = await gql<{ campaigns: CampaignView[] }>(
        server.baseUrl,
        '{ campaigns { id name cannedResponses { title text } members { user { username } position } } }',
        {},
        { token: agent.token },
      );
      expect(result.data!.campaigns).toEqual([
        {
          id: mine.id,
          name: 'Ana works here',
          cannedResponses: [{ title: 'Hi', text: 'Hello' }],
          members: [{ user: { username: 'ana' }, position: 1 }],
        },
      ]);
      const other = await gql(
        server.baseUrl,
        'query($id: ID!) { campaign(id: $id) { id } }',
        { id: voice.id },
        { token: agent.token },
      );
      expect(other.errors).toBeUndefined();
      expect(other.data!.campaign).toBeNull();
    });

    it('shows an AGENT API key no campaign', async () => {
      const apiKey = (await createApiKey(server.baseUrl, admin, 'bot', 'AGENT')).key;
      expect((await gql(server.baseUrl, '{ campaigns { id } }', {}, { apiKey })).data).toEqual({
        campaigns: [],
      });
      expect(
        (
          await gql(
            server.baseUrl,
            'query($id: ID!) { campaign(id: $id) { id } }',
            { id: mine.id },
            { apiKey },
          )
        ).data,
      ).toEqual({
        campaign: null,
      });
    });

    it('answers null for an unknown id', async () => {
      expect(await readCampaign(server.baseUrl, admin, randomUUID())).toBeNull();
    });

    it('computes isOpenNow from the schedule in the campaign zone', async () => {
      const always = await createCampaign(server.baseUrl, admin, {
        name: 'Always open',
        timezone: 'Europe/Madrid',
        schedule: [{ days: [...WEEKDAYS, 'SAT', 'SUN'], from: '00:00', to: '24:00' }],
      });
      const never = await createCampaign(server.baseUrl, admin, { name: 'Never open', schedule: [] });
      expect(always.isOpenNow).toBe(true);
      expect(never.isOpenNow).toBe(false);
    });
  });

  describe('campaignChanged', () => {
    it('reaches an admin socket on create, update and delete (the last with deleted: true)', async () => {
      const { client } = wsClient(server.wsUrl, { authorization: `Bearer ${admin}` });
      const events = subscribe(client, CAMPAIGN_CHANGED);
      await new Promise((r) => setTimeout(r, 300));

      const created = await createCampaign(server.baseUrl, admin, {
        name: 'Pushed',
        cannedResponses: [{ title: 'x', text: 'y' }],
      });
      expect((await events.next()).data).toEqual({
        campaignChanged: {
          id: created.id,
          name: 'Pushed',
          enabled: true,
          deleted: false,
          cannedResponses: [{ title: 'x' }],
        },
      });
      await gql(server.baseUrl, UPDATE, { id: created.id, input: { enabled: false } }, { token: admin });
      expect((await events.next()).data).toMatchObject({
        campaignChanged: { id: created.id, enabled: false, deleted: false },
      });
      await gql(server.baseUrl, DELETE, { id: created.id }, { token: admin });
      expect((await events.next()).data).toEqual({
        campaignChanged: {
          id: created.id,
          name: 'Pushed',
          enabled: false,
          deleted: true,
          cannedResponses: [{ title: 'x' }],
        },
      });
      await client.dispose();
    });

    it('reaches a supervisor and is refused for an agent', async () => {
      const sup = wsClient(server.wsUrl, { authorization: `Bearer ${supervisor}` });
      const supEvents = subscribe(sup.client, CAMPAIGN_CHANGED);
      const ag = wsClient(server.wsUrl, { authorization: `Bearer ${agent.token}` });
      const agEvents = subscribe(ag.client, CAMPAIGN_CHANGED);
      await new Promise((r) => setTimeout(r, 300));
      await createCampaign(server.baseUrl, admin, { name: 'Seen by supervisors' });
      expect((await supEvents.next()).data).toMatchObject({
        campaignChanged: { name: 'Seen by supervisors' },
      });
      const refused = await agEvents.next().catch(() => undefined);
      const code =
        refused?.errors?.[0]?.extensions?.code ??
        (agEvents.failure as { extensions?: { code?: string } }[])?.[0]?.extensions?.code;
      expect(code).toBe('FORBIDDEN');
      await sup.client.dispose();
      await ag.client.dispose();
    });
  });

  describe('demo data', () => {
    let demo: TestServer;

    beforeAll(async () => {
      demo = await startTestServer({ env: { DEMO_DATA: 'true' } });
    });
    afterAll(() => demo?.stop());

    it('adds a Messenger and a VOICE campaign, with agent2 in no VOICE campaign, once', async () => {
      const token = await login(demo.baseUrl, demo.adminUsername, demo.adminPassword);
      const summary = async () =>
        (await listCampaigns(demo.baseUrl, token)).map((c) => ({
          name: c.name,
          channel: c.channel,
          ranges: c.schedule.length,
          openNow: c.isOpenNow,
          canned: c.cannedResponses.map((r) => r.title),
          members: c.members.map((m) => `${m.user.username}:${m.receivesInteractions}`),
        }));
      const expected = [
        {
          name: 'Support',
          channel: 'MESSENGER',
          // Open around the clock, so the demo routes whenever it is tried.
          ranges: 1,
          openNow: true,
          canned: ['Greeting', 'Closing'],
          members: ['agent1:true', 'agent2:false'],
        },
        {
          name: 'Voice team',
          channel: 'VOICE',
          ranges: 1,
          openNow: expect.any(Boolean),
          canned: [],
          members: ['agent1:true'],
        },
      ];
      expect(await summary()).toEqual(expected);

      // A later start finds campaigns and leaves them alone, even after the admin changed them.
      const support = (await listCampaigns(demo.baseUrl, token)).find((c) => c.name === 'Support')!;
      await gql(demo.baseUrl, DELETE, { id: support.id }, { token });
      await demo.app.get(DemoDataService).onApplicationBootstrap();
      expect(await summary()).toEqual([expected[1]]);
    });
  });
});
