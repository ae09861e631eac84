import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserHandle, launchBrowser } from '../support/browser.js';
import { startTestServer } from '../support/server.js';

// The admin console in Chromium, against the real server serving the built client.

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

let server: TestServer;
let browser: BrowserHandle;
let adminToken: string;
let adminDisplayName: string;

/** The GraphQL API over HTTP, as a tool would use it; fails the test on any GraphQL error. */
async function graphql<T>(
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const response = await fetch(`${server.baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphQLResponse<T>;
  if (body.errors?.length || !body.data) {
    throw new Error(`GraphQL failed (HTTP ${response.status}): ${JSON.stringify(body.errors ?? body)}`);
  }
  return body.data;
}

async function apiLogin(username: string, password: string) {
  const { login } = await graphql<{ login: { accessToken: string; user: { displayName: string } } }>(
    'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken user { displayName } } }',
    { u: username, p: password },
  );
  return login;
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(`${server.baseUrl}/login`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/** Picks an option of a Material select by its visible label. */
async function choose(page: Page, selectTestId: string, label: string): Promise<void> {
  await page.getByTestId(selectTestId).click();
  await page.getByRole('option', { name: label, exact: true }).click();
  await page.getByRole('listbox').waitFor({ state: 'detached' });
}

const pathOf = (page: Page) => new URL(page.url()).pathname;

describe('admin console', () => {
  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    const admin = await apiLogin(server.adminUsername, server.adminPassword);
    adminToken = admin.accessToken;
    adminDisplayName = admin.user.displayName;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an admin signs in, sees their name, creates an agent and sees it in the table', async (test) => {
    const page = await browser.newPage(test);
    await signIn(page, server.adminUsername, server.adminPassword);

    await page.waitForURL('**/admin/users');
    expect(await page.getByTestId('current-user-name').textContent()).toBe(adminDisplayName);
    expect(await page.getByTestId('current-user-role').textContent()).toContain('Admin');
    await page.locator(`[data-testid=user-row][data-username="${server.adminUsername}"]`).waitFor();

    await page.getByTestId('new-user').click();
    // The dialog moves focus to its first field once it has opened; typing before that (a busy
    // machine) can lose keystrokes to the field focus jumps to, so wait for it like a person would.
    await page.waitForFunction(
      () => document.activeElement?.getAttribute('data-testid') === 'new-user-username',
    );
    await page.getByTestId('new-user-username').fill('agent.alice');
    await page.getByTestId('new-user-display-name').fill('Alice Agent');
    await page.getByTestId('new-user-password').fill('lucky-pebble-42');
    await choose(page, 'new-user-role', 'Agent');
    await page.getByTestId('new-user-submit').click();

    const row = page.locator('[data-testid=user-row][data-username="agent.alice"]');
    await row.waitFor();
    expect(await row.textContent()).toMatch(/Alice Agent.*Agent/);
    await page.getByText('User agent.alice created').waitFor();
    await page.getByTestId('new-user-username').waitFor({ state: 'detached' });
  });

  it('creates an API key, shows it once, and revokes it', async (test) => {
    const page = await browser.newPage(test);
    await signIn(page, server.adminUsername, server.adminPassword);
    await page.waitForURL('**/admin/users');
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.waitForURL('**/admin/api-keys');

    await page.getByTestId('new-api-key').click();
    await page.waitForFunction(
      () => document.activeElement?.getAttribute('data-testid') === 'new-api-key-name',
    );
    await page.getByTestId('new-api-key-name').fill('CRM sync');
    await choose(page, 'new-api-key-role', 'Supervisor');
    await page.getByTestId('new-api-key-submit').click();

    const keyField = page.getByTestId('api-key-value');
    await keyField.waitFor();
    const key = await keyField.inputValue();
    expect(key.trim().length).toBeGreaterThan(8);
    expect(await page.getByTestId('api-key-warning').textContent()).toContain(
      'Copy this key now: Parley stores only a hash and cannot show it again.',
    );

    await page.getByTestId('api-key-done').click();
    await keyField.waitFor({ state: 'detached' });
    const row = page.locator('[data-testid=api-key-row][data-name="CRM sync"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('Supervisor');
    expect(await row.textContent()).toContain('never');
    // The key is nowhere on the page any more: not in the markup, the text, nor any field.
    const leftovers = await page.evaluate(
      (secret) => ({
        html: document.documentElement.outerHTML.includes(secret),
        text: document.body.innerText.includes(secret),
        fields: [...document.querySelectorAll('input, textarea')].some((field) =>
          (field as HTMLInputElement).value.includes(secret),
        ),
      }),
      key,
    );
    expect(leftovers).toEqual({ html: false, text: false, fields: false });

    await row.getByTestId('api-key-revoke').click();
    await page.getByTestId('confirm-ok').click();
    await row.waitFor({ state: 'detached' });
    await page.getByText('API key CRM sync revoked').waitFor();
    const { apiKeys } = await graphql<{ apiKeys: { name: string }[] }>(
      '{ apiKeys { name } }',
      {},
      adminToken,
    );
    expect(apiKeys.map((k) => k.name)).not.toContain('CRM sync');
  });

  it('a wrong password is refused in words and stays on the login page', async (test) => {
    const page = await browser.newPage(test);
    await signIn(page, server.adminUsername, 'not-the-password');

    const error = page.getByTestId('login-error');
    await error.getByRole('alert').waitFor();
    expect(await error.textContent()).toContain('username or password');
    expect(pathOf(page)).toBe('/login');
    expect(await page.getByTestId('login-submit').isEnabled()).toBe(true);
  });

  it('an agent lands on Chats, sees no admin sections and is sent back from /admin/users', async (test) => {
    await graphql(
      'mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }',
      {
        input: { username: 'agent.bob', displayName: 'Bob Agent', password: 'bob-secret-12', role: 'AGENT' },
      },
      adminToken,
    );
    const page = await browser.newPage(test);
    await signIn(page, 'agent.bob', 'bob-secret-12');

    await page.waitForURL('**/agent');
    await page.getByTestId('presence-select').waitFor();
    expect(await page.getByTestId('current-user-name').textContent()).toBe('Bob Agent');
    const nav = page.getByTestId('nav');
    await nav.getByRole('link', { name: 'Chats' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Home' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Users' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'API keys' }).count()).toBe(0);

    await page.goto(`${server.baseUrl}/admin/users`);
    await page.waitForURL('**/agent');
    await page.getByText('Your role does not give access to that page.').waitFor();
    expect(await page.getByTestId('users-table').count()).toBe(0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    await page.goto(`${server.baseUrl}/agent`);
    await page.waitForURL('**/login');
  });

  it('deactivates, reactivates and resets the password of an agent', async (test) => {
    await graphql(
      'mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }',
      {
        input: {
          username: 'agent.cleo',
          displayName: 'Cleo Agent',
          password: 'cleo-secret-1',
          role: 'AGENT',
        },
      },
      adminToken,
    );
    const canSignIn = async (password: string) =>
      apiLogin('agent.cleo', password).then(
        () => true,
        () => false,
      );
    const page = await browser.newPage(test);
    await signIn(page, server.adminUsername, server.adminPassword);
    const row = page.locator('[data-testid=user-row][data-username="agent.cleo"]');
    await row.waitFor();

    await row.getByTestId('user-deactivate').click();
    await page.getByTestId('confirm-ok').click();
    await page.locator('[data-testid=user-row][data-username="agent.cleo"][data-active=false]').waitFor();
    expect(await row.getByTestId('user-inactive').textContent()).toContain('inactive');
    expect(await canSignIn('cleo-secret-1')).toBe(false);

    await row.getByTestId('user-reactivate').click();
    await page.getByTestId('confirm-ok').click();
    await page.locator('[data-testid=user-row][data-username="agent.cleo"][data-active=true]').waitFor();
    expect(await row.getByTestId('user-inactive').count()).toBe(0);
    expect(await canSignIn('cleo-secret-1')).toBe(true);

    await row.getByTestId('user-reset-password').click();
    // The dialog focuses its field once it has opened; typing before that can be lost.
    await page.waitForFunction(
      () => document.activeElement?.getAttribute('data-testid') === 'reset-password-value',
    );
    await page.getByTestId('reset-password-value').fill('short');
    await page.getByTestId('reset-password-submit').click();
    await page.getByText('The password needs at least 8 characters.').waitFor();
    await page.getByTestId('reset-password-value').fill('cleo-new-secret-2');
    await page.getByTestId('reset-password-submit').click();
    await page.getByText('New password set for agent.cleo').waitFor();
    expect(await canSignIn('cleo-secret-1')).toBe(false);
    expect(await canSignIn('cleo-new-secret-2')).toBe(true);
    // The admin cannot deactivate themselves.
    const me = page.locator(`[data-testid=user-row][data-username="${server.adminUsername}"]`);
    expect(await me.getByTestId('user-deactivate').count()).toBe(0);
  });

  it('shows a locked-out agent with a lock and lifts the lockout (1280 px)', async (test) => {
    await graphql(
      'mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }',
      {
        input: {
          username: 'agent.dora',
          displayName: 'Dora Agent',
          password: 'maple-quartz-66',
          role: 'AGENT',
        },
      },
      adminToken,
    );
    // Five wrong passwords lock the account; even the right one is then refused.
    for (let i = 0; i < 5; i++) await apiLogin('agent.dora', 'wrong-guess-42').catch(() => undefined);
    await expect(apiLogin('agent.dora', 'maple-quartz-66')).rejects.toThrow(
      /Too many failed sign-in attempts/,
    );

    const page = await browser.newPage(test);
    expect(page.viewportSize()?.width).toBe(1280);
    await signIn(page, server.adminUsername, server.adminPassword);
    const row = page.locator('[data-testid=user-row][data-username="agent.dora"]');
    const lock = row.getByTestId('user-locked');
    await lock.waitFor();
    expect(await lock.getAttribute('aria-label')).toMatch(
      /^Sign-in locked until .+ after too many failed attempts$/,
    );
    await lock.hover();
    await page
      .locator('.mat-mdc-tooltip')
      .getByText(/^Sign-in locked until .+ after too many failed attempts$/)
      .waitFor();

    await row.getByTestId('user-lift-lockout').click();
    await page.getByText('agent.dora can sign in again').waitFor();
    await lock.waitFor({ state: 'detached' });
    expect(await row.getByTestId('user-lift-lockout').count()).toBe(0);
    expect((await apiLogin('agent.dora', 'maple-quartz-66')).accessToken).toEqual(expect.any(String));
  });
});
