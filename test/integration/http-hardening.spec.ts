import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/infrastructure/config/config.js';
import { createParley } from '../../server/src/main.js';
import { eventually } from '../support/graphql.js';
import { testEnvironment } from '../support/server.js';

interface Booted {
  baseUrl: string;
  /** Every JSON line the server logged. */
  logs: string[];
  stop(): Promise<void>;
}

/** The real server in this process, with its log lines captured instead of printed. */
async function boot(env: Record<string, string> = {}): Promise<Booted> {
  const environment = testEnvironment({ LOG_LEVEL: 'info', ...env });
  const logs: string[] = [];
  const { app } = await createParley(loadConfig(environment.env), {
    logStream: { write: (line: string) => void logs.push(line) },
  });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    logs,
    async stop() {
      await app.close();
      await environment.cleanup();
    },
  };
}

const directives = (csp: string | null) =>
  new Map(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name, values]),
  );

describe('HTTP hardening with default settings', () => {
  let server: Booted;
  beforeAll(async () => {
    server = await boot();
  });
  afterAll(() => server?.stop());

  it('sends security headers and a Content-Security-Policy that forbids framing and inline scripts', async () => {
    for (const path of ['/', '/campaigns', '/health']) {
      const response = await fetch(`${server.baseUrl}${path}`);
      const csp = directives(response.headers.get('content-security-policy'));
      expect(csp.get('frame-ancestors'), path).toEqual(["'none'"]);
      expect(csp.get('script-src'), path).toEqual(["'self'"]);
      expect(csp.get('default-src'), path).toEqual(["'self'"]);
      expect(csp.get('object-src'), path).toEqual(["'none'"]);
      // Pictures: Parley's own, local previews, and Facebook's CDNs (customers' profile pictures).
      expect(csp.get('img-src'), path).toEqual(
        expect.arrayContaining(["'self'", 'blob:', 'https://*.fbcdn.net', 'https://*.fbsbx.com']),
      );
      expect(csp.get('img-src'), path).not.toContain('https:');
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(response.headers.get('x-powered-by'), path).toBeNull();
    }
  });

  it('leaves GraphiQL on /graphql working outside production: no CSP there, the other headers stay', async () => {
    const response = await fetch(`${server.baseUrl}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('graphiql');
    expect(response.headers.get('content-security-policy')).toBeNull();
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it('sends no CORS headers when no origin is allowed', async () => {
    const preflight = await fetch(`${server.baseUrl}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://tools.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-api-key',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
    const post = await fetch(`${server.baseUrl}/graphql`, {
      method: 'POST',
      headers: { origin: 'https://tools.example.com', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('never writes a password, a GraphQL document or a token sent in a URL to the access log', async () => {
    const query = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }';
    const variables = JSON.stringify({ u: 'admin', p: 'hunter2-in-the-url' });
    const url =
      `/graphql?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(variables)}` +
      '&operationName=SignIn&access_token=token-in-the-url&api_key=key-in-the-url';
    await fetch(`${server.baseUrl}${url}`, { headers: { 'apollo-require-preflight': 'true' } });
    const line = await eventually(async () => server.logs.find((l) => l.includes('operationName=SignIn')));
    const logged = (JSON.parse(line) as { req: { url: string } }).req.url;
    expect(logged).toBe(
      '/graphql?query=[redacted]&variables=[redacted]&operationName=SignIn&access_token=[redacted]&api_key=[redacted]',
    );
    const everything = server.logs.join('\n');
    for (const secret of ['hunter2-in-the-url', 'token-in-the-url', 'key-in-the-url', 'accessToken']) {
      expect(everything).not.toContain(secret);
    }
  });
});

describe('CORS for configured origins', () => {
  let server: Booted;
  const allowed = 'https://tools.example.com';
  beforeAll(async () => {
    server = await boot({ CORS_ORIGINS: `${allowed}, http://localhost:4200` });
  });
  afterAll(() => server?.stop());

  it('answers a preflight from an allowed origin with the headers tools send', async () => {
    const preflight = await fetch(`${server.baseUrl}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin: allowed,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization,x-api-key',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe(
      'content-type,authorization,x-api-key',
    );
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();

    const post = await fetch(`${server.baseUrl}/graphql`, {
      method: 'POST',
      headers: { origin: allowed, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(post.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(post.headers.get('access-control-expose-headers')).toBe('X-Request-Id');
  });

  it('gives other origins no CORS headers', async () => {
    const preflight = await fetch(`${server.baseUrl}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});
