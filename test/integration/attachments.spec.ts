import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Connection, createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../server/src/infrastructure/database/database.js';
import { JobQueue } from '../../server/src/infrastructure/queues/job-queue.service.js';
import { JobName } from '../../server/src/infrastructure/queues/queue-registry.js';
import { AttachmentLinks } from '../../server/src/messenger/attachments/attachment-links.js';
import type { MessageAttachment } from '../../server/src/messenger/message.entity.js';
import { createCampaign } from '../support/campaigns.js';
import { type FacebookTestBed, SEED, startFacebookTestBed } from '../support/facebook.js';
import { eventually, gql, login } from '../support/graphql.js';

// Attachments customers send: copied from Facebook's expiring links into Parley's storage, and
// served only through signed, expiring links (docs/messenger.md#attachments).

const CONNECT = `mutation($c: ID!, $p: String!, $t: String!) { connectFacebookPage(campaignId: $c, pageId: $p, pageAccessToken: $t) { id } }`;
const BAKERY = SEED.pages.bakery;
const ADA = SEED.customers.bakery.ada;
const MB = 1024 * 1024;

describe('attachments', () => {
  let bed: FacebookTestBed;
  let db: Connection;
  let dir: string;
  let cdn: Server;
  let cdnUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-attachments-'));
    bed = await startFacebookTestBed({ ATTACHMENTS_DIR: dir, ATTACHMENT_MAX_MB: '1' });
    const { baseUrl } = bed.server;
    const admin = await login(baseUrl, bed.server.adminUsername, bed.server.adminPassword);
    const campaign = (await createCampaign(baseUrl, admin, { name: 'Bakery', channel: 'MESSENGER' })).id;
    expect(
      (await gql(baseUrl, CONNECT, { c: campaign, p: BAKERY.id, t: BAKERY.token }, { token: admin })).errors,
    ).toBeUndefined();
    bed.sim.configure({ webhookUrl: `${baseUrl}/webhooks/messenger`, verifyToken: bed.verifyToken });
    const { database, ...server } = parseDatabaseUrl(bed.server.environment.databaseUrl);
    db = await createConnection({ ...server, database });
    // A CDN of our own for what the simulator does not serve: a file too large, and a dead link.
    cdn = createServer((req, res) => {
      if (req.url === '/big.bin') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.alloc(2 * MB, 7));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => cdn.listen(0, '127.0.0.1', resolve));
    cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await db?.end();
    await bed?.stop();
    await new Promise((resolve) => cdn?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const attachmentsOf = async (messageId: string): Promise<MessageAttachment[]> => {
    const [[row]] = (await db.query('SELECT attachments FROM messages WHERE id = ?', [messageId])) as [
      { attachments: MessageAttachment[] | string }[],
      unknown,
    ];
    return typeof row.attachments === 'string' ? JSON.parse(row.attachments) : row.attachments;
  };

  it("keeps a customer's image in Parley's storage and serves it by a signed link only", async () => {
    const { mid } = bed.sim.customerWrites(BAKERY.id, ADA.psid, {
      attachment: { type: 'image', name: 'cake.png' },
    });
    const messageId = await eventually(async () => {
      const [rows] = (await db.query('SELECT id FROM messages WHERE mid = ?', [mid])) as [
        { id: string }[],
        unknown,
      ];
      return rows[0]?.id;
    });
    const [stored] = await eventually(async () => {
      const list = await attachmentsOf(messageId);
      return list[0]?.key ? list : null;
    });
    expect(stored).toMatchObject({ type: 'IMAGE', contentType: 'image/png' });
    expect(readdirSync(dir)).toContain(stored.key);
    const original = Buffer.from(await (await fetch(stored.url)).arrayBuffer());

    const links = bed.server.app.get(AttachmentLinks);
    const link = links.link({ key: stored.key!, contentType: stored.contentType!, name: 'cake.png' });
    const served = await fetch(`${bed.server.baseUrl}${link}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await served.arrayBuffer()).equals(original)).toBe(true);

    // Change the type the link names, or use an old link, or guess a key: refused.
    const forged = await fetch(`${bed.server.baseUrl}${link.replace('image%2Fpng', 'text%2Fhtml')}`);
    expect(forged.status).toBe(403);
    const old = links.link({ key: stored.key!, contentType: 'image/png' }, Date.now() - 13 * 3600_000);
    const expired = await fetch(`${bed.server.baseUrl}${old}`);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('expired');
    const unknown = links.link({ key: randomUUID(), contentType: 'image/png' });
    expect((await fetch(`${bed.server.baseUrl}${unknown}`)).status).toBe(404);
    expect((await fetch(`${bed.server.baseUrl}/attachments/${stored.key}`)).status).toBe(403);
  });

  it('keeps nothing of a file over ATTACHMENT_MAX_MB or behind a dead link, and says why', async () => {
    const messageId = randomUUID();
    const [[contact]] = (await db.query('SELECT id FROM contacts LIMIT 1')) as [{ id: string }[], unknown];
    await db.query(
      `INSERT INTO messages (id, pageId, contactId, direction, mid, attachments, sentAt, status)
       VALUES (?, ?, ?, 'INBOUND', ?, ?, NOW(3), 'DELIVERED')`,
      [
        messageId,
        BAKERY.id,
        contact.id,
        `m_${messageId}`,
        JSON.stringify([
          { type: 'FILE', url: `${cdnUrl}/big.bin`, name: 'big.bin' },
          { type: 'IMAGE', url: `${cdnUrl}/gone.png` },
        ]),
      ],
    );
    const before = readdirSync(dir).length;
    await bed.server.app.get(JobQueue).add(JobName.StoreAttachments, { messageId });
    const [big, gone] = await eventually(async () => {
      const list = await attachmentsOf(messageId);
      return list.every((a) => a.error) ? list : null;
    });
    expect(big.error).toBe('larger than 1 MB');
    expect(gone.error).toMatch(/answered 404/);
    expect(big.key).toBeUndefined();
    expect(readdirSync(dir).length).toBe(before);
    expect(existsSync(join(dir, 'big.bin'))).toBe(false);
  });
});
