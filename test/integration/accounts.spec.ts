import { type Client, createClient } from 'graphql-ws';
import { DataSource, type QueryRunner } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { NormalisedUsernames1764057900000 } from '../../migrations/1764057900000-normalised-usernames.js';
import { LOGIN_LIMITS } from '../../server/src/auth/login-throttle.service.js';
import { codeOf, createApiKey, type Credentials, type GqlResult } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

const PASSWORD = 'velvet-otter-93';
const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }';
const DEACTIVATE = 'mutation($id: ID!) { deactivateUser(id: $id) { id active } }';
const REACTIVATE = 'mutation($id: ID!) { reactivateUser(id: $id) { id active } }';
const RESET_PASSWORD =
  'mutation($id: ID!, $p: String!) { resetUserPassword(id: $id, password: $p) { id signInLockedUntil } }';
const LIFT = 'mutation($id: ID!) { liftSignInLockout(userId: $id) { id username signInLockedUntil } }';
const CREATE_USER = 'mutation($input: CreateUserInput!) { createUser(input: $input) { id username } }';
const LOCKED_UNTIL = 'query { users(includeInactive: true) { id signInLockedUntil } }';

/** Each race runs this often: a missing lock shows within a few rounds. */
const ROUNDS = 5;
/** Nearly every step signs in or hashes a password, and argon2 takes its time on a busy machine. */
const SLOW = { timeout: 240_000 };

/** Test addresses (RFC 5737): the server trusts the loopback proxy, so X-Forwarded-For says who calls. */
let nextAddress = 1;
const freshAddress = () => `198.51.100.${nextAddress++}`;

describe('sign-in and accounts', SLOW, () => {
  let server: TestServer;
  let adminId: string;
  /** An ADMIN key: it watches the admins while users deactivate each other (a key is never deactivated). */
  let opsKey: string;
  let counter = 0;

  /** One GraphQL call over HTTP from a given client address. */
  const call = async <T = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
    credentials: Credentials = {},
    from = '198.51.100.250',
  ): Promise<GqlResult<T>> => {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-forwarded-for': from };
    if (credentials.token) headers.authorization = `Bearer ${credentials.token}`;
    if (credentials.apiKey) headers['x-api-key'] = credentials.apiKey;
    const response = await fetch(`${server.baseUrl}/graphql`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GqlResult<T>;
  };
  const signIn = (username: string, password: string, from = freshAddress()) =>
    call<{ login: { accessToken: string } }>(LOGIN, { u: username, p: password }, {}, from);
  const tokenOf = async (username: string, password = PASSWORD) => {
    const result = await signIn(username, password);
    if (!result.data?.login) throw new Error(`sign-in failed: ${JSON.stringify(result.errors)}`);
    return result.data.login.accessToken;
  };
  /** Created with the ops key, which the admin races below cannot sign out. */
  const newUser = async (role = 'AGENT', password = PASSWORD) => {
    const username = `${role.toLowerCase()}.${++counter}`;
    const result = await call<{ createUser: { id: string; username: string } }>(
      CREATE_USER,
      { input: { username, displayName: username, password, role } },
      { apiKey: opsKey },
    );
    if (!result.data?.createUser) throw new Error(`createUser failed: ${JSON.stringify(result.errors)}`);
    return result.data.createUser;
  };
  const lockOut = async (username: string) => {
    for (let i = 0; i < LOGIN_LIMITS.perUsername.points; i++) {
      expect(codeOf(await signIn(username, 'wrong-guess-42'))).toBe('UNAUTHENTICATED');
    }
  };
  const lockedUntil = async (id: string) => {
    const result = await call<{ users: { id: string; signInLockedUntil: string | null }[] }>(
      LOCKED_UNTIL,
      {},
      { apiKey: opsKey },
    );
    expect(result.errors).toBeUndefined();
    return result.data!.users.find((u) => u.id === id)!.signInLockedUntil;
  };
  const activeAdmins = async () => {
    const result = await call<{ users: { id: string }[] }>(
      '{ users(role: ADMIN) { id } }',
      {},
      { apiKey: opsKey },
    );
    return result.data!.users.map((u) => u.id);
  };

  beforeAll(async () => {
    server = await startTestServer({ env: { TRUST_PROXY: 'loopback' } });
    const admin = await tokenOf(server.adminUsername, server.adminPassword);
    adminId = (await call('{ me { id } }', {}, { token: admin })).data!.me.id;
    opsKey = (await createApiKey(server.baseUrl, admin, 'ops', 'ADMIN')).key;
  });
  afterAll(() => server?.stop());

  describe('the last active admin', () => {
    it('survives two admins deactivating each other at the same moment, round after round', async () => {
      let survivor = await newUser('ADMIN');
      let survivorToken = await tokenOf(survivor.username);
      // From here on the survivor of each round and one new admin are the only active admins.
      await call(DEACTIVATE, { id: adminId }, { token: survivorToken });
      for (let round = 0; round < ROUNDS; round++) {
        const other = await newUser('ADMIN');
        const otherToken = await tokenOf(other.username);
        expect((await activeAdmins()).sort()).toEqual([survivor.id, other.id].sort());

        const [one, two] = await Promise.all([
          call(DEACTIVATE, { id: other.id }, { token: survivorToken }),
          call(DEACTIVATE, { id: survivor.id }, { token: otherToken }),
        ]);
        const remaining = await activeAdmins();
        expect(remaining).toHaveLength(1);
        // One succeeded; the other was refused as the last admin, or was already signed out.
        expect([one, two].filter((r) => !r.errors)).toHaveLength(1);
        for (const refused of [one, two].filter((r) => r.errors)) {
          expect(['CONFLICT', 'UNAUTHENTICATED']).toContain(codeOf(refused));
        }
        if (remaining[0] === other.id) {
          survivor = other;
          survivorToken = otherToken;
        }
      }
      // Hand the file's admin back for the tests after this one.
      await call(REACTIVATE, { id: adminId }, { apiKey: opsKey });
    });

    it('survives one ADMIN key deactivating both remaining admins at once, round after round', async () => {
      const key = opsKey;
      // Only 'admin' and one new admin stay active.
      for (const id of await activeAdmins()) {
        if (id !== adminId) await call(DEACTIVATE, { id }, { apiKey: opsKey });
      }
      for (let round = 0; round < ROUNDS; round++) {
        const other = await newUser('ADMIN');
        const [active] = (await activeAdmins()).filter((id) => id !== other.id);
        const results = await Promise.all([
          call(DEACTIVATE, { id: active }, { apiKey: key }),
          call(DEACTIVATE, { id: other.id }, { apiKey: key }),
        ]);
        expect(await activeAdmins()).toHaveLength(1);
        expect(results.filter((r) => !r.errors)).toHaveLength(1);
        const refused = results.find((r) => r.errors)!;
        expect(codeOf(refused)).toBe('CONFLICT');
        expect(refused.errors![0].message).toMatch(/is the last active admin and cannot be deactivated/);
      }
      // Whoever is left keeps the file going.
      const [last] = await activeAdmins();
      if (last !== adminId) await call(REACTIVATE, { id: adminId }, { apiKey: key });
    });
  });

  describe('usernames', () => {
    it('stores the normalised name and refuses another spelling of a taken one, naming the field', async () => {
      const created = await call<{ createUser: { username: string } }>(
        CREATE_USER,
        {
          input: {
            username: ' Ｍｉｘｅｄ.Case\u00A0',
            displayName: 'Mixed',
            password: PASSWORD,
            role: 'AGENT',
          },
        },
        { apiKey: opsKey },
      );
      expect(created.errors).toBeUndefined();
      expect(created.data!.createUser.username).toBe('mixed.case');
      for (const spelling of ['MIXED.CASE', 'mixed.case ', 'ｍｉｘｅｄ.ｃａｓｅ']) {
        const again = await call(
          CREATE_USER,
          { input: { username: spelling, displayName: 'Other', password: PASSWORD, role: 'AGENT' } },
          { apiKey: opsKey },
        );
        expect(codeOf(again)).toBe('BAD_USER_INPUT');
        expect(again.errors![0].message).toBe('username: "mixed.case" is already taken');
        expect(again.errors![0].extensions!.field).toBe('username');
      }
    });

    it('signs in however the name is typed', async () => {
      const user = await newUser();
      for (const spelling of [user.username.toUpperCase(), `${user.username} `, `${user.username}\u00A0`]) {
        expect((await signIn(spelling, PASSWORD)).data?.login.accessToken).toEqual(expect.any(String));
      }
      const fullWidth = [...user.username]
        .map((c) => (/[a-z0-9]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c))
        .join('');
      expect((await signIn(fullWidth, PASSWORD)).data?.login.accessToken).toEqual(expect.any(String));
    });

    it('locks the account out whichever spelling the failures used', async () => {
      const user = await newUser();
      const name = user.username;
      const spellings = [`${name} `, name.toUpperCase(), `${name}\u00A0`, `\u200B${name}`, `\u3000${name}`];
      expect(spellings).toHaveLength(LOGIN_LIMITS.perUsername.points);
      for (const spelling of spellings) {
        expect(codeOf(await signIn(spelling, 'wrong-guess-42'))).toBe('UNAUTHENTICATED');
      }
      const blocked = await signIn(name, PASSWORD);
      expect(codeOf(blocked)).toBe('RATE_LIMITED');
    });

    it('migrates stored names to their normalised form', async () => {
      const dataSource = server.app.get(DataSource);
      const user = await newUser();
      await dataSource.query('UPDATE users SET username = ? WHERE id = ?', ['Legacy.User ', user.id]);
      const runner = dataSource.createQueryRunner();
      try {
        await new NormalisedUsernames1764057900000().up(runner);
      } finally {
        await runner.release();
      }
      const [row] = await dataSource.query('SELECT username FROM users WHERE id = ?', [user.id]);
      expect(row.username).toBe('legacy.user');
      expect((await signIn('LEGACY.user', PASSWORD)).data?.login).toBeDefined();
    });

    it('stops the migration, naming both, when two stored names become one', async () => {
      const rows = [
        { id: 'a', username: 'ﬁle.clerk' },
        { id: 'b', username: 'file.clerk' },
      ];
      const runner = { query: async () => rows } as unknown as QueryRunner;
      await expect(new NormalisedUsernames1764057900000().up(runner)).rejects.toThrow(
        'Usernames "ﬁle.clerk" and "file.clerk" are the same name once normalised ("file.clerk")',
      );
    });
  });

  describe('graphql-ws sign-in', () => {
    /** A graphql-ws client whose upgrade request comes through the trusted proxy from `address`. */
    const wsFrom = (address: string) => {
      class FromAddress extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols, { headers: { 'x-forwarded-for': address } });
        }
      }
      return createClient({
        url: server.wsUrl,
        webSocketImpl: FromAddress,
        connectionParams: { apiKey: opsKey },
        retryAttempts: 0,
      });
    };
    const wsSignIn = (client: Client, username: string, password: string) =>
      new Promise<GqlResult<{ login: { accessToken: string } }>>((resolve) => {
        let result: GqlResult<{ login: { accessToken: string } }> = {};
        client.subscribe<{ login: { accessToken: string } }>(
          { query: LOGIN, variables: { u: username, p: password } },
          {
            next: (value) => (result = value as typeof result),
            error: (error) => resolve({ errors: error as GqlResult['errors'] }),
            complete: () => resolve(result),
          },
        );
      });

    it('counts failures against the caller’s own address, not one shared by every socket', async () => {
      const user = await newUser();
      const guesser = wsFrom(freshAddress());
      for (let i = 0; i < LOGIN_LIMITS.perIp.points; i++) {
        expect(codeOf(await wsSignIn(guesser, `nobody.${i}`, 'wrong-guess-42'))).toBe('UNAUTHENTICATED');
      }
      expect(codeOf(await wsSignIn(guesser, user.username, PASSWORD))).toBe('RATE_LIMITED');

      const neighbour = wsFrom(freshAddress());
      const result = await wsSignIn(neighbour, user.username, PASSWORD);
      expect(result.errors).toBeUndefined();
      expect(result.data!.login.accessToken).toEqual(expect.any(String));
      await Promise.all([guesser.dispose(), neighbour.dispose()]);
    });

    it('counts a socket sign-in toward the same per-username lockout as HTTP', async () => {
      const user = await newUser();
      const socket = wsFrom(freshAddress());
      const half = Math.ceil(LOGIN_LIMITS.perUsername.points / 2);
      for (let i = 0; i < half; i++) {
        expect(codeOf(await wsSignIn(socket, user.username, 'wrong-guess-42'))).toBe('UNAUTHENTICATED');
      }
      for (let i = half; i < LOGIN_LIMITS.perUsername.points; i++) {
        expect(codeOf(await signIn(user.username.toUpperCase(), 'wrong-guess-42'))).toBe('UNAUTHENTICATED');
      }
      expect(codeOf(await signIn(user.username, PASSWORD))).toBe('RATE_LIMITED');
      expect(codeOf(await wsSignIn(socket, user.username, PASSWORD))).toBe('RATE_LIMITED');
      await socket.dispose();
    });
  });

  describe('passwords', () => {
    it.each([
      ['password-123', /^password: is too easy to guess\. This is similar to a commonly used password\./],
      ['qwertyuiop', /^password: is too easy to guess\. /],
      ['weak.user.7', /^password: must not contain the username$/],
      ['Weak.User.7-2024', /^password: must not contain the username$/],
      [
        'Weak User Seven',
        /^password: (must not be built from the username or display name|is too easy to guess\. There should not be any personal)/,
      ],
    ])('createUser refuses %j in words, naming the field', async (password, message) => {
      const result = await call(
        CREATE_USER,
        { input: { username: 'weak.user.7', displayName: 'Weak User Seven', password, role: 'AGENT' } },
        { apiKey: opsKey },
      );
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
      expect(result.errors![0].message).toMatch(message);
      expect(result.errors![0].extensions!.field).toBe('password');
      const users = await call<{ users: { username: string }[] }>(
        '{ users { username } }',
        {},
        { apiKey: opsKey },
      );
      expect(users.data!.users.map((u) => u.username)).not.toContain('weak.user.7');
    });

    it('resetUserPassword refuses a weak password and keeps the old one', async () => {
      const user = await newUser();
      for (const password of ['iloveyou2', `${user.username}-2024`]) {
        const result = await call(RESET_PASSWORD, { id: user.id, p: password }, { apiKey: opsKey });
        expect(codeOf(result)).toBe('BAD_USER_INPUT');
        expect(result.errors![0].extensions!.field).toBe('password');
      }
      expect((await signIn(user.username, PASSWORD)).data?.login).toBeDefined();
    });
  });

  describe('lifting a lockout', () => {
    it('shows admins until when a user is locked, and lifts it', async () => {
      const user = await newUser();
      expect(await lockedUntil(user.id)).toBeNull();
      await lockOut(user.username);
      const until = new Date((await lockedUntil(user.id))!).getTime();
      const window = LOGIN_LIMITS.perUsername.duration * 1000;
      expect(until).toBeGreaterThan(Date.now() + window - 60_000);
      expect(until).toBeLessThanOrEqual(Date.now() + window + 1_000);
      expect(codeOf(await signIn(user.username, PASSWORD))).toBe('RATE_LIMITED');

      const lifted = await call(LIFT, { id: user.id }, { apiKey: opsKey });
      expect(lifted.errors).toBeUndefined();
      expect(lifted.data!.liftSignInLockout).toEqual({
        id: user.id,
        username: user.username,
        signInLockedUntil: null,
      });
      expect((await signIn(user.username, PASSWORD)).data?.login).toBeDefined();
    });

    it('is lifted by a password reset', async () => {
      const user = await newUser();
      await lockOut(user.username);
      const reset = await call(RESET_PASSWORD, { id: user.id, p: 'fresh-orchard-57' }, { apiKey: opsKey });
      expect(reset.data!.resetUserPassword).toEqual({ id: user.id, signInLockedUntil: null });
      expect((await signIn(user.username, 'fresh-orchard-57')).data?.login).toBeDefined();
    });

    it('is for admins only: others cannot see it or lift it', async () => {
      const user = await newUser();
      await lockOut(user.username);
      const supervisor = await newUser('SUPERVISOR');
      const token = await tokenOf(supervisor.username);
      const seen = await call(LOCKED_UNTIL, {}, { token });
      expect(codeOf(seen)).toBe('FORBIDDEN');
      expect(seen.errors![0].message).toBe('Only ADMIN may see sign-in lockouts');
      expect(codeOf(await call(LIFT, { id: user.id }, { token }))).toBe('FORBIDDEN');
      expect(codeOf(await signIn(user.username, PASSWORD))).toBe('RATE_LIMITED');
      expect(
        codeOf(await call(LIFT, { id: '00000000-0000-4000-8000-000000000000' }, { apiKey: opsKey })),
      ).toBe('NOT_FOUND');
    });
  });

  describe('a deactivated account', () => {
    it('answers the same with the right or a wrong password, and counts both as failures', async () => {
      const user = await newUser();
      await call(DEACTIVATE, { id: user.id }, { apiKey: opsKey });
      const right = await signIn(user.username, PASSWORD);
      const wrong = await signIn(user.username, 'wrong-guess-42');
      const unknown = await signIn('no.such.user', PASSWORD);
      for (const result of [right, wrong, unknown]) {
        expect(result).toEqual({
          data: null,
          errors: [expect.objectContaining({ message: 'Wrong username or password' })],
        });
        expect(codeOf(result)).toBe('UNAUTHENTICATED');
      }
      for (let i = 2; i < LOGIN_LIMITS.perUsername.points; i++) await signIn(user.username, PASSWORD);
      await call(REACTIVATE, { id: user.id }, { apiKey: opsKey });
      // Five refused attempts, the right password among them: the account is locked.
      expect(codeOf(await signIn(user.username, PASSWORD))).toBe('RATE_LIMITED');
    });
  });
});
