import { type Connection, createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../../libs/messenger-simulator/media.js';
import { parseDatabaseUrl } from '../../server/src/infrastructure/database/database.js';
import { Transactions } from '../../server/src/infrastructure/events/after-commit.js';
import { JobName } from '../../server/src/infrastructure/queues/queue-registry.js';
import { OutboundMessages } from '../../server/src/messenger/outbound/outbound-messages.service.js';
import { ALWAYS_OPEN, createCampaign } from '../support/campaigns.js';
import { type FacebookTestBed, runActivationPopup, SEED, startFacebookTestBed } from '../support/facebook.js';
import {
  codeOf,
  createApiKey,
  createUser,
  DEFAULT_PASSWORD,
  eventually,
  gql,
  login,
  subscribe,
  wsClient,
} from '../support/graphql.js';

// An agent's replies end to end against the simulator (docs/messenger.md#sending): sendMessage,
// the reply windows, order under rate limits, failures in words, Facebook's errors by kind
// (temporary, window, bad request, permission), a refused token and the page reconnected,
// duplicate jobs, uploads, messageChanged, typing and seen.

const CONNECT = `mutation($c: ID!, $p: String!, $t: String!) { connectFacebookPage(campaignId: $c, pageId: $p, pageAccessToken: $t) { id } }`;
const ADD = `mutation($c: [ID!]!, $u: [ID!]!) { addCampaignMembers(campaignIds: $c, userIds: $u) { id } }`;
const PRESENCE = `mutation { setPresence(presence: AVAILABLE) { id } }`;
const ACCEPT = `mutation($id: ID!) { acceptInteraction(id: $id) { id status } }`;
const CLOSE = `mutation($id: ID!) { closeInteraction(id: $id) { id status } }`;
const MESSAGE_FIELDS =
  'id interactionId direction text status error attachments { type url name } sentBy { username }';
const SEND = `mutation($i: ID!, $t: String, $a: [AttachmentInput!]) { sendMessage(interactionId: $i, text: $t, attachments: $a) { ${MESSAGE_FIELDS} } }`;
const TYPING = 'mutation($i: ID!) { markTyping(interactionId: $i) }';
const SEEN = 'mutation($i: ID!) { markSeen(interactionId: $i) }';
const BIKES = SEED.pages.bikes;

type Row = Record<string, any>;
interface Conversation {
  interactionId: string;
  psid: string;
  contactId: string;
}

describe('agent replies', () => {
  let bed: FacebookTestBed;
  let db: Connection;
  let admin: string;
  let campaignId: string;
  const tokens: Record<'ana' | 'ben' | 'sue', string> = { ana: '', ben: '', sue: '' };
  const sockets: ReturnType<typeof wsClient>[] = [];

  beforeAll(async () => {
    bed = await startFacebookTestBed();
    const { baseUrl } = bed.server;
    admin = await login(baseUrl, bed.server.adminUsername, bed.server.adminPassword);
    campaignId = (
      await createCampaign(baseUrl, admin, {
        name: 'Bikes',
        channel: 'MESSENGER',
        strategy: 'MANUAL',
        schedule: ALWAYS_OPEN,
        maxInteractionsPerAgent: 50,
      })
    ).id;
    expect(
      (await gql(baseUrl, CONNECT, { c: campaignId, p: BIKES.id, t: BIKES.token }, { token: admin })).errors,
    ).toBeUndefined();
    bed.sim.configure({ webhookUrl: `${baseUrl}/webhooks/messenger`, verifyToken: bed.verifyToken });
    // Agents take Messenger chats only through a VOICE membership (docs/routing.md).
    const voice = (await createCampaign(baseUrl, admin, { name: 'Phones', channel: 'VOICE' })).id;
    for (const [name, role] of [
      ['ana', 'AGENT'],
      ['ben', 'AGENT'],
      ['sue', 'SUPERVISOR'],
    ] as const) {
      const { id } = await createUser(baseUrl, admin, { username: name, role });
      await gql(baseUrl, ADD, { c: [campaignId, voice], u: [id] }, { token: admin });
      tokens[name] = await login(baseUrl, name, DEFAULT_PASSWORD);
      if (role === 'AGENT') await gql(baseUrl, PRESENCE, {}, { token: tokens[name] });
    }
    const { database, ...server } = parseDatabaseUrl(bed.server.environment.databaseUrl);
    db = await createConnection({ ...server, database });
  });

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.client.dispose()));
    await db?.end();
    await bed?.stop();
  });

  const url = () => bed.server.baseUrl;
  const rows = async (sql: string, params: unknown[] = []) => (await db.query(sql, params))[0] as Row[];
  const send = (interactionId: string, text: string | null, attachments?: unknown[], token = tokens.ana) =>
    gql(url(), SEND, { i: interactionId, t: text, a: attachments ?? null }, { token });
  const sentTo = (psid: string) =>
    bed.sim.sent(BIKES.id).filter((s) => s.recipient === psid && !s.sender_action);
  /** The Send API calls to this customer that the simulator refused (failSends). */
  const refusedTo = (psid: string) => bed.sim.refusedSends(BIKES.id).filter((r) => r.recipient === psid);
  const campaignRow = async () =>
    (await rows('SELECT tokenStatus, tokenError FROM campaigns WHERE id = ?', [campaignId]))[0];
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const settled = (id: string, timeoutMs = 15_000) =>
    eventually(async () => {
      const [row] = await rows("SELECT * FROM messages WHERE id = ? AND status <> 'PENDING'", [id]);
      return row;
    }, timeoutMs);

  /** A new customer writes to the bikes page and ana takes the conversation (MANUAL campaign). */
  async function conversation(name: string): Promise<Conversation> {
    const { psid } = bed.sim.addCustomer(BIKES.id, name);
    bed.sim.customerWrites(BIKES.id, psid, { text: `Hi, this is ${name}` });
    const found = await eventually(async () => {
      const [row] = await rows(
        'SELECT i.id, i.contactId FROM interactions i JOIN contacts c ON c.id = i.contactId WHERE c.psid = ?',
        [psid],
      );
      return row;
    });
    const accepted = await gql(url(), ACCEPT, { id: found.id }, { token: tokens.ana });
    expect(accepted.errors).toBeUndefined();
    return { interactionId: found.id, psid, contactId: found.contactId };
  }

  /** As if the customer last wrote `hours` ago: Parley's stored message and the simulator's clock. */
  async function customerWroteAgo(c: Conversation, hours: number) {
    await db.query(
      "UPDATE messages SET sentAt = NOW(3) - INTERVAL ? HOUR WHERE contactId = ? AND direction = 'INBOUND'",
      [hours, c.contactId],
    );
    bed.sim.advanceClock(hours * 3600);
  }

  /** messageChanged for one interaction (the subscribe helper takes no variables: the id is inlined). */
  function follow(interactionId: string, token = tokens.ana) {
    const socket = wsClient(bed.server.wsUrl, { authorization: `Bearer ${token}` });
    sockets.push(socket);
    return subscribe(
      socket.client,
      `subscription { messageChanged(interactionId: ${JSON.stringify(interactionId)}) { ${MESSAGE_FIELDS} } }`,
    );
  }

  it('answers PENDING at once, sends inside 24 hours as RESPONSE, and pushes each step to the agent', async () => {
    const c = await conversation('Rita Reply');
    const changes = follow(c.interactionId);
    const inboxSocket = wsClient(bed.server.wsUrl, { authorization: `Bearer ${tokens.ana}` });
    sockets.push(inboxSocket);
    const inbox = subscribe(
      inboxSocket.client,
      'subscription { inboxChanged { kind interaction { id firstResponseAt } message { id status text } } }',
    );
    await new Promise((r) => setTimeout(r, 400));

    const sent = await send(c.interactionId, '  Hello Rita, how can I help?  ');
    expect(sent.errors).toBeUndefined();
    const message = sent.data!.sendMessage;
    expect(message).toMatchObject({
      interactionId: c.interactionId,
      direction: 'OUTBOUND',
      text: 'Hello Rita, how can I help?',
      status: 'PENDING',
      error: null,
      attachments: [],
      sentBy: { username: 'ana' },
    });

    let inboxEvent = await inbox.next();
    // A late profile read may announce the customer's name first (UPDATED with no message).
    while (inboxEvent.data?.inboxChanged?.kind === 'UPDATED' && !inboxEvent.data.inboxChanged.message) {
      inboxEvent = await inbox.next();
    }
    expect(inboxEvent.data?.inboxChanged).toMatchObject({
      kind: 'MESSAGE',
      interaction: { id: c.interactionId, firstResponseAt: expect.any(String) },
      message: { id: message.id, text: 'Hello Rita, how can I help?' },
    });

    const statuses: string[] = [];
    const until = async (status: string) =>
      eventually(async () => {
        const event = await changes.next(10_000);
        expect(event.data?.messageChanged.id).toBe(message.id);
        statuses.push(event.data!.messageChanged.status);
        return event.data!.messageChanged.status === status;
      }, 15_000);
    await until('DELIVERED');
    bed.sim.customerReads(BIKES.id, c.psid);
    await until('READ');
    // Each event carries the message as it is when read, so quick steps may show twice; never back.
    const steps = statuses.filter((s, i) => s !== statuses[i - 1]);
    expect(steps[0]).toBe('PENDING');
    const order = ['PENDING', 'SENT', 'DELIVERED', 'READ'];
    expect(steps.map((s) => order.indexOf(s))).toEqual([...steps.map((s) => order.indexOf(s))].sort());
    expect(steps.at(-1)).toBe('READ');

    expect(sentTo(c.psid)).toEqual([
      expect.objectContaining({
        text: 'Hello Rita, how can I help?',
        messaging_type: 'RESPONSE',
        metadata: message.id,
      }),
    ]);
    // The echo was recognised: still one outbound message, with Facebook's mid.
    await bed.sim.webhooksIdle();
    const outbound = await rows("SELECT * FROM messages WHERE contactId = ? AND direction = 'OUTBOUND'", [
      c.contactId,
    ]);
    expect(outbound).toHaveLength(1);
    expect(outbound[0].mid).toMatch(/^m_/);
    const [interaction] = await rows('SELECT firstResponseAt FROM interactions WHERE id = ?', [
      c.interactionId,
    ]);
    expect(interaction.firstResponseAt).toBeInstanceOf(Date);
  });

  it('tags a reply HUMAN_AGENT 3 days on, and refuses one 8 days on before anything is stored', async () => {
    const later = await conversation('Hugo Later');
    await customerWroteAgo(later, 72);
    const sent = await send(later.interactionId, 'Sorry for the wait');
    expect(sent.errors).toBeUndefined();
    expect((await settled(sent.data!.sendMessage.id)).status).toMatch(/^(SENT|DELIVERED|READ)$/);
    expect(sentTo(later.psid).map((s) => [s.text, s.messaging_type, s.tag])).toEqual([
      ['Sorry for the wait', 'MESSAGE_TAG', 'HUMAN_AGENT'],
    ]);

    const late = await conversation('Vera Late');
    await customerWroteAgo(late, 8 * 24);
    const refused = await send(late.interactionId, 'Are you still there?');
    expect(codeOf(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0].message).toMatch(/7-day window/);
    expect(
      await rows("SELECT id FROM messages WHERE contactId = ? AND direction = 'OUTBOUND'", [late.contactId]),
    ).toEqual([]);
    expect(sentTo(late.psid)).toEqual([]);
  });

  it('refuses an empty or too long reply, and attachments it cannot send, saying what to fix', async () => {
    const c = await conversation('Ivy Input');
    const problems = [
      [await send(c.interactionId, '   '), /^text: write something/],
      [await send(c.interactionId, 'x'.repeat(2001)), /^text: must be at most 2000 characters.*2001/],
      [await send(c.interactionId, null, []), /^text: write something/],
      [
        await send(c.interactionId, null, [{ type: 'IMAGE', url: 'http://example.com/a.png' }]),
        /^attachments\[0\]\.url: must be a link from POST \/uploads or a public https URL/,
      ],
      [
        await send(c.interactionId, null, [
          {
            type: 'IMAGE',
            url: `${url()}/attachments/00000000-0000-0000-0000-000000000000?type=image/png&expires=9999999999&sig=x`,
          },
        ]),
        /^attachments\[0\]\.url: is not a link Parley gave/,
      ],
      [
        await send(
          c.interactionId,
          'many',
          Array.from({ length: 11 }, () => ({ type: 'IMAGE', url: 'https://example.com/a.png' })),
        ),
        /^attachments: at most 10 files/,
      ],
    ] as const;
    for (const [result, message] of problems) {
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0].message).toMatch(message);
    }
    expect(
      await rows("SELECT id FROM messages WHERE contactId = ? AND direction = 'OUTBOUND'", [c.contactId]),
    ).toEqual([]);
    // 2000 characters is Messenger's limit, and allowed.
    expect((await send(c.interactionId, 'y'.repeat(2000))).errors).toBeUndefined();
  });

  it('lets only the agent handling an ACTIVE interaction reply; others follow only as admin or supervisor', async () => {
    const c = await conversation('Omar Owner');
    expect(codeOf(await send(c.interactionId, 'Not mine', [], tokens.ben))).toBe('FORBIDDEN');
    expect(codeOf(await send(c.interactionId, 'Not mine either', [], admin))).toBe('FORBIDDEN');
    const { key } = await createApiKey(url(), admin, 'crm', 'SUPERVISOR');
    expect(codeOf(await gql(url(), SEND, { i: c.interactionId, t: 'From a tool' }, { apiKey: key }))).toBe(
      'FORBIDDEN',
    );
    expect(codeOf(await send('00000000-0000-0000-0000-000000000000', 'Nobody'))).toBe('NOT_FOUND');
    expect(codeOf(await gql(url(), TYPING, { i: c.interactionId }, { token: tokens.ben }))).toBe('FORBIDDEN');

    const intruder = follow(c.interactionId, tokens.ben);
    const supervisor = follow(c.interactionId, tokens.sue);
    const refused = await intruder.next().catch(() => null);
    expect(
      (refused && codeOf(refused)) ??
        (intruder.failure as { extensions?: { code?: string } }[] | undefined)?.[0]?.extensions?.code,
    ).toBe('FORBIDDEN');
    await new Promise((r) => setTimeout(r, 400));
    const sent = await send(c.interactionId, 'Watched by the supervisor');
    expect(sent.errors).toBeUndefined();
    expect((await supervisor.next(10_000)).data?.messageChanged).toMatchObject({
      id: sent.data!.sendMessage.id,
      text: 'Watched by the supervisor',
    });
    // The customer's own messages come on the same feed.
    bed.sim.customerWrites(BIKES.id, c.psid, { text: 'Thanks!' });
    await eventually(async () => {
      const event = await supervisor.next(10_000);
      return (
        event.data?.messageChanged.direction === 'INBOUND' && event.data.messageChanged.text === 'Thanks!'
      );
    });

    expect((await gql(url(), CLOSE, { id: c.interactionId }, { token: tokens.ana })).errors).toBeUndefined();
    const closed = await send(c.interactionId, 'After closing');
    expect(codeOf(closed)).toBe('CONFLICT');
    expect(closed.errors?.[0].message).toMatch(/ACTIVE.*CLOSED/);
  });

  it('keeps the order written while Facebook rate-limits, retrying the refused call (613)', async () => {
    const c = await conversation('Rosa Rate');
    const limitedBefore = bed.sim.state().pages.find((p) => p.id === BIKES.id)!.rateLimitedCalls;
    bed.sim.setRateLimit(BIKES.id, 1);
    try {
      const ids: string[] = [];
      for (const text of ['One', 'Two', 'Three']) {
        const sent = await send(c.interactionId, text);
        expect(sent.errors).toBeUndefined();
        ids.push(sent.data!.sendMessage.id);
      }
      for (const id of ids) expect((await settled(id, 30_000)).status).toMatch(/^(SENT|DELIVERED|READ)$/);
      expect(sentTo(c.psid).map((s) => s.text)).toEqual(['One', 'Two', 'Three']);
      expect(bed.sim.state().pages.find((p) => p.id === BIKES.id)!.rateLimitedCalls).toBeGreaterThan(
        limitedBefore,
      );
    } finally {
      bed.sim.setRateLimit(BIKES.id, 300);
    }
  });

  it('ends FAILED with the reason when the customer cannot be reached (551), and says so on messageChanged', async () => {
    const c = await conversation('Bea Blocked');
    bed.sim.block(BIKES.id, c.psid);
    const changes = follow(c.interactionId);
    await new Promise((r) => setTimeout(r, 400));
    const sent = await send(c.interactionId, 'Are you there?');
    expect(sent.errors).toBeUndefined();
    expect(await settled(sent.data!.sendMessage.id)).toMatchObject({
      status: 'FAILED',
      error: expect.stringContaining("this person isn't available right now"),
    });
    const failed = await eventually(async () => {
      const event = await changes.next(10_000);
      return event.data?.messageChanged.status === 'FAILED' ? event.data.messageChanged : null;
    });
    expect(failed.error).toContain("isn't available");
    bed.sim.unblock(BIKES.id, c.psid);
  });

  it('retries a reply Facebook refused for a passing problem (2, then 1200) and sends it once', async () => {
    const c = await conversation('Tina Transient');
    bed.sim.failSends(
      BIKES.id,
      {
        code: 2,
        message: 'An unexpected error has occurred. Please retry your request later.',
        is_transient: true,
      },
      { psid: c.psid, status: 500 },
    );
    bed.sim.failSends(BIKES.id, { code: 1200 }, { psid: c.psid });
    const sent = await send(c.interactionId, 'Yes, we fix gears on Saturdays');
    expect(sent.errors).toBeUndefined();
    const id = sent.data!.sendMessage.id;
    expect(await settled(id)).toMatchObject({
      status: expect.stringMatching(/^(SENT|DELIVERED|READ)$/),
      error: null,
      mid: expect.stringMatching(/^m_/),
    });
    // Both refusals were of this very message, then the third attempt went through.
    expect(refusedTo(c.psid).map((r) => [r.error.code, r.metadata])).toEqual([
      [2, id],
      [1200, id],
    ]);
    await pause(1_500);
    expect(sentTo(c.psid).map((s) => s.text)).toEqual(['Yes, we fix gears on Saturdays']);
    await bed.sim.webhooksIdle();
    expect(
      await rows("SELECT id FROM messages WHERE contactId = ? AND direction = 'OUTBOUND'", [c.contactId]),
    ).toHaveLength(1);
    expect((await campaignRow()).tokenStatus).toBe('ACTIVE');
  });

  it('ends FAILED with the reason in words when Facebook says the window is closed (10/2018278), and the page stays up', async () => {
    const c = await conversation('Wanda Window');
    // Parley thinks the 24 hours are open (the customer just wrote); Facebook disagrees.
    bed.sim.failSends(
      BIKES.id,
      {
        code: 10,
        error_subcode: 2018278,
        message:
          '(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview',
      },
      { psid: c.psid },
    );
    const changes = follow(c.interactionId);
    await pause(400);
    const sent = await send(c.interactionId, 'Still interested in the blue bike?');
    expect(sent.errors).toBeUndefined();
    const done = await settled(sent.data!.sendMessage.id);
    expect(done.status).toBe('FAILED');
    expect(done.error).toContain('outside the 24-hour window for replies');
    expect(done.error).toContain('Facebook error 10/2018278');
    const failed = await eventually(async () => {
      const event = await changes.next(10_000);
      return event.data?.messageChanged.status === 'FAILED' ? event.data.messageChanged : null;
    });
    expect(failed.error).toBe(done.error);
    await pause(1_000);
    expect(sentTo(c.psid)).toEqual([]);
    expect(refusedTo(c.psid)).toHaveLength(1);
    // Code 10 with the window's subcode is about this message, not a permission of the page.
    expect(await campaignRow()).toMatchObject({ tokenStatus: 'ACTIVE', tokenError: null });
  });

  it('ends FAILED at the first answer when Facebook calls the request bad (100), never trying it again', async () => {
    const c = await conversation('Boris Bad');
    // Enough refusals that a retry would show up here as a second refused call.
    bed.sim.failSends(
      BIKES.id,
      { code: 100, message: '(#100) Param message[text] must be a UTF-8 encoded string' },
      { psid: c.psid, count: 3 },
    );
    try {
      const sent = await send(c.interactionId, 'Here is your receipt');
      expect(sent.errors).toBeUndefined();
      const id = sent.data!.sendMessage.id;
      const done = await settled(id);
      expect(done).toMatchObject({
        status: 'FAILED',
        error:
          'Facebook refused the request (Facebook error 100): (#100) Param message[text] must be a UTF-8 encoded string',
      });
      // Longer than the first two backoffs (500 ms, 1 s): a retry would have been refused by now.
      await pause(2_000);
      expect(refusedTo(c.psid).map((r) => r.metadata)).toEqual([id]);
      expect(sentTo(c.psid)).toEqual([]);
      expect((await rows('SELECT status FROM messages WHERE id = ?', [id]))[0].status).toBe('FAILED');
      expect((await campaignRow()).tokenStatus).toBe('ACTIVE');
    } finally {
      bed.sim.clearSendFailures(BIKES.id);
    }
  });

  it('never sends one reply twice when several jobs run it at once', async () => {
    const c = await conversation('Dora Double');
    const [agent] = await rows("SELECT id FROM users WHERE username = 'ana'");
    const id = await bed.server.app.get(Transactions).run(async (uow) => {
      const messageId = await bed.server.app.get(OutboundMessages).queue(uow, {
        interactionId: c.interactionId,
        contactId: c.contactId,
        pageId: BIKES.id,
        text: 'Only once, please',
        sentByUserId: agent.id,
      });
      // As a resume after reconnection and a retry could both start it: four more jobs at once.
      for (const n of [1, 2, 3, 4])
        uow.enqueue(JobName.SendMessage, { messageId }, { jobId: `dup-${messageId}-${n}` });
      return messageId;
    });
    expect((await settled(id)).status).toMatch(/^(SENT|DELIVERED|READ)$/);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(sentTo(c.psid).filter((s) => s.text === 'Only once, please')).toHaveLength(1);
  });

  it('uploads a file by content type and sends it through the attachment upload API after the text', async () => {
    const upload = (
      body: FormData | undefined,
      headers: Record<string, string> = { authorization: `Bearer ${tokens.ana}` },
    ) => fetch(`${url()}/uploads`, { method: 'POST', headers, body });
    const form = (bytes: Uint8Array, name: string, type = 'application/octet-stream') => {
      const f = new FormData();
      f.append('file', new Blob([bytes], { type }), name);
      return f;
    };
    const png = makePng('agent-upload');

    const anonymous = await upload(form(png, 'photo.png'), {});
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: 'UNAUTHENTICATED' });

    // A name and a claimed type mean nothing: the bytes decide.
    const script = await upload(
      form(Buffer.from('\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0'), 'photo.png', 'image/png'),
    );
    expect(script.status).toBe(415);
    expect(await script.json()).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: expect.stringContaining('picture'),
    });

    const huge = await upload(form(new Uint8Array(25 * 1024 * 1024 + 1), 'huge.png', 'image/png'));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringContaining('25 MB'),
    });

    const noFile = new FormData();
    noFile.append('note', 'no file here');
    const missing = await upload(noFile);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ code: 'BAD_USER_INPUT', field: 'file' });

    const good = await upload(form(png, 'wheel.png', 'text/plain'));
    expect(good.status).toBe(201);
    const uploaded = (await good.json()) as { url: string; type: string; name: string };
    expect(uploaded).toMatchObject({
      type: 'IMAGE',
      name: 'wheel.png',
      url: expect.stringContaining('/attachments/'),
    });
    const readBack = await fetch(uploaded.url);
    expect(readBack.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await readBack.arrayBuffer()).equals(png)).toBe(true);

    const c = await conversation('Paul Photo');
    const sent = await send(c.interactionId, 'Here is the wheel', [
      { type: 'IMAGE', url: uploaded.url, name: uploaded.name },
      { type: 'FILE', url: 'https://example.com/manual.pdf', name: 'manual.pdf' },
    ]);
    expect(sent.errors).toBeUndefined();
    expect(sent.data!.sendMessage.attachments).toEqual([
      { type: 'IMAGE', url: expect.stringContaining('/attachments/'), name: 'wheel.png' },
      { type: 'FILE', url: 'https://example.com/manual.pdf', name: 'manual.pdf' },
    ]);
    const done = await settled(sent.data!.sendMessage.id);
    expect(done).toMatchObject({ status: expect.stringMatching(/^(SENT|DELIVERED|READ)$/), sentParts: 3 });
    const parts = sentTo(c.psid);
    expect(parts.map((p) => [p.text ?? null, p.attachments?.[0].type ?? null])).toEqual([
      ['Here is the wheel', null],
      [null, 'image'],
      [null, 'file'],
    ]);
    // The picture went as bytes (message_attachments, then attachment_id); the URL as a URL.
    const picture = await fetch(parts[1].attachments![0].url!);
    expect(Buffer.from(await picture.arrayBuffer()).equals(png)).toBe(true);
    expect(parts[2].attachments![0].url).toBe('https://example.com/manual.pdf');
    await bed.sim.webhooksIdle();
    expect(
      await rows("SELECT id FROM messages WHERE contactId = ? AND direction = 'OUTBOUND'", [c.contactId]),
    ).toHaveLength(1);
  });

  it('shows typing and seen in the customer chat, at most once per 5 seconds; a seen asked meanwhile goes out when they end', async () => {
    const c = await conversation('Tess Typing');
    expect((await gql(url(), TYPING, { i: c.interactionId }, { token: tokens.ana })).data).toEqual({
      markTyping: true,
    });
    expect((await gql(url(), TYPING, { i: c.interactionId }, { token: tokens.ana })).data).toEqual({
      markTyping: false,
    });
    expect((await gql(url(), SEEN, { i: c.interactionId }, { token: tokens.ana })).data).toEqual({
      markSeen: true,
    });
    const actions = () =>
      bed.sim
        .sent(BIKES.id)
        .filter((s) => s.recipient === c.psid && s.sender_action)
        .map((a) => a.sender_action);
    expect(actions()).toEqual(['typing_on', 'mark_seen']);
    // The customer writes again at once and the open chat marks it seen twice: throttled, yet one
    // mark still goes out when the 5 seconds end, so the newest message does not stay unseen.
    const asked = performance.now();
    for (let i = 0; i < 2; i++) {
      expect((await gql(url(), SEEN, { i: c.interactionId }, { token: tokens.ana })).data).toEqual({
        markSeen: false,
      });
    }
    expect(actions()).toEqual(['typing_on', 'mark_seen']);
    await eventually(async () => actions().length === 3, 8_000);
    expect(performance.now() - asked).toBeGreaterThan(3_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(actions()).toEqual(['typing_on', 'mark_seen', 'mark_seen']);
  });

  it('keeps replies PENDING while the page token is refused, and sends each once after the page is reconnected', async () => {
    const c = await conversation('Tom Token');
    bed.sim.expireToken({ token: BIKES.token });
    const first = await send(c.interactionId, 'First, while the page is down');
    expect(first.errors).toBeUndefined();
    const campaign = async () =>
      (await rows('SELECT tokenStatus, tokenError FROM campaigns WHERE id = ?', [campaignId]))[0];
    expect(
      await eventually(async () => ((await campaign()).tokenStatus === 'INACTIVE' ? campaign() : null)),
    ).toMatchObject({
      tokenError: 'the page token has expired (Facebook error 190/463)',
    });
    const second = await send(c.interactionId, 'Second, while the page is down');
    expect(second.errors).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1_500));
    const waiting = await rows('SELECT status FROM messages WHERE id IN (?)', [
      [first.data!.sendMessage.id, second.data!.sendMessage.id],
    ]);
    expect(waiting.map((m) => m.status)).toEqual(['PENDING', 'PENDING']);
    expect(sentTo(c.psid)).toEqual([]);

    // An admin activates the page again (a fresh token through the login popup).
    const popup = await runActivationPopup(bed, admin, campaignId, { choosePage: BIKES.name });
    expect(popup.result?.status).toBe(200);
    expect((await campaign()).tokenStatus).toBe('ACTIVE');
    for (const m of [first, second])
      expect((await settled(m.data!.sendMessage.id)).status).toMatch(/^(SENT|DELIVERED|READ)$/);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(sentTo(c.psid).map((s) => s.text)).toEqual([
      'First, while the page is down',
      'Second, while the page is down',
    ]);
  });
  it('keeps a reply PENDING and takes the page down when Facebook says a permission is missing (10), then sends it once after the page is activated again', async () => {
    const c = await conversation('Pia Permission');
    const reason = '(#10) Application does not have permission for this action';
    bed.sim.failSends(BIKES.id, { code: 10, message: reason }, { psid: c.psid });
    let restored = false;
    try {
      const sent = await send(c.interactionId, 'Your bike is ready for pick-up');
      expect(sent.errors).toBeUndefined();
      const id = sent.data!.sendMessage.id;
      expect(
        await eventually(async () =>
          (await campaignRow()).tokenStatus === 'INACTIVE' ? campaignRow() : null,
        ),
      ).toMatchObject({
        tokenError: `a permission Parley needs is missing or was revoked (Facebook error 10): ${reason}`,
      });
      await pause(1_500);
      expect((await rows('SELECT status, error FROM messages WHERE id = ?', [id]))[0]).toMatchObject({
        status: 'PENDING',
        error: null,
      });
      expect(sentTo(c.psid)).toEqual([]);
      expect(refusedTo(c.psid)).toHaveLength(1);

      // An admin activates the page again (the login popup); the waiting reply goes, once.
      const popup = await runActivationPopup(bed, admin, campaignId, { choosePage: BIKES.name });
      expect(popup.result?.status).toBe(200);
      restored = true;
      expect(await campaignRow()).toMatchObject({ tokenStatus: 'ACTIVE', tokenError: null });
      expect((await settled(id)).status).toMatch(/^(SENT|DELIVERED|READ)$/);
      await pause(1_500);
      expect(sentTo(c.psid).map((s) => s.text)).toEqual(['Your bike is ready for pick-up']);
      expect(refusedTo(c.psid)).toHaveLength(1);
    } finally {
      // Later tests need the page up, whatever failed above.
      bed.sim.clearSendFailures(BIKES.id);
      if (!restored && (await campaignRow()).tokenStatus !== 'ACTIVE')
        await runActivationPopup(bed, admin, campaignId, { choosePage: BIKES.name });
    }
  });
});
