import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { loadConfig } from '../../infrastructure/config/config.js';
import { GraphError } from './graph-error.js';
import { GraphClient } from './graph.client.js';

/** A fake Graph API: each path answers what the test put in `answers`. */
let server: Server;
let url: string;
const seen: string[] = [];
const answers: Record<string, { status: number; body?: unknown; delayMs?: number }> = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const answer = answers[path] ?? { status: 404, body: { error: { message: 'unknown', code: 803 } } };
    setTimeout(() => {
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body === undefined ? 'oops' : JSON.stringify(answer.body));
    }, answer.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const client = () =>
  new GraphClient(
    loadConfig({ GRAPH_API_URL: url, GRAPH_API_TIMEOUT_MS: '1000', FACEBOOK_APP_ID: '42' }, (name) =>
      name === 'ENCRYPTION_KEY' ? 'ab'.repeat(32) : `secret-${name}-0123456789abcdef`,
    ),
    {} as Redis,
  );

describe('GraphClient', () => {
  it('calls {GRAPH_API_URL}/{version}/path with the token and reads the answer', async () => {
    answers['/v25.0/123'] = { status: 200, body: { id: '123', name: 'Bakery' } };
    await expect(client().page('123', 'EAAtoken')).resolves.toEqual({ id: '123', name: 'Bakery' });
    expect(seen.at(-1)).toBe('/v25.0/123?fields=id%2Cname&access_token=EAAtoken');
  });

  it("throws Facebook's error as a GraphError classified by its code, and logs no token", async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    answers['/v25.0/debug_token'] = {
      status: 400,
      body: { error: { message: 'expired', code: 190, error_subcode: 463, fbtrace_id: 'Ab1' } },
    };
    const error = (await client()
      .debugToken('EAAsecret')
      .catch((e: unknown) => e)) as GraphError;
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({
      kind: 'token',
      code: 190,
      subcode: 463,
      httpStatus: 400,
      fbtraceId: 'Ab1',
    });
    expect(error.reason).toBe('the page token has expired (Facebook error 190/463)');
    const logged = warn.mock.calls.map((c) => String(c[0])).join('\n');
    expect(logged).toContain('input_token=[redacted]');
    expect(logged).not.toContain('EAAsecret');
    expect(logged).not.toContain('secret-FACEBOOK_APP_SECRET');
    warn.mockRestore();
  });

  it('calls a timeout and a bare 5xx temporary', async () => {
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    answers['/v25.0/slow'] = { status: 200, body: {}, delayMs: 1_500 };
    answers['/v25.0/broken'] = { status: 502 };
    const slow = (await client()
      .call('GET', 'slow')
      .catch((e: unknown) => e)) as GraphError;
    expect(slow).toMatchObject({ kind: 'temporary', code: null, httpStatus: 0 });
    expect(slow.message).toMatch(/no answer within 1000 ms/);
    const broken = (await client()
      .call('GET', 'broken')
      .catch((e: unknown) => e)) as GraphError;
    expect(broken).toMatchObject({ kind: 'temporary', httpStatus: 502 });
    vi.restoreAllMocks();
  });
});
