import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface GqlResult<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown } }[];
}

export type Credentials = { token?: string; apiKey?: string };

/** One GraphQL call over HTTP, as a third-party tool or the console would make it. */
export async function gql<T = Record<string, any>>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  credentials: Credentials = {},
): Promise<GqlResult<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (credentials.token) headers.authorization = `Bearer ${credentials.token}`;
  if (credentials.apiKey) headers['x-api-key'] = credentials.apiKey;
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GqlResult<T>;
}

/** The first error's code, for assertions like `expect(codeOf(result)).toBe('FORBIDDEN')`. */
export const codeOf = (result: GqlResult<unknown>) => result.errors?.[0]?.extensions?.code;

export async function login(baseUrl: string, username: string, password: string): Promise<string> {
  const result = await gql<{ login: { accessToken: string } }>(
    baseUrl,
    'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }',
    { u: username, p: password },
  );
  if (!result.data?.login) throw new Error(`login failed: ${JSON.stringify(result.errors)}`);
  return result.data.login.accessToken;
}

/** Creates an API key as the given admin; returns the key (shown once) and its id. */
export async function createApiKey(
  baseUrl: string,
  token: string,
  name: string,
  role: 'ADMIN' | 'SUPERVISOR' | 'AGENT',
): Promise<{ key: string; id: string }> {
  const result = await gql<{ createApiKey: { key: string; apiKey: { id: string } } }>(
    baseUrl,
    'mutation($n: String!, $r: Role!) { createApiKey(name: $n, role: $r) { key apiKey { id } } }',
    { n: name, r: role },
    { token },
  );
  if (!result.data?.createApiKey) throw new Error(`createApiKey failed: ${JSON.stringify(result.errors)}`);
  return { key: result.data.createApiKey.key, id: result.data.createApiKey.apiKey.id };
}

/** The password createUser gives when the test names none. */
export const DEFAULT_PASSWORD = 'velvet-otter-93';

export async function createUser(
  baseUrl: string,
  token: string,
  input: { username: string; displayName?: string; password?: string; role: string },
): Promise<{ id: string; username: string }> {
  const result = await gql<{ createUser: { id: string; username: string } }>(
    baseUrl,
    'mutation($input: CreateUserInput!) { createUser(input: $input) { id username } }',
    { input: { displayName: input.username, password: DEFAULT_PASSWORD, ...input } },
    { token },
  );
  if (!result.data?.createUser) throw new Error(`createUser failed: ${JSON.stringify(result.errors)}`);
  return result.data.createUser;
}

export interface SocketClose {
  code: number;
  reason: string;
}

/** A graphql-ws client that records how its socket closed. */
export function wsClient(url: string, connectionParams: Record<string, unknown>) {
  let resolveClosed!: (close: SocketClose) => void;
  const closed = new Promise<SocketClose>((resolve) => (resolveClosed = resolve));
  const client: Client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    on: { closed: (event) => resolveClosed(event as SocketClose) },
  });
  return { client, closed };
}

/** Subscribes and collects events; `next()` waits for the next one. */
export function subscribe<T = Record<string, any>>(client: Client, query: string) {
  const events: GqlResult<T>[] = [];
  const waiters: ((value: GqlResult<T>) => void)[] = [];
  let failure: unknown;
  const dispose = client.subscribe<T>(
    { query },
    {
      next: (value) => {
        const waiter = waiters.shift();
        if (waiter) waiter(value as GqlResult<T>);
        else events.push(value as GqlResult<T>);
      },
      error: (error) => (failure = error),
      complete: () => undefined,
    },
  );
  return {
    dispose,
    get failure() {
      return failure;
    },
    next(timeoutMs = 5_000): Promise<GqlResult<T>> {
      const queued = events.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const waiter = (value: GqlResult<T>) => {
          clearTimeout(timer);
          resolve(value);
        };
        // A waiter that timed out leaves the line, so the next event goes to the next caller.
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no event within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
  };
}

/** Polls until `check` returns a value (for effects that happen in background jobs). */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
