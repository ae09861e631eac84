import { type Connection, createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../server/src/infrastructure/database/database.js';
import { Transactions } from '../../server/src/infrastructure/events/after-commit.js';
import { OutboundMessages } from '../../server/src/messenger/outbound/outbound-messages.service.js';
import { createCampaign } from '../support/campaigns.js';
import { type FacebookTestBed, SEED, startFacebookTestBed } from '../support/facebook.js';
import { eventually, gql, login } from '../support/graphql.js';

// Messages Parley sends to customers through the Send API, against the simulator: the after-hours
// reply (once per conversation per day), the reply windows, failures in words, order kept.

const CONNECT = `mutation($c: ID!, $p: String!, $t: String!) { connectFacebookPage(campaignId: $c, pageId: $p, pageAccessToken: $t) { id } }`;
const UPDATE = 'mutation($id: ID!, $input: CampaignInput!) { updateCampaign(id: $id, input: $input) { id } }';
const BAKERY = SEED.pages.bakery;
const CLOSED_TEXT = 'We are closed now; we answer from 9:00.';

type Row = Record<string, any>;

describe('outbound messages', () => {
  let bed: FacebookTestBed;
  let db: Connection;
  let admin: string;
  let campaignId: string;

  beforeAll(async () => {
    bed = await startFacebookTestBed();
    const { baseUrl } = bed.server;
    admin = await login(baseUrl, bed.server.adminUsername, bed.server.adminPassword);
    campaignId = (
      await createCampaign(baseUrl, admin, {
        name: 'Bakery',
        channel: 'MESSENGER',
        schedule: [],
        afterHoursMessage: CLOSED_TEXT,
      })
    ).id;
    expect(
      (await gql(baseUrl, CONNECT, { c: campaignId, p: BAKERY.id, t: BAKERY.token }, { token: admin }))
        .errors,
    ).toBeUndefined();
    bed.sim.configure({ webhookUrl: `${baseUrl}/webhooks/messenger`, verifyToken: bed.verifyToken });
    const { database, ...server } = parseDatabaseUrl(bed.server.environment.databaseUrl);
    db = await createConnection({ ...server, database });
  });

  afterAll(async () => {
    await db?.end();
    await bed?.stop();
  });

  const rows = async (sql: string, params: unknown[] = []) => (await db.query(sql, params))[0] as Row[];
  const contactOf = async (psid: string) =>
    (await eventually(async () => (await rows('SELECT * FROM contacts WHERE psid = ?', [psid]))[0])) as Row;
  const outboundOf = (contactId: string) =>
    rows("SELECT * FROM messages WHERE contactId = ? AND direction = 'OUTBOUND' ORDER BY sentAt, id", [
      contactId,
    ]);

  it('answers a customer of a closed campaign with its after-hours message, once that day, matched to its echo', async () => {
    const ada = SEED.customers.bakery.ada;
    bed.sim.customerWrites(BAKERY.id, ada.psid, { text: 'Are you open?' });
    bed.sim.customerWrites(BAKERY.id, ada.psid, { text: 'Hello?' });
    const contact = await contactOf(ada.psid);
    const [reply] = await eventually(async () => {
      const list = await outboundOf(contact.id);
      return list.length && ['DELIVERED', 'READ'].includes(list[0].status) ? list : null;
    });
    expect(reply).toMatchObject({ text: CLOSED_TEXT, sentByUserId: null, error: null });
    expect(reply.mid).toMatch(/^m_/);
    const sent = bed.sim.sent(BAKERY.id).filter((s) => s.recipient === ada.psid);
    expect(sent).toEqual([
      expect.objectContaining({ text: CLOSED_TEXT, messaging_type: 'RESPONSE', metadata: reply.id }),
    ]);
    // The echo of that send was recognised: still one outbound message.
    await bed.sim.webhooksIdle();
    expect(await outboundOf(contact.id)).toHaveLength(1);
  });

  it('sends nothing automatic while the campaign is open', async () => {
    const allWeek = [{ days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], from: '00:00', to: '23:59' }];
    await gql(bed.server.baseUrl, UPDATE, { id: campaignId, input: { schedule: allWeek } }, { token: admin });
    const carla = bed.sim.addCustomer(BAKERY.id, 'Carla Open');
    bed.sim.customerWrites(BAKERY.id, carla.psid, { text: 'Hi' });
    const contact = await contactOf(carla.psid);
    await eventually(
      async () => (await rows('SELECT id FROM interactions WHERE contactId = ?', [contact.id]))[0],
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(await outboundOf(contact.id)).toEqual([]);
    await gql(bed.server.baseUrl, UPDATE, { id: campaignId, input: { schedule: [] } }, { token: admin });
  });

  /** An agent's reply stored as sendMessage will store it, `hoursAgo` after the customer last wrote. */
  async function replyAfter(hoursAgo: number, texts: string[]) {
    const customer = bed.sim.addCustomer(BAKERY.id, `Customer ${hoursAgo}h`);
    bed.sim.customerWrites(BAKERY.id, customer.psid, { text: 'A question' });
    const contact = await contactOf(customer.psid);
    const [interaction] = await eventually(async () => {
      const found = await rows('SELECT id FROM interactions WHERE contactId = ?', [contact.id]);
      return found.length ? found : null;
    });
    await eventually(async () => (await outboundOf(contact.id)).length > 0); // the after-hours reply
    // Both clocks move: Parley's stored message (from its own now: the simulator's clock may be
    // ahead from an earlier test) and the simulator's record of the customer.
    await db.query(
      "UPDATE messages SET sentAt = NOW(3) - INTERVAL ? HOUR WHERE contactId = ? AND direction = 'INBOUND'",
      [hoursAgo, contact.id],
    );
    bed.sim.advanceClock(hoursAgo * 3600);
    const [agent] = await rows("SELECT id FROM users WHERE username = 'admin'");
    const ids: string[] = [];
    await bed.server.app.get(Transactions).run(async (uow) => {
      for (const text of texts) {
        ids.push(
          await bed.server.app.get(OutboundMessages).queue(uow, {
            interactionId: interaction.id,
            contactId: contact.id,
            pageId: BAKERY.id,
            text,
            sentByUserId: agent.id,
          }),
        );
        await uow.em.query('UPDATE messages SET sentAt = sentAt + INTERVAL ? MICROSECOND WHERE id = ?', [
          ids.length * 1000,
          ids.at(-1),
        ]);
      }
    });
    const settled = await eventually(async () => {
      const list = await rows(`SELECT * FROM messages WHERE id IN (?) ORDER BY sentAt`, [ids]);
      return list.every((m) => m.status !== 'PENDING') ? list : null;
    }, 15_000);
    return { customer, settled };
  }

  it("sends an agent's reply 3 days on tagged HUMAN_AGENT, in the order written", async () => {
    const { customer, settled } = await replyAfter(72, ['First', 'Second', 'Third']);
    for (const message of settled) expect(message.status).toMatch(/^(SENT|DELIVERED|READ)$/);
    const sent = bed.sim.sent(BAKERY.id).filter((s) => s.recipient === customer.psid && s.tag);
    expect(sent.map((s) => [s.text, s.messaging_type, s.tag])).toEqual([
      ['First', 'MESSAGE_TAG', 'HUMAN_AGENT'],
      ['Second', 'MESSAGE_TAG', 'HUMAN_AGENT'],
      ['Third', 'MESSAGE_TAG', 'HUMAN_AGENT'],
    ]);
  });

  it('refuses a reply 8 days on before anything reaches Facebook, saying why', async () => {
    const late = await replyAfter(8 * 24, ['Too late']);
    expect(late.settled[0]).toMatchObject({
      status: 'FAILED',
      error: expect.stringContaining('7-day window'),
    });
    expect(
      bed.sim.sent(BAKERY.id).some((s) => s.recipient === late.customer.psid && s.text === 'Too late'),
    ).toBe(false);
  });

  it('ends FAILED with the reason when the customer cannot be reached', async () => {
    const customer = bed.sim.addCustomer(BAKERY.id, 'Blocking Customer');
    bed.sim.customerWrites(BAKERY.id, customer.psid, { text: 'Bye' });
    const contact = await contactOf(customer.psid);
    bed.sim.block(BAKERY.id, customer.psid);
    const [interaction] = await eventually(async () => {
      const found = await rows('SELECT id FROM interactions WHERE contactId = ?', [contact.id]);
      return found.length ? found : null;
    });
    const id = await bed.server.app.get(Transactions).run((uow) =>
      bed.server.app.get(OutboundMessages).queue(uow, {
        interactionId: interaction.id,
        contactId: contact.id,
        pageId: BAKERY.id,
        text: 'Are you there?',
        sentByUserId: null,
      }),
    );
    const [failed] = await eventually(async () => {
      const found = await rows("SELECT * FROM messages WHERE id = ? AND status <> 'PENDING'", [id]);
      return found.length ? found : null;
    });
    expect(failed).toMatchObject({ status: 'FAILED', error: expect.stringContaining("isn't available") });
  });
});
