import { createHmac } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED, Simulator, startSimulator } from './simulator.js';

const APP_ID = '100000000000001';
const APP_SECRET = 'test-app-secret';
const VERIFY_TOKEN = 'test-verify-token';
const BAKERY = SEED.pages.bakery;
const ADA = SEED.customers.bakery.ada.psid;
const BJORN = SEED.customers.bakery.bjorn.psid;
const DAY = 24 * 3600;

/** A stand-in for Parley's webhook endpoint that keeps every request's exact bytes. */
interface Received {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  raw: Buffer;
}
class Receiver {
  received: Received[] = [];
  postStatus = 200;
  challenge: 'echo' | 'wrong' = 'echo';
  server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url!, 'http://x');
        this.received.push({ method: req.method!, url, headers: req.headers, raw: Buffer.concat(chunks) });
        if (req.method === 'GET') {
          const ok = url.searchParams.get('hub.verify_token') === VERIFY_TOKEN;
          res
            .writeHead(ok ? 200 : 403)
            .end(this.challenge === 'echo' ? url.searchParams.get('hub.challenge') : 'nope');
        } else res.writeHead(this.postStatus).end('EVENT_RECEIVED');
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks/messenger`;
  }

  posts(): Received[] {
    return this.received.filter((r) => r.method === 'POST');
  }

  /** Every messaging event in every POST, in arrival order. */
  events(): any[] {
    return this.posts().flatMap((p) => JSON.parse(p.raw.toString()).entry.flatMap((e: any) => e.messaging));
  }
}

async function waitFor<T>(fn: () => T | undefined | false, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const receiver = new Receiver();
let sim: Simulator;

async function graph(method: string, path: string, params: Record<string, string> = {}, body?: unknown) {
  const url = new URL(`${sim.url}/v25.0/${path}`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await fetch(url, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
}

const send = (message: Record<string, unknown>, token: string = BAKERY.token) =>
  graph('POST', `${BAKERY.id}/messages`, { access_token: token }, message);
const text = (psid: string, t: string, extra: Record<string, unknown> = {}) => ({
  recipient: { id: psid },
  messaging_type: 'RESPONSE',
  message: { text: t },
  ...extra,
});

beforeAll(async () => {
  await receiver.start();
  sim = await startSimulator({
    port: 0,
    appId: APP_ID,
    appSecret: APP_SECRET,
    webhookUrl: receiver.url,
    verifyToken: VERIFY_TOKEN,
    retryDelaysMs: [5],
    failuresBeforeUnsubscribe: 4,
    webhookTimeoutMs: 1000,
  });
});

afterAll(async () => {
  await sim.close();
  await new Promise((r) => receiver.server.close(r));
});

beforeEach(async () => {
  sim.reset();
  await sim.webhooksIdle();
  receiver.received = [];
  receiver.postStatus = 200;
  receiver.challenge = 'echo';
  sim.subscribe(BAKERY.id);
});

afterEach(async () => {
  await sim.webhooksIdle();
});

describe('webhook deliveries', () => {
  it('verifies the callback first, then POSTs ASCII-escaped bodies signed over the exact bytes', async () => {
    sim.configure({ webhookUrl: receiver.url });
    const { mid } = sim.customerWrites(BAKERY.id, BJORN, { text: 'Hej, jag heter Björn Øster 😀 / ok' });
    await sim.webhooksIdle();
    expect(receiver.received.map((r) => r.method)).toEqual(['GET', 'POST']);
    expect(receiver.received[0].url.searchParams.get('hub.mode')).toBe('subscribe');
    const [post] = receiver.posts();
    const raw = post.raw.toString('utf8');
    expect(raw).toContain('Bj\\u00f6rn \\u00d8ster \\ud83d\\ude00 \\/ ok');
    expect([...raw].every((c) => c.charCodeAt(0) < 0x80)).toBe(true);
    expect(post.headers['content-type']).toBe('application/json');
    const hmac = (data: string | Buffer, alg = 'sha256') =>
      createHmac(alg, APP_SECRET).update(data).digest('hex');
    expect(post.headers['x-hub-signature-256']).toBe(`sha256=${hmac(post.raw)}`);
    expect(post.headers['x-hub-signature']).toBe(`sha1=${hmac(post.raw, 'sha1')}`);
    const parsed = JSON.parse(raw);
    expect(post.headers['x-hub-signature-256']).not.toBe(`sha256=${hmac(JSON.stringify(parsed))}`);
    expect(parsed).toMatchObject({
      object: 'page',
      entry: [
        {
          id: BAKERY.id,
          messaging: [{ sender: { id: BJORN }, recipient: { id: BAKERY.id }, message: { mid } }],
        },
      ],
    });
    expect(parsed.entry[0].messaging[0].message.text).toBe('Hej, jag heter Björn Øster 😀 / ok');
  });

  it('delivers nothing while the callback answers the verification with a wrong challenge', async () => {
    receiver.challenge = 'wrong';
    sim.configure({ webhookUrl: receiver.url }); // setting the URL verifies it again
    sim.customerWrites(BAKERY.id, ADA, { text: 'hello?' });
    await waitFor(() => receiver.received.filter((r) => r.method === 'GET').length >= 2);
    await sim.webhooksIdle();
    expect(receiver.posts()).toHaveLength(0);
    expect(sim.state().webhook.problem).toMatch(/challenge/);
  });

  it('only delivers to subscribed pages', async () => {
    sim.dropSubscription(BAKERY.id);
    sim.customerWrites(BAKERY.id, ADA, { text: 'anyone?' });
    await sim.webhooksIdle();
    expect(receiver.posts()).toHaveLength(0);
  });

  it('retries failures and drops the page subscription after the configured run of them', async () => {
    receiver.postStatus = 503;
    sim.customerWrites(BAKERY.id, ADA, { text: 'are you there?' });
    await sim.webhooksIdle();
    expect(receiver.posts()).toHaveLength(4);
    const page = sim.state().pages.find((p) => p.id === BAKERY.id)!;
    expect(page.subscribed).toBe(false);
    expect(page.subscriptionNote).toMatch(/4 failed/);
    const sub = await graph('GET', `${BAKERY.id}/subscribed_apps`, { access_token: BAKERY.token });
    expect(sub.body).toEqual({ data: [] });
    expect(sim.state().webhook.problem).toMatch(/HTTP 503/);
  });

  it('recovers when the callback starts answering 200 before the limit', async () => {
    receiver.postStatus = 500;
    sim.customerWrites(BAKERY.id, ADA, { text: 'retry me' });
    await waitFor(() => receiver.posts().length >= 2);
    receiver.postStatus = 200;
    await sim.webhooksIdle();
    expect(sim.state().pages.find((p) => p.id === BAKERY.id)!.subscribed).toBe(true);
    expect(sim.state().webhook.problem).toBeUndefined();
  });

  it('redelivers a mid with the same event and batches events, reversed on demand', async () => {
    const { mid } = sim.customerWrites(BAKERY.id, ADA, { text: 'first' });
    await sim.webhooksIdle();
    sim.redeliver(mid);
    await sim.webhooksIdle();
    const [a, b] = receiver.events();
    expect(b).toEqual(a);

    sim.subscribe(SEED.pages.bikes.id);
    receiver.received = [];
    const res = await fetch(`${sim.url}/_sim/webhooks/batch`, {
      method: 'POST',
      body: JSON.stringify({
        order: 'reversed',
        events: [
          { pageId: BAKERY.id, psid: ADA, text: 'one' },
          { pageId: BAKERY.id, psid: ADA, text: 'two' },
          {
            pageId: SEED.pages.bikes.id,
            psid: SEED.customers.bikes.carla.psid,
            postbackPayload: 'START',
            postbackTitle: 'Get started',
          },
          { pageId: BAKERY.id, psid: BJORN, kind: 'read' },
        ],
      }),
    });
    expect(res.status).toBe(200);
    await sim.webhooksIdle();
    expect(receiver.posts()).toHaveLength(1);
    const body = JSON.parse(receiver.posts()[0].raw.toString());
    expect(body.entry.map((e: any) => e.id)).toEqual([BAKERY.id, SEED.pages.bikes.id, BAKERY.id]);
    expect(body.entry[0].messaging[0].read).toBeDefined();
    expect(body.entry[1].messaging[0].postback).toMatchObject({ title: 'Get started', payload: 'START' });
    expect(body.entry[2].messaging.map((e: any) => e.message.text)).toEqual(['two', 'one']);
  });

  it('reads page messages at once while the customer page has the chat open', async () => {
    const html = await (await fetch(`${sim.url}/chat`)).text();
    expect(html).toContain('<label for="message" class="visually-hidden">Message</label>');
    sim.customerWrites(BAKERY.id, ADA, { text: 'hi' });
    const abort = new AbortController();
    const stream = await fetch(`${sim.url}/_sim/pages/${BAKERY.id}/customers/${ADA}/stream`, {
      signal: abort.signal,
    });
    const reader = stream.body!.getReader();
    const first = JSON.parse(new TextDecoder().decode((await reader.read()).value).replace(/^data: /, ''));
    expect(first.conversation).toMatchObject([{ from: 'customer', text: 'hi' }]);
    await send(text(ADA, 'Hello!'));
    await waitFor(() => receiver.events().some((e) => e.read));
    expect(sim.conversation(BAKERY.id, ADA).at(-1)!.readAt).toEqual(expect.any(Number));
    abort.abort();
  });

  it('delivers customer attachments as expiring simulator URLs', async () => {
    sim.customerWrites(BAKERY.id, ADA, { attachment: { type: 'image' } });
    await sim.webhooksIdle();
    const url = receiver.events()[0].message.attachments[0].payload.url;
    expect(url.startsWith(sim.url)).toBe(true);
    const img = await fetch(url);
    expect(img.headers.get('content-type')).toBe('image/png');
    sim.advanceClock(4 * DAY);
    expect((await fetch(url)).status).toBe(403);
  });
});

describe('Send API', () => {
  it('answers within 24 h and follows with echo (with metadata) and delivery events', async () => {
    sim.customerWrites(BAKERY.id, ADA, { text: 'hi' });
    const res = await send(text(ADA, 'Hello Ada', { message: { text: 'Hello Ada', metadata: 'parley:42' } }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ recipient_id: ADA, message_id: expect.stringMatching(/^m_/) });
    await sim.webhooksIdle();
    const events = receiver.events();
    const echo = events.find((e) => e.message?.is_echo);
    expect(echo).toMatchObject({
      sender: { id: BAKERY.id },
      recipient: { id: ADA },
      message: {
        is_echo: true,
        app_id: Number(APP_ID),
        metadata: 'parley:42',
        mid: res.body.message_id,
        text: 'Hello Ada',
      },
    });
    const delivery = events.find((e) => e.delivery);
    expect(delivery).toMatchObject({ sender: { id: ADA }, delivery: { mids: [res.body.message_id] } });
    expect(events.indexOf(delivery)).toBeGreaterThan(events.indexOf(echo));
    sim.customerReads(BAKERY.id, ADA);
    await sim.webhooksIdle();
    expect(receiver.events().at(-1).read.watermark).toBeGreaterThanOrEqual(delivery.delivery.watermark);
    expect(sim.sent(BAKERY.id)).toMatchObject([
      { recipient: ADA, messaging_type: 'RESPONSE', text: 'Hello Ada', metadata: 'parley:42' },
    ]);
  });

  it('applies the 24 h and 7 day windows', async () => {
    sim.customerWrites(BAKERY.id, ADA, { text: 'hi' });
    expect((await send(text(ADA, 'in time'))).status).toBe(200);
    sim.advanceClock(3 * DAY);
    const late = await send(text(ADA, 'too late'));
    expect(late.status).toBe(400);
    expect(late.body.error).toMatchObject({ type: 'OAuthException', code: 10, error_subcode: 2018278 });
    expect(late.body.error.fbtrace_id).toEqual(expect.any(String));
    const tagged = await send(text(ADA, 'agent here', { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }));
    expect(tagged.status).toBe(200);
    sim.advanceClock(5 * DAY);
    expect((await send(text(ADA, 'x'))).body.error.error_subcode).toBe(2018278);
    expect(
      (await send(text(ADA, 'x', { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }))).body.error
        .error_subcode,
    ).toBe(2018278);
  });

  it('refuses blocked customers (551), unknown PSIDs (100/2018001) and long texts', async () => {
    sim.customerWrites(BAKERY.id, ADA, { text: 'hi' });
    sim.block(BAKERY.id, ADA);
    expect((await send(text(ADA, 'x'))).body.error).toMatchObject({ code: 551, error_subcode: 1545041 });
    sim.unblock(BAKERY.id, ADA);
    expect((await send(text('3999999999999999', 'x'))).body.error).toMatchObject({
      code: 100,
      error_subcode: 2018001,
    });
    expect((await send(text(ADA, 'x'.repeat(2001)))).body.error.code).toBe(100);
    expect((await send(text(ADA, 'x'.repeat(2000)))).status).toBe(200);
  });

  it('answers 613 above the configured per-page rate', async () => {
    sim.customerWrites(BAKERY.id, ADA, { text: 'hi' });
    sim.setRateLimit(BAKERY.id, 3);
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => send(text(ADA, `n${i}`))));
    expect(results.filter((r) => r.status === 200)).toHaveLength(3);
    expect(results.filter((r) => r.body.error?.code === 613)).toHaveLength(2);
  });

  it('refuses the next sends with the Facebook error asked for, then sends again', async () => {
    sim.customerWrites(BAKERY.id, ADA, { text: 'hi' });
    sim.customerWrites(BAKERY.id, BJORN, { text: 'hej' });
    sim.failSends(
      BAKERY.id,
      {
        code: 2,
        message: 'An unexpected error has occurred. Please retry your request later.',
        is_transient: true,
        error_user_title: 'Try again',
        error_user_msg: 'Something went wrong.',
      },
      { count: 2, status: 503 },
    );
    sim.failSends(BAKERY.id, { code: 10, error_subcode: 2018278 }, { psid: BJORN });
    // Typing and seen are not refused, nor counted against the rules.
    expect((await send({ recipient: { id: ADA }, sender_action: 'typing_on' })).status).toBe(200);

    const first = await send(text(ADA, 'one', { message: { text: 'one', metadata: 'm1' } }));
    expect(first.status).toBe(503);
    expect(first.body).toEqual({
      error: {
        message: 'An unexpected error has occurred. Please retry your request later.',
        type: 'OAuthException',
        code: 2,
        is_transient: true,
        error_user_title: 'Try again',
        error_user_msg: 'Something went wrong.',
        fbtrace_id: expect.any(String),
      },
    });
    expect((await send(text(BJORN, 'two'))).body.error.code).toBe(2);
    // The first rule is used up; the second only refuses sends to Björn, with Facebook's words.
    expect((await send(text(ADA, 'three'))).status).toBe(200);
    const window = await send(text(BJORN, 'four'));
    expect(window.status).toBe(400);
    expect(window.body.error).toMatchObject({
      code: 10,
      error_subcode: 2018278,
      type: 'OAuthException',
      message: expect.stringMatching(/^\(#10\) /),
    });
    expect((await send(text(BJORN, 'five'))).status).toBe(200);

    expect(
      sim
        .sent(BAKERY.id)
        .filter((s) => s.text)
        .map((s) => s.text),
    ).toEqual(['three', 'five']);
    expect(sim.refusedSends(BAKERY.id)).toMatchObject([
      { recipient: ADA, text: 'one', metadata: 'm1', status: 503, error: { code: 2 } },
      { recipient: BJORN, text: 'two', error: { code: 2 } },
      { recipient: BJORN, text: 'four', status: 400, error: { code: 10, error_subcode: 2018278 } },
    ]);
    expect(sim.state().pages.find((p) => p.id === BAKERY.id)).toMatchObject({
      sendFailures: [],
      refusedSends: 3,
    });

    // The same over HTTP; DELETE drops what is left.
    const control = (method: string, body?: unknown) =>
      fetch(`${sim.url}/_sim/pages/${BAKERY.id}/send-failures`, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const added = await control('POST', { error: { code: 100, message: '(#100) Bad' }, count: 3 });
    expect(added.status).toBe(200);
    expect(((await added.json()) as any).sendFailures).toMatchObject([
      { error: { code: 100, message: '(#100) Bad' }, status: 400, psid: null, remaining: 3 },
    ]);
    expect((await send(text(ADA, 'six'))).body.error).toMatchObject({ code: 100, message: '(#100) Bad' });
    expect(((await (await control('GET')).json()) as any).sendFailures[0].remaining).toBe(2);
    expect((await control('DELETE')).status).toBe(200);
    expect((await send(text(ADA, 'seven'))).status).toBe(200);
    const refused = (await (await fetch(`${sim.url}/_sim/pages/${BAKERY.id}/refused`)).json()) as any[];
    expect(refused.map((r) => r.text)).toEqual(['one', 'two', 'four', 'six']);

    for (const bad of [
      { error: { message: 'no code' } },
      { error: { code: 2 }, count: 0 },
      { error: { code: 2 }, status: 200 },
    ])
      expect((await control('POST', bad)).status).toBe(400);
    expect(
      (
        await fetch(`${sim.url}/_sim/pages/${BAKERY.id}/send-failures`, {
          method: 'POST',
          body: JSON.stringify({ error: { code: 2 }, psid: '3999999999999999' }),
        })
      ).status,
    ).toBe(404);
    sim.reset();
    expect(sim.refusedSends(BAKERY.id)).toEqual([]);
  });

  it('sends attachments uploaded to message_attachments', async () => {
    sim.customerWrites(BAKERY.id, ADA, { text: 'send me the menu' });
    const up = await graph(
      'POST',
      `${BAKERY.id}/message_attachments`,
      { access_token: BAKERY.token },
      {
        message: {
          attachment: { type: 'image', payload: { url: 'https://example.com/menu.png', is_reusable: true } },
        },
      },
    );
    expect(up.body.attachment_id).toEqual(expect.any(String));
    const res = await send({
      recipient: { id: ADA },
      messaging_type: 'RESPONSE',
      message: { attachment: { type: 'image', payload: { attachment_id: up.body.attachment_id } } },
    });
    expect(res.status).toBe(200);
    expect(sim.sent(BAKERY.id)[0].attachments).toMatchObject([
      { type: 'image', url: 'https://example.com/menu.png' },
    ]);
  });
});

describe('tokens, profiles and the login dialog', () => {
  const appToken = `${APP_ID}|${APP_SECRET}`;

  it('answers 190/463 for an expired page token and debug_token says it is invalid', async () => {
    sim.customerWrites(BAKERY.id, ADA, { text: 'hi' });
    sim.expireToken({ pageId: BAKERY.id });
    const res = await send(text(ADA, 'x'));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 190, error_subcode: 463, type: 'OAuthException' });
    const dbg = await graph('GET', 'debug_token', { input_token: BAKERY.token, access_token: appToken });
    expect(dbg.body.data).toMatchObject({
      is_valid: false,
      type: 'PAGE',
      error: { code: 190, subcode: 463 },
    });
    const bad = await graph('GET', 'debug_token', {
      input_token: BAKERY.token,
      access_token: `${APP_ID}|wrong`,
    });
    expect(bad.body.error.code).toBe(190);
  });

  it('gives 100/2018218 for a customer without a profile, and names for the others', async () => {
    const none = await graph('GET', SEED.customers.bakery.noProfile.psid, {
      fields: 'first_name,last_name,profile_pic',
      access_token: BAKERY.token,
    });
    expect(none.body.error).toMatchObject({
      message: '(#100) No profile available for this user',
      code: 100,
      error_subcode: 2018218,
    });
    const bjorn = await graph('GET', BJORN, {
      fields: 'first_name,last_name,profile_pic',
      access_token: BAKERY.token,
    });
    expect(bjorn.body).toMatchObject({
      first_name: 'Björn',
      last_name: 'Øster',
      profile_pic: expect.stringContaining('/cdn/p/'),
    });
  });

  /** Drives the dialog like a browser would: GET the form, then POST its fields. */
  async function login(opts: { person: string; decline?: string[]; cancel?: boolean }) {
    const redirectUri = 'http://127.0.0.1:3000/facebook/callback';
    const scope = 'pages_show_list,pages_messaging,pages_manage_metadata,pages_read_engagement';
    const q = new URLSearchParams({
      client_id: APP_ID,
      redirect_uri: redirectUri,
      state: 'signed-state',
      scope,
    });
    const html = await (await fetch(`${sim.url}/v25.0/dialog/oauth?${q}`)).text();
    expect(html).toContain('<button type="submit" name="action" value="continue">Continue</button>');
    const form = new URLSearchParams({
      client_id: APP_ID,
      redirect_uri: redirectUri,
      state: 'signed-state',
      scope,
    });
    form.append('person', opts.person);
    for (const m of html.matchAll(/name="page" id="[^"]+" value="(\d+)"/g)) form.append('page', m[1]);
    for (const p of scope.split(',')) if (!opts.decline?.includes(p)) form.append('permission', p);
    form.append('action', opts.cancel ? 'cancel' : 'continue');
    const res = await fetch(`${sim.url}/v25.0/dialog/oauth`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    return { location: new URL(res.headers.get('location')!), redirectUri };
  }

  it('records a declined permission through code, short and long-lived tokens', async () => {
    const { location, redirectUri } = await login({
      person: SEED.persons.dana.id,
      decline: ['pages_messaging'],
    });
    expect(location.searchParams.get('state')).toBe('signed-state');
    const code = location.searchParams.get('code')!;
    const exchange = { client_id: APP_ID, client_secret: APP_SECRET, redirect_uri: redirectUri, code };
    const short = await graph('GET', 'oauth/access_token', exchange);
    expect(short.body).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    expect((await graph('GET', 'oauth/access_token', exchange)).body.error.code).toBe(100); // single use
    const long = await graph('GET', 'oauth/access_token', {
      grant_type: 'fb_exchange_token',
      client_id: APP_ID,
      client_secret: APP_SECRET,
      fb_exchange_token: short.body.access_token,
    });
    const userToken = long.body.access_token;
    const perms = await graph('GET', 'me/permissions', { access_token: userToken });
    expect(perms.body.data).toContainEqual({ permission: 'pages_messaging', status: 'declined' });
    expect(perms.body.data).toContainEqual({ permission: 'pages_show_list', status: 'granted' });
    const dbg = await graph('GET', 'debug_token', { input_token: userToken, access_token: appToken });
    expect(dbg.body.data).toMatchObject({ type: 'USER', is_valid: true, user_id: SEED.persons.dana.id });
    expect(dbg.body.data.scopes).not.toContain('pages_messaging');

    const accounts = await graph('GET', 'me/accounts', {
      fields: 'id,name,access_token,tasks',
      access_token: userToken,
    });
    expect(accounts.body.data.map((p: any) => p.name)).toEqual(['Parley Demo Bakery', 'Parley Demo Bikes']);
    const pageToken = accounts.body.data[0].access_token;
    const pageDbg = await graph('GET', 'debug_token', { input_token: pageToken, access_token: appToken });
    expect(pageDbg.body.data).toMatchObject({
      type: 'PAGE',
      expires_at: 0,
      profile_id: BAKERY.id,
      is_valid: true,
    });
    sim.customerWrites(BAKERY.id, ADA, { text: 'hi' });
    expect((await send(text(ADA, 'x'), pageToken)).body.error.code).toBe(230);

    // A password change kills the user token and the page tokens made from it.
    sim.revokeToken({ personId: SEED.persons.dana.id });
    expect((await graph('GET', `${BAKERY.id}`, { access_token: pageToken })).body.error).toMatchObject({
      code: 190,
      error_subcode: 460,
    });
  });

  it('lists no pages for Sam and redirects with access_denied on Cancel', async () => {
    const cancelled = await login({ person: SEED.persons.sam.id, cancel: true });
    expect(Object.fromEntries(cancelled.location.searchParams)).toMatchObject({
      error: 'access_denied',
      error_reason: 'user_denied',
      error_description: 'Permissions error',
      state: 'signed-state',
    });
    const { location, redirectUri } = await login({ person: SEED.persons.sam.id });
    const short = await graph('GET', 'oauth/access_token', {
      client_id: APP_ID,
      client_secret: APP_SECRET,
      redirect_uri: redirectUri,
      code: location.searchParams.get('code')!,
    });
    const accounts = await graph('GET', 'me/accounts', { access_token: short.body.access_token });
    expect(accounts.body).toEqual({ data: [] });
    sim.advanceClock(2 * 3600);
    expect(
      (await graph('GET', 'me/accounts', { access_token: short.body.access_token })).body.error,
    ).toMatchObject({
      code: 190,
      error_subcode: 463,
    });
  });

  it('answers controls with clear 4xx messages', async () => {
    const res = await fetch(`${sim.url}/_sim/pages/${BAKERY.id}/customers/${ADA}/messages`, {
      method: 'POST',
      body: JSON.stringify({ attachment: { type: 'sticker' } }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error).toMatch(/attachment\.type/);
    const missing = await fetch(`${sim.url}/_sim/pages/999/sent`);
    expect(missing.status).toBe(404);
  });
});
