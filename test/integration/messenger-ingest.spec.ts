import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type Connection, createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { metaJson, signatureHeaders } from '../../libs/messenger-simulator/simulator.js';
import { parseDatabaseUrl } from '../../server/src/infrastructure/database/database.js';
import { JobQueue } from '../../server/src/infrastructure/queues/job-queue.service.js';
import { JobName } from '../../server/src/infrastructure/queues/queue-registry.js';
import { DELIVERY_ATTEMPTS } from '../../server/src/messenger/inbound/webhook-deliveries.service.js';
import { createCampaign } from '../support/campaigns.js';
import { type FacebookTestBed, SEED, startFacebookTestBed } from '../support/facebook.js';
import { codeOf, createUser, DEFAULT_PASSWORD, eventually, gql, login } from '../support/graphql.js';

const CONNECT = `mutation($c: ID!, $p: String!, $t: String!) { connectFacebookPage(campaignId: $c, pageId: $p, pageAccessToken: $t) { id tokenStatus } }`;
const BAKERY = SEED.pages.bakery;
const BIKES = SEED.pages.bikes;
const ADA = SEED.customers.bakery.ada;
const BJORN = SEED.customers.bakery.bjorn;
const NO_PROFILE = SEED.customers.bakery.noProfile;
const ORPHAN_PAGE = '1000000000000099';

type Row = Record<string, unknown>;

describe('Messenger webhook ingest (against the simulator)', () => {
  let bed: FacebookTestBed;
  let db: Connection;
  let bakeryCampaign: string;
  let bikesCampaign: string;
  let admin: string;

  beforeAll(async () => {
    bed = await startFacebookTestBed();
    const { baseUrl } = bed.server;
    admin = await login(baseUrl, bed.server.adminUsername, bed.server.adminPassword);
    bakeryCampaign = (await createCampaign(baseUrl, admin, { name: 'Bakery', channel: 'MESSENGER' })).id;
    bikesCampaign = (await createCampaign(baseUrl, admin, { name: 'Bikes', channel: 'MESSENGER' })).id;
    for (const [c, page] of [
      [bakeryCampaign, BAKERY],
      [bikesCampaign, BIKES],
    ] as const) {
      const done = await gql(baseUrl, CONNECT, { c, p: page.id, t: page.token }, { token: admin });
      expect(done.errors).toBeUndefined();
    }
    const { database, ...server } = parseDatabaseUrl(bed.server.environment.databaseUrl);
    db = await createConnection({ ...server, database, timezone: 'Z', dateStrings: false });
    await db.query("SET time_zone = '+00:00'");
    await db.query('UPDATE campaigns SET enabled = 0 WHERE id = ?', [bikesCampaign]);
    bed.sim.configure({ webhookUrl: `${baseUrl}/webhooks/messenger`, verifyToken: bed.verifyToken });
  });
  afterAll(async () => {
    await db?.end();
    await bed?.stop();
  });

  const rows = async (sql: string, params: unknown[] = []) => (await db.query(sql, params))[0] as Row[];

  /** Every delivery Facebook sent has been answered, and every stored one processed. */
  async function settled() {
    await bed.sim.webhooksIdle();
    await eventually(async () => {
      const [{ n }] = await rows("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'PENDING'");
      return Number(n) === 0;
    });
  }

  /** A signed POST as Facebook would send it, for events the simulator does not make on its own. */
  async function post(body: unknown, headers?: Record<string, string>) {
    const bytes = Buffer.from(metaJson(body));
    return fetch(`${bed.server.baseUrl}/webhooks/messenger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(headers ?? signatureHeaders(bytes, bed.appSecret)) },
      body: bytes,
    });
  }

  const page = (pageId: string, ...messaging: unknown[]) => ({
    object: 'page',
    entry: [{ id: pageId, time: Date.now(), messaging }],
  });

  const contactOf = async (pageId: string, psid: string) =>
    (await rows('SELECT * FROM contacts WHERE pageId = ? AND psid = ?', [pageId, psid]))[0];
  const messagesOf = async (contactId: unknown) =>
    rows('SELECT * FROM messages WHERE contactId = ? ORDER BY sentAt, id', [contactId]);
  const interactionsOf = async (contactId: unknown) =>
    rows('SELECT * FROM interactions WHERE contactId = ?', [contactId]);

  it('refuses a bad signature with 403 and stores nothing', async () => {
    const before = await rows('SELECT COUNT(*) AS n FROM webhook_deliveries');
    const refused = await post(page(BAKERY.id), { 'X-Hub-Signature-256': 'sha256=00' });
    expect(refused.status).toBe(403);
    expect(await rows('SELECT COUNT(*) AS n FROM webhook_deliveries')).toEqual(before);
  });

  it("stores a customer's message: contact named from the profile, message, QUEUED interaction", async () => {
    const { mid, timestamp } = bed.sim.customerWrites(BAKERY.id, ADA.psid, { text: 'Hello there 🍞' });
    await settled();
    const contact = await contactOf(BAKERY.id, ADA.psid);
    expect(contact).toBeDefined();
    const [message] = await messagesOf(contact.id);
    expect(message).toMatchObject({ direction: 'INBOUND', mid, text: 'Hello there 🍞', pageId: BAKERY.id });
    expect((message.sentAt as Date).getTime()).toBe(timestamp);
    const [interaction] = await interactionsOf(contact.id);
    expect(interaction).toMatchObject({
      campaignId: bakeryCampaign,
      status: 'QUEUED',
      id: message.interactionId,
    });
    expect((interaction.lastCustomerMessageAt as Date).getTime()).toBe(timestamp);
    const [delivery] = await rows(
      'SELECT status, attempts, processedAt FROM webhook_deliveries ORDER BY id DESC LIMIT 1',
    );
    expect(delivery.status).toBe('PROCESSED');
    await eventually(async () => (await contactOf(BAKERY.id, ADA.psid)).hasProfile === 1);
    expect(await contactOf(BAKERY.id, ADA.psid)).toMatchObject({
      name: `${ADA.firstName} ${ADA.lastName}`,
      firstName: ADA.firstName,
      hasProfile: 1,
    });
    expect((await contactOf(BAKERY.id, ADA.psid)).profilePicUrl).toMatch(/^http/);

    // A second message joins the same interaction.
    bed.sim.customerWrites(BAKERY.id, ADA.psid, { text: 'Anyone?' });
    await settled();
    expect(await messagesOf(contact.id)).toHaveLength(2);
    expect(await interactionsOf(contact.id)).toHaveLength(1);
  });

  it('gives a customer without a profile the "Messenger user 0003" name', async () => {
    bed.sim.customerWrites(BAKERY.id, NO_PROFILE.psid, { text: 'hi' });
    await settled();
    await eventually(async () => (await contactOf(BAKERY.id, NO_PROFILE.psid))?.hasProfile === 0);
    expect(await contactOf(BAKERY.id, NO_PROFILE.psid)).toMatchObject({
      name: 'Messenger user 0003',
      hasProfile: 0,
      profilePicUrl: null,
    });
  });

  it('applies every event of a batch (several entries), and a redelivered mid changes nothing', async () => {
    const sent = bed.sim.batch([
      { pageId: BAKERY.id, psid: BJORN.psid, text: 'one' },
      { pageId: BAKERY.id, psid: BJORN.psid, text: 'two' },
      { pageId: BIKES.id, psid: SEED.customers.bikes.carla.psid, text: 'bikes' },
      {
        pageId: BAKERY.id,
        psid: BJORN.psid,
        kind: 'postback',
        postbackPayload: 'MENU',
        postbackTitle: 'Menu',
      },
    ]);
    await settled();
    const bjorn = await contactOf(BAKERY.id, BJORN.psid);
    const messages = await messagesOf(bjorn.id);
    expect(messages.map((m) => m.text)).toEqual(['one', 'two', 'Menu']);
    expect(messages[2]).toMatchObject({ postbackPayload: 'MENU' });
    expect(await interactionsOf(bjorn.id)).toHaveLength(1);
    const carla = await contactOf(BIKES.id, SEED.customers.bikes.carla.psid);
    expect(await messagesOf(carla.id)).toHaveLength(1);

    const before = await rows('SELECT id, updatedAt, interactionId FROM messages ORDER BY id');
    const interactionsBefore = await rows('SELECT id, status, updatedAt FROM interactions ORDER BY id');
    bed.sim.redeliver(sent.events[0].mid!);
    bed.sim.redeliver(sent.events[0].mid!);
    await settled();
    expect(await rows('SELECT id, updatedAt, interactionId FROM messages ORDER BY id')).toEqual(before);
    expect(await rows('SELECT id, status, updatedAt FROM interactions ORDER BY id')).toEqual(
      interactionsBefore,
    );
  });

  it('lists messages delivered out of order by their timestamps', async () => {
    const { psid } = bed.sim.addCustomer(BAKERY.id, 'Out Oforder');
    const at = Date.now();
    const message = (ts: number, mid: string, text: string) => ({
      sender: { id: psid },
      recipient: { id: BAKERY.id },
      timestamp: ts,
      message: { mid, text },
    });
    // Two deliveries, the later message first, as Facebook may do.
    expect((await post(page(BAKERY.id, message(at + 5, 'm_ooo_2', 'second')))).status).toBe(200);
    expect((await post(page(BAKERY.id, message(at, 'm_ooo_1', 'first')))).status).toBe(200);
    await settled();
    const contact = await contactOf(BAKERY.id, psid);
    const listed = await rows('SELECT text FROM messages WHERE contactId = ? ORDER BY sentAt', [contact.id]);
    expect(listed.map((m) => m.text)).toEqual(['first', 'second']);
    const [interaction] = await interactionsOf(contact.id);
    expect((interaction.lastCustomerMessageAt as Date).getTime()).toBe(at + 5);
  });

  it('stores an attachment and a quick reply', async () => {
    const { mid } = bed.sim.customerWrites(BAKERY.id, ADA.psid, {
      text: 'look',
      attachment: { type: 'image' },
      quickReply: 'YES',
    });
    await settled();
    const [message] = await rows('SELECT * FROM messages WHERE mid = ?', [mid]);
    expect(message).toMatchObject({ quickReplyPayload: 'YES', text: 'look' });
    // Facebook's link is kept beside the copy in Parley's storage (attachments.spec.ts), which may already be there.
    expect(message.attachments).toEqual([
      expect.objectContaining({ type: 'IMAGE', url: expect.stringMatching(/\/cdn\/a\//) }),
    ]);
  });

  it('matches an echo of a Parley send by metadata; an echo without is a reply from the page inbox', async () => {
    const contact = await contactOf(BAKERY.id, ADA.psid);
    const [interaction] = await interactionsOf(contact.id);
    const ownId = randomUUID();
    await db.query(
      `INSERT INTO messages (id, pageId, contactId, interactionId, direction, text, attachments, sentAt, status)
       VALUES (?, ?, ?, ?, 'OUTBOUND', 'Our reply', '[]', NOW(3), 'PENDING')`,
      [ownId, BAKERY.id, contact.id, interaction.id],
    );
    const echo = (mid: string, text: string, metadata?: string) => ({
      sender: { id: BAKERY.id },
      recipient: { id: ADA.psid },
      timestamp: Date.now(),
      message: { is_echo: true, app_id: 1, mid, text, ...(metadata ? { metadata } : {}) },
    });
    expect(
      (
        await post(
          page(BAKERY.id, echo('m_echo_own', 'Our reply', ownId), echo('m_inbox', 'Typed in the inbox')),
        )
      ).status,
    ).toBe(200);
    await settled();
    expect((await rows('SELECT status, mid FROM messages WHERE id = ?', [ownId]))[0]).toEqual({
      status: 'SENT',
      mid: 'm_echo_own',
    });
    const [inbox] = await rows('SELECT * FROM messages WHERE mid = ?', ['m_inbox']);
    expect(inbox).toMatchObject({
      direction: 'OUTBOUND',
      text: 'Typed in the inbox',
      sentByUserId: null,
      status: 'SENT',
      interactionId: interaction.id,
    });
  });

  it('moves outbound messages to DELIVERED then READ, whatever order those arrive in', async () => {
    const contact = await contactOf(BAKERY.id, BJORN.psid);
    const ids = [randomUUID(), randomUUID()];
    const at = Date.now() - 10_000;
    for (const [i, id] of ids.entries()) {
      await db.query(
        `INSERT INTO messages (id, pageId, contactId, direction, mid, text, attachments, sentAt, status)
         VALUES (?, ?, ?, 'OUTBOUND', ?, 'x', '[]', ?, 'SENT')`,
        [id, BAKERY.id, contact.id, `m_out_${i}`, new Date(at + i * 1000)],
      );
    }
    const ends = (ts: number) => ({
      sender: { id: BJORN.psid },
      recipient: { id: BAKERY.id },
      timestamp: ts,
    });
    // The read of the first message arrives before its delivery; the delivery must not step it back.
    await post(page(BAKERY.id, { ...ends(at + 500), read: { watermark: at + 500 } }));
    await settled();
    await post(
      page(BAKERY.id, { ...ends(at + 2000), delivery: { mids: ['m_out_1'], watermark: at + 1500 } }),
    );
    await settled();
    const statuses = await rows('SELECT mid, status FROM messages WHERE id IN (?) ORDER BY mid', [ids]);
    expect(statuses).toEqual([
      { mid: 'm_out_0', status: 'READ' },
      { mid: 'm_out_1', status: 'DELIVERED' },
    ]);
  });

  it('sets and clears a reaction on the message reacted to', async () => {
    const { mid } = bed.sim.customerWrites(BAKERY.id, BJORN.psid, { text: 'react to me' });
    await settled();
    bed.sim.customerReacts(BAKERY.id, BJORN.psid, { mid, emoji: '😮' });
    await settled();
    // As an agent's screen reads it.
    const [{ id, interactionId }] = await rows('SELECT id, interactionId FROM messages WHERE mid = ?', [mid]);
    const reactionOf = async () => {
      const read = await gql(
        bed.server.baseUrl,
        'query($id: ID!) { interaction(id: $id) { messages { id reaction } } }',
        { id: interactionId },
        { token: admin },
      );
      expect(read.errors).toBeUndefined();
      return (read.data!.interaction.messages as { id: string; reaction: string | null }[]).find(
        (m) => m.id === id,
      )!.reaction;
    };
    expect(await reactionOf()).toBe('😮');
    bed.sim.customerReacts(BAKERY.id, BJORN.psid, { mid, action: 'unreact' });
    await settled();
    expect((await rows('SELECT reaction FROM messages WHERE mid = ?', [mid]))[0].reaction).toBeNull();
    expect(await reactionOf()).toBeNull();
  });

  it('keeps the newest reaction when a react and an unreact arrive in reverse order', async () => {
    const { mid } = bed.sim.customerWrites(BAKERY.id, BJORN.psid, { text: 'react to me, twice' });
    await settled();
    const at = Date.now();
    const reacts = (ts: number, reaction: Record<string, unknown>) => ({
      sender: { id: BJORN.psid },
      recipient: { id: BAKERY.id },
      timestamp: ts,
      reaction: { mid, ...reaction },
    });
    const reactionOf = async () =>
      (await rows('SELECT reaction FROM messages WHERE mid = ?', [mid]))[0].reaction;

    // The customer reacted, then took it back; Facebook delivers the unreact first.
    expect((await post(page(BAKERY.id, reacts(at + 10, { action: 'unreact' })))).status).toBe(200);
    await settled();
    expect(
      (await post(page(BAKERY.id, reacts(at, { action: 'react', emoji: '❤️', reaction: 'love' })))).status,
    ).toBe(200);
    await settled();
    expect(await reactionOf()).toBeNull();

    // Reacted again later, then a change of mind delivered first: the newest emoji stays.
    expect(
      (await post(page(BAKERY.id, reacts(at + 30, { action: 'react', emoji: '😆', reaction: 'smile' }))))
        .status,
    ).toBe(200);
    await settled();
    expect(
      (await post(page(BAKERY.id, reacts(at + 20, { action: 'react', emoji: '😢', reaction: 'sad' }))))
        .status,
    ).toBe(200);
    expect((await post(page(BAKERY.id, reacts(at + 25, { action: 'unreact' })))).status).toBe(200);
    await settled();
    expect(await reactionOf()).toBe('😆');
  });

  it('stores messages of a disabled campaign without an interaction', async () => {
    const carla = SEED.customers.bikes.carla;
    const { mid } = bed.sim.customerWrites(BIKES.id, carla.psid, { text: 'closed?' });
    await settled();
    const [message] = await rows('SELECT * FROM messages WHERE mid = ?', [mid]);
    expect(message).toMatchObject({ direction: 'INBOUND', interactionId: null });
    expect(await interactionsOf(message.contactId)).toEqual([]);
  });

  it('stops routing the moment an admin disables the campaign, and routes again once enabled', async () => {
    const setEnabled = async (enabled: boolean) => {
      const done = await gql(
        bed.server.baseUrl,
        'mutation($id: ID!, $e: Boolean!) { updateCampaign(id: $id, input: { enabled: $e }) { enabled } }',
        { id: bakeryCampaign, e: enabled },
        { token: admin },
      );
      expect(done.errors).toBeUndefined();
    };
    const interactionOf = async (mid: string) =>
      (await rows('SELECT interactionId FROM messages WHERE mid = ?', [mid]))[0]?.interactionId;
    const { psid } = bed.sim.addCustomer(BAKERY.id, 'Dora Switch');
    // Routed, and the campaign's settings as ingest read them are now remembered.
    const first = bed.sim.customerWrites(BAKERY.id, psid, { text: 'first, while enabled' });
    await settled();
    const routedTo = await interactionOf(first.mid);
    expect(routedTo).toEqual(expect.any(String));
    await setEnabled(false);
    try {
      const second = bed.sim.customerWrites(BAKERY.id, psid, { text: 'second, just after disabling' });
      await settled();
      expect(await interactionOf(second.mid)).toBeNull();
    } finally {
      await setEnabled(true);
    }
    const third = bed.sim.customerWrites(BAKERY.id, psid, { text: 'third, enabled again' });
    await settled();
    expect(await interactionOf(third.mid)).toBe(routedTo);
  });

  it('stores messages of a page no campaign owns, and logs them as orphaned', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn');
    try {
      const event = {
        sender: { id: '3900000000001234' },
        recipient: { id: ORPHAN_PAGE },
        timestamp: Date.now(),
        message: { mid: 'm_orphan', text: 'anyone home?' },
      };
      expect((await post(page(ORPHAN_PAGE, event))).status).toBe(200);
      await settled();
      const [message] = await rows('SELECT * FROM messages WHERE mid = ?', ['m_orphan']);
      expect(message).toMatchObject({ pageId: ORPHAN_PAGE, interactionId: null });
      expect(await contactOf(ORPHAN_PAGE, '3900000000001234')).toMatchObject({ name: 'Messenger user 1234' });
      expect(warn.mock.calls.some(([m]) => String(m).includes(`page ${ORPHAN_PAGE}`))).toBe(true);
    } finally {
      warn.mockRestore();
    }
  });

  it('answers 503 when the delivery cannot be stored, so Facebook retries; nothing half-written', async () => {
    const [{ n: before }] = await rows('SELECT COUNT(*) AS n FROM messages');
    await db.query('RENAME TABLE webhook_deliveries TO webhook_deliveries_away');
    try {
      const event = {
        sender: { id: ADA.psid },
        recipient: { id: BAKERY.id },
        timestamp: Date.now(),
        message: { mid: 'm_not_stored', text: 'lost?' },
      };
      expect((await post(page(BAKERY.id, event))).status).toBe(503);
    } finally {
      await db.query('RENAME TABLE webhook_deliveries_away TO webhook_deliveries');
    }
    await new Promise((r) => setTimeout(r, 300));
    expect((await rows('SELECT COUNT(*) AS n FROM messages'))[0].n).toBe(before);
  });

  it('processes a delivery left PENDING by a crash when the sweep runs', async () => {
    const event = {
      sender: { id: ADA.psid },
      recipient: { id: BAKERY.id },
      timestamp: Date.now(),
      message: { mid: 'm_after_crash', text: 'still there?' },
    };
    const [inserted] = (await db.query(
      "INSERT INTO webhook_deliveries (receivedAt, body, status, attempts) VALUES (NOW(3) - INTERVAL 2 MINUTE, ?, 'PENDING', 0)",
      [Buffer.from(metaJson(page(BAKERY.id, event)))],
    )) as unknown as [{ insertId: number }];
    await bed.server.app.get(JobQueue).add(JobName.SweepDeliveries, {});
    await eventually(async () => {
      const [row] = await rows('SELECT status FROM webhook_deliveries WHERE id = ?', [inserted.insertId]);
      return row.status === 'PROCESSED';
    });
    expect(await rows('SELECT text FROM messages WHERE mid = ?', ['m_after_crash'])).toEqual([
      { text: 'still there?' },
    ]);
  });
  describe('failed deliveries', () => {
    const FAILED = `query($first: Int, $before: ID) { failedWebhookDeliveries(first: $first, before: $before) {
      id receivedAt status object pageIds events attempts lastError size } }`;
    const COUNT = '{ messengerSettings { failedDeliveries } }';
    const REPLAY = 'mutation($id: ID!) { replayWebhookDelivery(id: $id) { id status attempts } }';
    const REPLAY_ALL = 'mutation { replayFailedDeliveries }';
    type Delivery = {
      id: string;
      status: string;
      object: string | null;
      pageIds: string[];
      events: number;
      attempts: number;
      lastError: string | null;
      size: number;
    };

    const asAdmin = <T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}) =>
      gql<T>(bed.server.baseUrl, query, variables, { token: admin });
    const failedCount = async () =>
      (await asAdmin<{ messengerSettings: { failedDeliveries: number } }>(COUNT)).data!.messengerSettings
        .failedDeliveries;
    const listed = async (variables: Record<string, unknown> = {}) => {
      const result = await asAdmin<{ failedWebhookDeliveries: Delivery[] }>(FAILED, variables);
      expect(result.errors).toBeUndefined();
      return result.data!.failedWebhookDeliveries;
    };
    const statusOf = async (id: unknown) =>
      (await rows('SELECT status, attempts FROM webhook_deliveries WHERE id = ?', [id]))[0];

    /** A delivery on its last attempt, as a crash or earlier failures would leave it; the sweep picks it up. */
    async function lastAttempt(body: unknown): Promise<number> {
      const [inserted] = (await db.query(
        "INSERT INTO webhook_deliveries (receivedAt, body, status, attempts) VALUES (NOW(3) - INTERVAL 2 MINUTE, ?, 'PENDING', ?)",
        [Buffer.from(metaJson(body)), DELIVERY_ATTEMPTS - 1],
      )) as unknown as [{ insertId: number }];
      await bed.server.app.get(JobQueue).add(JobName.SweepDeliveries, {});
      return inserted.insertId;
    }

    const customerMessage = (mid: string, text: string, at = Date.now()) => ({
      sender: { id: ADA.psid },
      recipient: { id: BAKERY.id },
      timestamp: at,
      message: { mid, text },
    });

    let notPage: Delivery;
    let notJson: Delivery;

    it('lists what Facebook signed but Parley cannot process, newest first, without the body', async () => {
      const before = await failedCount();
      // Signed by the app secret, so accepted; not a Messenger page delivery, so FAILED at once.
      const instagram = {
        object: 'instagram',
        entry: [
          {
            id: '17841400000000001',
            time: Date.now(),
            messaging: [customerMessage('ig_m_1', 'words only the customer wrote')],
          },
        ],
      };
      const bytes = Buffer.from(metaJson(instagram));
      expect((await post(instagram)).status).toBe(200);
      const garbled = Buffer.from('{"object":"page","entry":[');
      expect(
        (
          await fetch(`${bed.server.baseUrl}/webhooks/messenger`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...signatureHeaders(garbled, bed.appSecret) },
            body: garbled,
          })
        ).status,
      ).toBe(200);
      await settled();
      expect(await failedCount()).toBe(before + 2);

      const response = await asAdmin(FAILED);
      expect(JSON.stringify(response)).not.toContain('words only the customer wrote');
      [notJson, notPage] = (response.data as { failedWebhookDeliveries: Delivery[] }).failedWebhookDeliveries;
      expect(notPage).toMatchObject({
        status: 'FAILED',
        object: 'instagram',
        pageIds: ['17841400000000001'],
        events: 1,
        attempts: 1,
        lastError: expect.stringContaining('not a Messenger page delivery'),
        size: bytes.length,
      });
      expect(notJson).toMatchObject({
        status: 'FAILED',
        object: null,
        pageIds: [],
        events: 0,
        lastError: 'the body is not JSON',
        size: garbled.length,
      });
      expect(Number(notJson.id)).toBeGreaterThan(Number(notPage.id));

      // One at a time: the next page starts after the last one seen.
      expect((await listed({ first: 1 })).map((d) => d.id)).toEqual([notJson.id]);
      expect((await listed({ first: 1, before: notJson.id })).map((d) => d.id)).toEqual([notPage.id]);
      expect(codeOf(await asAdmin(FAILED, { first: 0 }))).toBe('BAD_USER_INPUT');
      expect(codeOf(await asAdmin(FAILED, { first: 101 }))).toBe('BAD_USER_INPUT');
    });

    it('is for admins only: agents and supervisors can neither list nor replay', async () => {
      for (const role of ['AGENT', 'SUPERVISOR']) {
        const user = await createUser(bed.server.baseUrl, admin, {
          username: `deliveries-${role.toLowerCase()}`,
          role,
        });
        const token = await login(bed.server.baseUrl, user.username, DEFAULT_PASSWORD);
        const as = (query: string, variables: Record<string, unknown> = {}) =>
          gql(bed.server.baseUrl, query, variables, { token });
        const refused = [
          await as(FAILED),
          await as(COUNT),
          await as(REPLAY, { id: notPage.id }),
          await as(REPLAY_ALL),
        ];
        for (const result of refused) {
          expect(codeOf(result)).toBe('FORBIDDEN');
          expect(result.data ?? null).toBeNull();
        }
      }
      expect((await statusOf(notPage.id)).status).toBe('FAILED');
    });

    it('a delivery that fails halfway is applied wholly or not at all; replayed, each message appears once', async () => {
      const { psid } = bed.sim.addCustomer(BAKERY.id, 'Halfway Failed');
      const at = Date.now();
      const message = (mid: string, text: string, ts: number) => ({
        sender: { id: psid },
        recipient: { id: BAKERY.id },
        timestamp: ts,
        message: { mid, text },
      });
      // The database refuses the second message (as a full disk or a bad migration would) on the
      // delivery's last attempt: the first, applied in the same transaction, is rolled back with it.
      await db.query(
        "CREATE TRIGGER refuse_m_halfway_2 BEFORE INSERT ON messages FOR EACH ROW IF NEW.mid = 'm_halfway_2' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'the disk is full'; END IF",
      );
      let id: number;
      try {
        id = await lastAttempt(
          page(
            BAKERY.id,
            message('m_halfway_1', 'first half', at),
            message('m_halfway_2', 'second half', at + 1),
          ),
        );
        await eventually(async () => (await statusOf(id)).status === 'FAILED');
      } finally {
        await db.query('DROP TRIGGER refuse_m_halfway_2');
      }
      const [failed] = (await listed()).filter((d) => d.id === String(id));
      expect(failed).toMatchObject({
        attempts: DELIVERY_ATTEMPTS,
        lastError: expect.stringContaining('the disk is full'),
        events: 2,
        pageIds: [BAKERY.id],
      });
      // Nothing of it was written, not even the new customer.
      expect(await contactOf(BAKERY.id, psid)).toBeUndefined();
      expect(await rows("SELECT id FROM messages WHERE mid LIKE 'm_halfway_%'")).toEqual([]);

      const replayed = await asAdmin<{
        replayWebhookDelivery: { id: string; status: string; attempts: number };
      }>(REPLAY, { id: String(id) });
      expect(replayed.errors).toBeUndefined();
      expect(replayed.data!.replayWebhookDelivery).toEqual({
        id: String(id),
        status: 'PENDING',
        attempts: 0,
      });
      expect((await listed()).map((d) => d.id)).not.toContain(String(id));
      await eventually(async () => (await statusOf(id)).status === 'PROCESSED');
      const contact = await contactOf(BAKERY.id, psid);
      expect((await messagesOf(contact.id)).map((m) => m.text)).toEqual(['first half', 'second half']);
      expect(await interactionsOf(contact.id)).toHaveLength(1);

      // Replaying what is not FAILED is refused in words; an unknown delivery is NOT_FOUND.
      const again = await asAdmin(REPLAY, { id: String(id) });
      expect(codeOf(again)).toBe('CONFLICT');
      expect(again.errors![0].message).toMatch(/processed already; only a FAILED delivery can be replayed/);
      expect(codeOf(await asAdmin(REPLAY, { id: '999999999' }))).toBe('NOT_FOUND');
      expect(codeOf(await asAdmin(REPLAY, { id: 'delivery-1' }))).toBe('NOT_FOUND');
    });

    it('a delivery the database refuses fails alone: the deliveries applied in a batch with it go through', async () => {
      // Two deliveries waiting together (a burst, then a crash), so one job may take both at once.
      const waiting = async (mid: string, text: string) => {
        const [inserted] = (await db.query(
          "INSERT INTO webhook_deliveries (receivedAt, body, status, attempts) VALUES (NOW(3) - INTERVAL 2 MINUTE, ?, 'PENDING', 0)",
          [Buffer.from(metaJson(page(BAKERY.id, customerMessage(mid, text))))],
        )) as unknown as [{ insertId: number }];
        return inserted.insertId;
      };
      await db.query(
        "CREATE TRIGGER refuse_m_poison BEFORE INSERT ON messages FOR EACH ROW IF NEW.mid = 'm_poison' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'the disk is full'; END IF",
      );
      try {
        const poison = await waiting('m_poison', 'refused');
        const good = await waiting('m_beside_poison', 'goes through');
        await bed.server.app.get(JobQueue).add(JobName.SweepDeliveries, {});
        await eventually(async () => (await statusOf(good)).status === 'PROCESSED');
        expect(await rows('SELECT text FROM messages WHERE mid = ?', ['m_beside_poison'])).toEqual([
          { text: 'goes through' },
        ]);
        await eventually(async () => Number((await statusOf(poison)).attempts) >= 1);
        expect((await statusOf(poison)).status).toBe('PENDING');
      } finally {
        await db.query('DROP TRIGGER refuse_m_poison');
      }
    });

    it('replays every failed delivery at once; one that cannot be processed comes back FAILED', async () => {
      // FAILED while its page was disconnected and back again, say: nothing wrong with the body itself.
      const [inserted] = (await db.query(
        "INSERT INTO webhook_deliveries (body, status, attempts, lastError) VALUES (?, 'FAILED', ?, 'Lock wait timeout exceeded')",
        [
          Buffer.from(metaJson(page(BAKERY.id, customerMessage('m_replay_all', 'after the outage')))),
          DELIVERY_ATTEMPTS,
        ],
      )) as unknown as [{ insertId: number }];
      const before = await failedCount();
      expect(before).toBeGreaterThanOrEqual(3);

      const result = await asAdmin<{ replayFailedDeliveries: number }>(REPLAY_ALL);
      expect(result.data).toEqual({ replayFailedDeliveries: before });
      await eventually(async () => (await statusOf(inserted.insertId)).status === 'PROCESSED');
      expect(await rows('SELECT text FROM messages WHERE mid = ?', ['m_replay_all'])).toEqual([
        { text: 'after the outage' },
      ]);
      // The instagram and garbled bodies fail again at once, with one attempt since the replay.
      await eventually(async () => (await failedCount()) === before - 1);
      expect(await statusOf(notPage.id)).toEqual({ status: 'FAILED', attempts: 1 });
      expect(await statusOf(notJson.id)).toEqual({ status: 'FAILED', attempts: 1 });
    });
  });

  it('purges PROCESSED deliveries older than DELIVERY_RETENTION_DAYS (7), in batches, and keeps the rest', async () => {
    const body = Buffer.from(metaJson(page(BAKERY.id)));
    const old: unknown[][] = [];
    // More than two batches of 1,000.
    for (let i = 0; i < 2_345; i++)
      old.push([
        new Date(Date.now() - 9 * 86_400_000),
        body,
        'PROCESSED',
        1,
        new Date(Date.now() - 8 * 86_400_000),
      ]);
    await db.query(
      'INSERT INTO webhook_deliveries (receivedAt, body, status, attempts, processedAt) VALUES ?',
      [old],
    );
    const [recent] = (await db.query(
      "INSERT INTO webhook_deliveries (receivedAt, body, status, attempts, processedAt) VALUES (NOW(3) - INTERVAL 7 DAY, ?, 'PROCESSED', 1, NOW(3) - INTERVAL 6 DAY)",
      [body],
    )) as unknown as [{ insertId: number }];
    const [oldFailed] = (await db.query(
      "INSERT INTO webhook_deliveries (receivedAt, body, status, attempts, lastError) VALUES (NOW(3) - INTERVAL 60 DAY, ?, 'FAILED', 6, 'still broken')",
      [body],
    )) as unknown as [{ insertId: number }];
    const kept = await rows(
      "SELECT id FROM webhook_deliveries WHERE status <> 'PROCESSED' OR processedAt > NOW(3) - INTERVAL 7 DAY ORDER BY id",
    );

    await bed.server.app.get(JobQueue).add(JobName.PurgeDeliveries, {});
    await eventually(async () => {
      const [{ n }] = await rows(
        'SELECT COUNT(*) AS n FROM webhook_deliveries WHERE processedAt < NOW(3) - INTERVAL 7 DAY',
      );
      return Number(n) === 0;
    });
    expect(await rows('SELECT id FROM webhook_deliveries ORDER BY id')).toEqual(kept);
    expect(kept).toContainEqual({ id: recent.insertId });
    expect(kept).toContainEqual({ id: oldFailed.insertId });
  });
});
