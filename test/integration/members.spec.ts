import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CampaignView, createCampaign, listCampaigns, readCampaign } from '../support/campaigns.js';
import {
  codeOf,
  createApiKey,
  createUser,
  type Credentials,
  gql,
  type GqlResult,
  login,
  subscribe,
  wsClient,
} from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ADD = `mutation($c: [ID!]!, $u: [ID!]!) {
  addCampaignMembers(campaignIds: $c, userIds: $u) { id members { position penalty receivesInteractions user { username } } }
}`;
const REMOVE = `mutation($c: [ID!]!, $u: [ID!]!) {
  removeCampaignMembers(campaignIds: $c, userIds: $u) { id members { position user { username } } }
}`;
const UPDATE_MEMBER = `mutation($c: ID!, $u: ID!, $penalty: Int, $position: Int) {
  updateCampaignMember(campaignId: $c, userId: $u, penalty: $penalty, position: $position) {
    campaignId penalty position receivesInteractions user { id username }
  }
}`;
const DEACTIVATE = 'mutation($id: ID!) { deactivateUser(id: $id) { id active presence } }';
const REACTIVATE = 'mutation($id: ID!) { reactivateUser(id: $id) { id active } }';
const RESET_PASSWORD = 'mutation($id: ID!, $p: String!) { resetUserPassword(id: $id, password: $p) { id } }';
const ME = '{ me { id } }';

type Member = {
  position: number;
  penalty: number;
  receivesInteractions: boolean;
  user: { username: string };
};

describe('members and users', () => {
  let server: TestServer;
  let admin: string;
  let adminId: string;
  let supervisor: string;
  let counter = 0;

  /** A fresh agent (or other role) with a known password. */
  const newUser = async (role = 'AGENT', prefix = role.toLowerCase()) => {
    const username = `${prefix}${++counter}`;
    const user = await createUser(server.baseUrl, admin, { username, role, password: 'velvet-otter-93' });
    return { id: user.id, username };
  };
  const newCampaign = (input: Record<string, unknown> = {}) =>
    createCampaign(server.baseUrl, admin, { name: `Campaign ${++counter}`, ...input });
  const membersOf = async (id: string) =>
    ((await readCampaign(server.baseUrl, admin, id))!.members as Member[]).map((m) => [
      m.user.username,
      m.position,
      m.penalty,
    ]);

  beforeAll(async () => {
    server = await startTestServer();
    admin = await login(server.baseUrl, server.adminUsername, server.adminPassword);
    adminId = (await gql(server.baseUrl, ME, {}, { token: admin })).data!.me.id;
    const sup = await newUser('SUPERVISOR');
    supervisor = await login(server.baseUrl, sup.username, 'velvet-otter-93');
  });
  afterAll(() => server?.stop());

  describe('addCampaignMembers', () => {
    it('adds several agents to several campaigns at once, last in the order given', async () => {
      const [a, b, c] = [await newUser(), await newUser(), await newUser()];
      const one = await newCampaign();
      const two = await newCampaign();
      await gql(server.baseUrl, ADD, { c: [two.id], u: [c.id] }, { token: admin });

      const result = await gql(
        server.baseUrl,
        ADD,
        { c: [one.id, two.id], u: [b.id, a.id] },
        { token: supervisor },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.addCampaignMembers.map((x: CampaignView) => x.id)).toEqual([one.id, two.id]);
      expect(await membersOf(one.id)).toEqual([
        [b.username, 1, 0],
        [a.username, 2, 0],
      ]);
      expect(await membersOf(two.id)).toEqual([
        [c.username, 1, 0],
        [b.username, 2, 0],
        [a.username, 3, 0],
      ]);
    });

    it('is idempotent: adding existing members changes nothing and adds only the new', async () => {
      const [a, b] = [await newUser(), await newUser()];
      const campaign = await newCampaign();
      await gql(server.baseUrl, ADD, { c: [campaign.id], u: [a.id] }, { token: admin });
      await gql(server.baseUrl, UPDATE_MEMBER, { c: campaign.id, u: a.id, penalty: 40 }, { token: admin });
      const again = await gql(
        server.baseUrl,
        ADD,
        { c: [campaign.id, campaign.id], u: [a.id, b.id, a.id] },
        { token: admin },
      );
      expect(again.errors).toBeUndefined();
      expect(await membersOf(campaign.id)).toEqual([
        [a.username, 1, 40],
        [b.username, 2, 0],
      ]);
    });

    it('refuses users who are not active agents, naming them, and writes nothing', async () => {
      const agent = await newUser();
      const sup = await newUser('SUPERVISOR');
      const gone = await newUser();
      await gql(server.baseUrl, DEACTIVATE, { id: gone.id }, { token: admin });
      const campaign = await newCampaign();
      for (const [user, message] of [
        [sup, `userIds: "${sup.username}" is SUPERVISOR; only agents can be campaign members`],
        [
          { id: adminId, username: 'admin' },
          'userIds: "admin" is ADMIN; only agents can be campaign members',
        ],
        [gone, `userIds: "${gone.username}" is deactivated; reactivate them first`],
      ] as const) {
        const result = await gql(
          server.baseUrl,
          ADD,
          { c: [campaign.id], u: [agent.id, user.id] },
          { token: admin },
        );
        expect(codeOf(result)).toBe('BAD_USER_INPUT');
        expect(result.errors![0].message).toBe(message);
        expect(result.errors![0].extensions!.field).toBe('userIds');
      }
      expect(await membersOf(campaign.id)).toEqual([]);
    });

    it('answers NOT_FOUND naming an unknown campaign or user, and writes nothing', async () => {
      const agent = await newUser();
      const campaign = await newCampaign();
      const missingCampaign = randomUUID();
      const missingUser = randomUUID();
      const before = await listCampaigns(server.baseUrl, admin);

      const noCampaign = await gql(
        server.baseUrl,
        ADD,
        { c: [campaign.id, missingCampaign], u: [agent.id] },
        { token: admin },
      );
      expect(codeOf(noCampaign)).toBe('NOT_FOUND');
      expect(noCampaign.errors![0].message).toBe(`Campaign ${missingCampaign} does not exist`);

      const noUser = await gql(
        server.baseUrl,
        ADD,
        { c: [campaign.id], u: [agent.id, missingUser] },
        { token: admin },
      );
      expect(codeOf(noUser)).toBe('NOT_FOUND');
      expect(noUser.errors![0].message).toBe(`User ${missingUser} does not exist`);

      const stripClock = (list: CampaignView[]) => list.map(({ isOpenNow: _o, ...rest }) => rest);
      expect(stripClock(await listCampaigns(server.baseUrl, admin))).toEqual(stripClock(before));
    });

    it('refuses empty lists', async () => {
      const campaign = await newCampaign();
      const noUsers = await gql(server.baseUrl, ADD, { c: [campaign.id], u: [] }, { token: admin });
      expect(codeOf(noUsers)).toBe('BAD_USER_INPUT');
      expect(noUsers.errors![0].message).toBe('userIds: must list at least one user');
      const noCampaigns = await gql(server.baseUrl, ADD, { c: [], u: [randomUUID()] }, { token: admin });
      expect(noCampaigns.errors![0].message).toBe('campaignIds: must list at least one campaign');
    });

    it('gives distinct positions under concurrent adds to one campaign', async () => {
      const agents = await Promise.all(Array.from({ length: 6 }, () => newUser()));
      const campaign = await newCampaign();
      const results = await Promise.all(
        agents.map((a) => gql(server.baseUrl, ADD, { c: [campaign.id], u: [a.id] }, { token: admin })),
      );
      expect(results.every((r) => !r.errors)).toBe(true);
      expect((await membersOf(campaign.id)).map(([, position]) => position)).toEqual([1, 2, 3, 4, 5, 6]);
    });
  });

  describe('updateCampaignMember', () => {
    let campaign: CampaignView;
    let users: { id: string; username: string }[];

    beforeAll(async () => {
      users = [await newUser(), await newUser(), await newUser(), await newUser()];
      campaign = await newCampaign();
      await gql(server.baseUrl, ADD, { c: [campaign.id], u: users.map((u) => u.id) }, { token: admin });
    });

    const update = (userId: string, change: { penalty?: number; position?: number }, token = admin) =>
      gql(server.baseUrl, UPDATE_MEMBER, { c: campaign.id, u: userId, ...change }, { token });

    it('accepts penalties 0..100 and refuses the rest, naming the field', async () => {
      expect((await update(users[0].id, { penalty: 100 })).data!.updateCampaignMember).toMatchObject({
        campaignId: campaign.id,
        penalty: 100,
        position: 1,
        user: { id: users[0].id },
      });
      expect((await update(users[0].id, { penalty: 0 }, supervisor)).data!.updateCampaignMember.penalty).toBe(
        0,
      );
      for (const penalty of [-1, 101]) {
        const result = await update(users[0].id, { penalty });
        expect(codeOf(result)).toBe('BAD_USER_INPUT');
        expect(result.errors![0].message).toBe('penalty: must be between 0 and 100');
        expect(result.errors![0].extensions!.field).toBe('penalty');
      }
      expect((await membersOf(campaign.id))[0]).toEqual([users[0].username, 1, 0]);
    });

    it('moves a member and renumbers the others without gaps', async () => {
      const names = () =>
        membersOf(campaign.id).then((m) => m.map(([name, position]) => `${position}:${name}`));
      const [a, b, c, d] = users.map((u) => u.username);
      expect(await names()).toEqual([`1:${a}`, `2:${b}`, `3:${c}`, `4:${d}`]);
      expect((await update(users[3].id, { position: 1 })).data!.updateCampaignMember.position).toBe(1);
      expect(await names()).toEqual([`1:${d}`, `2:${a}`, `3:${b}`, `4:${c}`]);
      await update(users[3].id, { position: 3, penalty: 7 });
      expect(await names()).toEqual([`1:${a}`, `2:${b}`, `3:${d}`, `4:${c}`]);
      expect((await membersOf(campaign.id))[2]).toEqual([d, 3, 7]);
      for (const position of [0, 5]) {
        const result = await update(users[0].id, { position });
        expect(codeOf(result)).toBe('BAD_USER_INPUT');
        expect(result.errors![0].message).toBe('position: must be between 1 and 4');
      }
      expect(await names()).toEqual([`1:${a}`, `2:${b}`, `3:${d}`, `4:${c}`]);
    });

    it('answers NOT_FOUND for a user who is not a member, or an unknown campaign', async () => {
      const outsider = await newUser();
      const result = await update(outsider.id, { penalty: 1 });
      expect(codeOf(result)).toBe('NOT_FOUND');
      expect(result.errors![0].message).toBe(
        `User ${outsider.id} is not a member of campaign ${campaign.id}`,
      );
      const missing = randomUUID();
      const noCampaign = await gql(
        server.baseUrl,
        UPDATE_MEMBER,
        { c: missing, u: users[0].id, penalty: 1 },
        { token: admin },
      );
      expect(noCampaign.errors![0].message).toBe(`Campaign ${missing} does not exist`);
    });
  });

  describe('removeCampaignMembers', () => {
    it('removes from several campaigns, closes ranks, and ignores non-members', async () => {
      const [a, b, c] = [await newUser(), await newUser(), await newUser()];
      const one = await newCampaign();
      const two = await newCampaign();
      await gql(server.baseUrl, ADD, { c: [one.id, two.id], u: [a.id, b.id, c.id] }, { token: admin });
      const result = await gql(
        server.baseUrl,
        REMOVE,
        { c: [one.id, two.id], u: [a.id] },
        { token: supervisor },
      );
      expect(result.errors).toBeUndefined();
      for (const id of [one.id, two.id]) {
        expect(await membersOf(id)).toEqual([
          [b.username, 1, 0],
          [c.username, 2, 0],
        ]);
      }
      expect(
        (await gql(server.baseUrl, REMOVE, { c: [one.id], u: [a.id] }, { token: admin })).errors,
      ).toBeUndefined();
      const missing = randomUUID();
      const unknown = await gql(server.baseUrl, REMOVE, { c: [one.id], u: [missing] }, { token: admin });
      expect(codeOf(unknown)).toBe('NOT_FOUND');
      expect(unknown.errors![0].message).toContain(missing);
    });
  });

  describe('receivesInteractions', () => {
    it('is true only for members of at least one VOICE campaign', async () => {
      const [inVoice, notInVoice] = [await newUser(), await newUser()];
      const chat = await newCampaign();
      const voice = await newCampaign({ channel: 'VOICE' });
      const receives = async () => {
        const members = (await readCampaign(server.baseUrl, admin, chat.id))!.members;
        return Object.fromEntries(members.map((m) => [m.user.username, m.receivesInteractions]));
      };
      await gql(server.baseUrl, ADD, { c: [chat.id], u: [inVoice.id, notInVoice.id] }, { token: admin });
      expect(await receives()).toEqual({ [inVoice.username]: false, [notInVoice.username]: false });
      await gql(server.baseUrl, ADD, { c: [voice.id], u: [inVoice.id] }, { token: admin });
      expect(await receives()).toEqual({ [inVoice.username]: true, [notInVoice.username]: false });
      await gql(server.baseUrl, REMOVE, { c: [voice.id], u: [inVoice.id] }, { token: admin });
      expect(await receives()).toEqual({ [inVoice.username]: false, [notInVoice.username]: false });
    });

    it('pushes campaignChanged for membership changes, including campaigns whose members started receiving', async () => {
      const agent = await newUser();
      const chat = await newCampaign();
      const voice = await newCampaign({ channel: 'VOICE' });
      await gql(server.baseUrl, ADD, { c: [chat.id], u: [agent.id] }, { token: admin });
      const { client } = wsClient(server.wsUrl, { authorization: `Bearer ${admin}` });
      const events = subscribe(
        client,
        'subscription { campaignChanged { id members { receivesInteractions user { id } } } }',
      );
      await new Promise((r) => setTimeout(r, 300));
      await gql(server.baseUrl, ADD, { c: [voice.id], u: [agent.id] }, { token: admin });
      const received = [
        (await events.next()).data!.campaignChanged,
        (await events.next()).data!.campaignChanged,
      ];
      expect(received.map((c) => c.id).sort()).toEqual([chat.id, voice.id].sort());
      for (const campaign of received) {
        expect(campaign.members).toEqual([{ receivesInteractions: true, user: { id: agent.id } }]);
      }
      await client.dispose();
    });
  });

  describe('users', () => {
    it('deactivation closes the socket with 4403, fails the next call and the next sign-in; reactivation restores it', async () => {
      const agent = await newUser();
      const token = await login(server.baseUrl, agent.username, 'velvet-otter-93');
      const { client, closed } = wsClient(server.wsUrl, { authorization: `Bearer ${token}` });
      subscribe(client, 'subscription { userChanged { id } }');
      await new Promise((r) => setTimeout(r, 300));

      const result = await gql(server.baseUrl, DEACTIVATE, { id: agent.id }, { token: admin });
      expect(result.data!.deactivateUser).toEqual({ id: agent.id, active: false, presence: 'OFFLINE' });
      expect(await closed).toMatchObject({ code: 4403, reason: 'Forbidden: user deactivated' });
      await client.dispose();

      expect(codeOf(await gql(server.baseUrl, ME, {}, { token }))).toBe('UNAUTHENTICATED');
      const signIn = await gql(
        server.baseUrl,
        'mutation($u: String!) { login(username: $u, password: "velvet-otter-93") { accessToken } }',
        {
          u: agent.username,
        },
      );
      // The same answer as a wrong password: it must not confirm that the password was right.
      expect(codeOf(signIn)).toBe('UNAUTHENTICATED');
      expect(signIn.errors![0].message).toBe('Wrong username or password');

      // Deactivating twice is harmless; the user is listed only when inactive ones are asked for.
      expect(
        (await gql(server.baseUrl, DEACTIVATE, { id: agent.id }, { token: admin })).errors,
      ).toBeUndefined();
      const listed = async (includeInactive: boolean) =>
        (
          await gql<{ users: { username: string }[] }>(
            server.baseUrl,
            'query($i: Boolean) { users(role: AGENT, includeInactive: $i) { username } }',
            { i: includeInactive },
            { token: admin },
          )
        ).data!.users.map((u) => u.username);
      expect(await listed(false)).not.toContain(agent.username);
      expect(await listed(true)).toContain(agent.username);

      expect(
        (await gql(server.baseUrl, REACTIVATE, { id: agent.id }, { token: admin })).data!.reactivateUser
          .active,
      ).toBe(true);
      // The token from before the deactivation stays dead; a new sign-in works.
      expect(codeOf(await gql(server.baseUrl, ME, {}, { token }))).toBe('UNAUTHENTICATED');
      const again = await login(server.baseUrl, agent.username, 'velvet-otter-93');
      expect((await gql(server.baseUrl, ME, {}, { token: again })).data!.me.id).toBe(agent.id);
    });

    it('keeps an admin from deactivating themselves, and the last active admin', async () => {
      const self = await gql(server.baseUrl, DEACTIVATE, { id: adminId }, { token: admin });
      expect(codeOf(self)).toBe('CONFLICT');
      expect(self.errors![0].message).toMatch(/cannot deactivate yourself/);
      const { key } = await createApiKey(server.baseUrl, admin, 'ops', 'ADMIN');
      const byKey = await gql(server.baseUrl, DEACTIVATE, { id: adminId }, { apiKey: key });
      expect(codeOf(byKey)).toBe('CONFLICT');
      expect(byKey.errors![0].message).toMatch(/last active admin/);
      expect(codeOf(await gql(server.baseUrl, DEACTIVATE, { id: randomUUID() }, { token: admin }))).toBe(
        'NOT_FOUND',
      );
    });

    it('resets a password: the old one and its sessions stop working, the new one works', async () => {
      const agent = await newUser();
      const oldSession = await login(server.baseUrl, agent.username, 'velvet-otter-93');
      const { client, closed } = wsClient(server.wsUrl, { authorization: `Bearer ${oldSession}` });
      subscribe(client, 'subscription { userChanged { id } }');
      await new Promise((r) => setTimeout(r, 300));
      const short = await gql(server.baseUrl, RESET_PASSWORD, { id: agent.id, p: 'short' }, { token: admin });
      expect(codeOf(short)).toBe('BAD_USER_INPUT');
      expect(short.errors![0].message).toMatch(/^password: must be 8 to 200/);
      expect(
        (await gql(server.baseUrl, RESET_PASSWORD, { id: agent.id, p: 'brand-new-pass' }, { token: admin }))
          .errors,
      ).toBeUndefined();
      await expect(login(server.baseUrl, agent.username, 'velvet-otter-93')).rejects.toThrow(
        /Wrong username or password/,
      );
      expect(codeOf(await gql(server.baseUrl, ME, {}, { token: oldSession }))).toBe('UNAUTHENTICATED');
      expect(await closed).toMatchObject({ code: 4403, reason: 'Forbidden: password reset' });
      await client.dispose();
      const fresh = await login(server.baseUrl, agent.username, 'brand-new-pass');
      expect((await gql(server.baseUrl, ME, {}, { token: fresh })).data!.me.id).toBe(agent.id);
    });
  });

  describe('authorization matrix', () => {
    type Caller = 'ADMIN' | 'SUPERVISOR' | 'AGENT' | 'ADMIN key' | 'SUPERVISOR key' | 'AGENT key';
    const CALLERS: Caller[] = ['ADMIN', 'SUPERVISOR', 'AGENT', 'ADMIN key', 'SUPERVISOR key', 'AGENT key'];
    const credentials = {} as Record<Caller, Credentials>;
    const managers: Caller[] = ['ADMIN', 'SUPERVISOR', 'ADMIN key', 'SUPERVISOR key'];
    const admins: Caller[] = ['ADMIN', 'ADMIN key'];
    const everyone = CALLERS;

    beforeAll(async () => {
      credentials.ADMIN = { token: admin };
      credentials.SUPERVISOR = { token: supervisor };
      const agent = await newUser();
      credentials.AGENT = { token: await login(server.baseUrl, agent.username, 'velvet-otter-93') };
      for (const role of ['ADMIN', 'SUPERVISOR', 'AGENT'] as const) {
        credentials[`${role} key`] = {
          apiKey: (await createApiKey(server.baseUrl, admin, 'matrix', role)).key,
        };
      }
    });

    /** Each operation prepares what it needs (as the admin) and returns the call to make. */
    const OPERATIONS: [string, Caller[], () => Promise<[string, Record<string, unknown>]>][] = [
      ['campaigns', everyone, async () => ['{ campaigns { id } }', {}]],
      [
        'campaign',
        everyone,
        async () => ['query($id: ID!) { campaign(id: $id) { id } }', { id: (await newCampaign()).id }],
      ],
      ['users', managers, async () => ['{ users { id } }', {}]],
      [
        'createCampaign',
        admins,
        async () => [
          'mutation($n: String!) { createCampaign(input: { name: $n }) { id } }',
          { n: `Matrix ${++counter}` },
        ],
      ],
      [
        'updateCampaign',
        admins,
        async () => [
          'mutation($id: ID!) { updateCampaign(id: $id, input: { enabled: false }) { id } }',
          { id: (await newCampaign()).id },
        ],
      ],
      [
        'deleteCampaign',
        admins,
        async () => ['mutation($id: ID!) { deleteCampaign(id: $id) }', { id: (await newCampaign()).id }],
      ],
      [
        'addCannedResponse',
        admins,
        async () => [
          'mutation($id: ID!) { addCannedResponse(campaignId: $id, input: { title: "t", text: "x" }) { id } }',
          { id: (await newCampaign()).id },
        ],
      ],
      [
        'updateCannedResponse',
        admins,
        async () => [
          'mutation($id: ID!) { updateCannedResponse(id: $id, input: { title: "t", text: "y" }) { id } }',
          { id: (await newCampaign({ cannedResponses: [{ title: 't', text: 'x' }] })).cannedResponses[0].id },
        ],
      ],
      [
        'removeCannedResponse',
        admins,
        async () => [
          'mutation($id: ID!) { removeCannedResponse(id: $id) { id } }',
          { id: (await newCampaign({ cannedResponses: [{ title: 't', text: 'x' }] })).cannedResponses[0].id },
        ],
      ],
      [
        'addCampaignMembers',
        managers,
        async () => [ADD, { c: [(await newCampaign()).id], u: [(await newUser()).id] }],
      ],
      [
        'removeCampaignMembers',
        managers,
        async () => {
          const campaign = await newCampaign();
          const user = await newUser();
          await gql(server.baseUrl, ADD, { c: [campaign.id], u: [user.id] }, { token: admin });
          return [REMOVE, { c: [campaign.id], u: [user.id] }];
        },
      ],
      [
        'updateCampaignMember',
        managers,
        async () => {
          const campaign = await newCampaign();
          const user = await newUser();
          await gql(server.baseUrl, ADD, { c: [campaign.id], u: [user.id] }, { token: admin });
          return [UPDATE_MEMBER, { c: campaign.id, u: user.id, penalty: 5 }];
        },
      ],
      [
        'createUser',
        admins,
        async () => [
          'mutation($u: String!) { createUser(input: { username: $u, displayName: "M", password: "velvet-otter-93", role: AGENT }) { id } }',
          { u: `matrix${++counter}` },
        ],
      ],
      ['deactivateUser', admins, async () => [DEACTIVATE, { id: (await newUser()).id }]],
      [
        'reactivateUser',
        admins,
        async () => {
          const user = await newUser();
          await gql(server.baseUrl, DEACTIVATE, { id: user.id }, { token: admin });
          return [REACTIVATE, { id: user.id }];
        },
      ],
      [
        'resetUserPassword',
        admins,
        async () => [RESET_PASSWORD, { id: (await newUser()).id, p: 'another-password' }],
      ],
    ];

    const cases = OPERATIONS.flatMap(([name, allowed, prepare]) =>
      CALLERS.map((caller) => [name, caller, allowed.includes(caller), prepare] as const),
    );

    it.each(cases)('%s by %s: allowed = %s', async (_name, caller, allowed, prepare) => {
      const [query, variables] = await prepare();
      const result: GqlResult = await gql(server.baseUrl, query, variables, credentials[caller]);
      if (allowed) {
        expect(result.errors).toBeUndefined();
      } else {
        expect(codeOf(result)).toBe('FORBIDDEN');
        expect(result.data).toBeNull();
      }
    });

    it.each(CALLERS.map((caller) => [caller, managers.includes(caller)] as const))(
      'campaignChanged by %s: allowed = %s',
      async (caller, allowed) => {
        const params = credentials[caller].token
          ? { authorization: `Bearer ${credentials[caller].token}` }
          : { apiKey: credentials[caller].apiKey };
        const { client } = wsClient(server.wsUrl, params);
        const events = subscribe(client, 'subscription { campaignChanged { name } }');
        await new Promise((r) => setTimeout(r, 300));
        const campaign = await newCampaign();
        const event = await events.next().catch(() => undefined);
        if (allowed) {
          expect(event?.data).toEqual({ campaignChanged: { name: campaign.name } });
        } else {
          const code =
            event?.errors?.[0]?.extensions?.code ??
            (events.failure as { extensions?: { code?: string } }[])?.[0]?.extensions?.code;
          expect(code).toBe('FORBIDDEN');
        }
        await client.dispose();
      },
    );
  });
});
