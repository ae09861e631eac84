import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { WebhookEvent } from '@parley/libs/messenger/webhook-events.js';
import { afterHoursReply } from '@parley/libs/routing/customer-messages.js';
import { Channel } from '@parley/libs/shared/campaigns.js';
import { CampaignsService, type PageCampaign } from '../../campaigns/campaigns.service.js';
import { MessageChanged } from '../../events/catalogue.js';
import type { UnitOfWork } from '../../infrastructure/events/after-commit.js';
import { JobName } from '../../infrastructure/queues/queue-registry.js';
import { type ContactRef, ContactsService } from '../contacts/contacts.service.js';
import { ConversationRouting, type OpenInteraction } from '../conversation-routing.js';
import { MessageAnnouncements } from '../message-events.js';

/** The campaign owning a page, as ingest needs it; null when no campaign owns the page. */
export type PageOwner = PageCampaign | null;

type Of<K extends WebhookEvent['kind']> = Extract<WebhookEvent, { kind: K }>;

/** How many Send API calls a message of Parley's takes: its text, then one per attachment. */
const PARTS = "((text IS NOT NULL AND text <> '') + JSON_LENGTH(attachments))";

/** An orphaned page is logged at most once per this long. */
const ORPHAN_LOG_EVERY_MS = 60_000;
/** Parley's metadata on a send: the message id, and `:<part>` for its second and later Send API calls. */
const OWN_METADATA = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?::(\d{1,3}))?$/i;

const cut = (text: string | null | undefined, max: number) => (text == null ? null : text.slice(0, max));

interface Row {
  id: string;
  interactionId: string | null;
}

type InboundEvent = Of<'message'> | Of<'postback'>;

/** What applyAll reads once for a whole batch of events, and the customer messages it writes together. */
interface Batch {
  /** `pairKey(pageId, mid)` of the customer messages stored already, or earlier in the batch. */
  mids: Set<string>;
  /** Each writing contact's open interaction (locked) as the batch leaves it; null: none. */
  open: Map<string, OpenInteraction | null>;
  /** Rows of INBOUND messages not written yet (written before any other kind of event). */
  messages: unknown[][];
}

/** One key of two strings: a page and a PSID, or a page and a mid. */
const pairKey = (a: string, b: string) => `${a}\u0000${b}`;

/** A postback without a mid (older API versions) is deduplicated by customer and time instead. */
const midOf = (e: InboundEvent) => e.mid ?? `postback:${e.psid}:${e.timestamp}`;

/** Where a customer message went: its interaction and that interaction's campaign. */
interface Routed {
  interactionId: string;
  campaignId: string;
}

/**
 * Applies webhook events. Every change is idempotent (dedupe by (page, mid), monotonic statuses),
 * so a redelivery or a retried job changes nothing.
 */
@Injectable()
export class InboundEvents {
  private readonly logger = new Logger('MessengerInbound');
  private readonly orphanLoggedAt = new Map<string, number>();

  constructor(
    private readonly campaigns: CampaignsService,
    private readonly contacts: ContactsService,
    private readonly routing: ConversationRouting,
    private readonly announce: MessageAnnouncements,
  ) {}

  /**
   * Applies a delivery's events, in the order given, inside the caller's transaction (which also
   * marks the delivery PROCESSED, so a delivery is applied wholly or not at all). Every contact the
   * events concern is created if new and locked first, in one order (page, PSID), so the events of
   * one conversation are applied one at a time whichever worker runs them, and two deliveries
   * naming the same customers cannot deadlock. The transaction must be READ COMMITTED: looking up a
   * conversation's open interaction that does not exist yet must not take a gap lock (under
   * REPEATABLE READ two new customers each took one, then each one's insert waited for the other's).
   * The unique index still refuses a second open interaction. `owners`: each page's campaign.
   */
  async applyAll(uow: UnitOfWork, events: readonly WebhookEvent[], owners: ReadonlyMap<string, PageOwner>) {
    const applicable = events.filter((e) => e.kind !== 'unknown' && e.psid); // unknown: kept in the raw delivery
    if (!applicable.length) return;
    const contacts = await this.contacts.ensureLocked(
      uow.em,
      applicable.map((e) => ({ pageId: e.pageId, psid: e.psid })),
    );
    const contactOf = (e: WebhookEvent) => contacts.get(pairKey(e.pageId, e.psid))!;
    // Customer messages, the bulk of any burst, read what they need once for the whole batch.
    const inbound = applicable.filter(
      (e): e is InboundEvent => e.kind === 'message' || e.kind === 'postback',
    );
    const batch: Batch = {
      mids: await this.storedMids(uow, inbound),
      open: await this.routing.openInteractions(
        uow,
        inbound.map((e) => ({ contactId: contactOf(e).id, ownerId: owners.get(e.pageId)?.id ?? null })),
      ),
      messages: [],
    };
    for (const event of applicable) {
      const contact = contactOf(event);
      const owner = owners.get(event.pageId) ?? null;
      if (event.kind === 'message' || event.kind === 'postback') {
        await this.inbound(uow, event, owner, contact, batch);
        continue;
      }
      // The other kinds read messages: those of the batch so far are written first.
      await this.writeMessages(uow, batch);
      switch (event.kind) {
        case 'echo':
          await this.echo(uow, event, owner, contact);
          break;
        case 'delivery':
          await this.delivered(uow, event, contact);
          break;
        case 'read':
          await this.read(uow, event, contact);
          break;
        case 'reaction':
          await this.reaction(uow, event);
          break;
      }
    }
    await this.writeMessages(uow, batch);
  }

  /** The (page, mid) of the customer messages already stored, as `pairKey(pageId, mid)`. */
  private async storedMids(uow: UnitOfWork, events: readonly InboundEvent[]): Promise<Set<string>> {
    const stored = new Set<string>();
    const byPage = new Map<string, string[]>();
    for (const e of events) {
      const mids = byPage.get(e.pageId) ?? [];
      mids.push(midOf(e));
      byPage.set(e.pageId, mids);
    }
    for (const [pageId, mids] of byPage) {
      const rows = (await uow.em.query('SELECT mid FROM messages WHERE pageId = ? AND mid IN (?)', [
        pageId,
        mids,
      ])) as { mid: string }[];
      for (const { mid } of rows) stored.add(pairKey(pageId, mid));
    }
    return stored;
  }

  /** The customer messages of the batch so far, in one INSERT. */
  private async writeMessages(uow: UnitOfWork, batch: Batch): Promise<void> {
    if (!batch.messages.length) return;
    const rows = batch.messages.splice(0);
    await uow.em.query(
      `INSERT INTO messages (id, pageId, contactId, interactionId, direction, mid, text, attachments,
         quickReplyPayload, postbackPayload, replyToMid, sentAt, status)
       VALUES ${rows.map(() => "(?, ?, ?, ?, 'INBOUND', ?, ?, ?, ?, ?, ?, ?, 'DELIVERED')").join(', ')}`,
      rows.flat(),
    );
  }

  /** The campaign owning each page the events are for (null: none). */
  async owners(events: readonly WebhookEvent[]): Promise<Map<string, PageOwner>> {
    const owners = new Map<string, PageOwner>();
    for (const { pageId } of events) {
      if (!owners.has(pageId)) owners.set(pageId, await this.campaigns.findByPageId(pageId));
    }
    return owners;
  }

  private async inbound(
    uow: UnitOfWork,
    e: InboundEvent,
    owner: PageOwner,
    contact: ContactRef,
    batch: Batch,
  ): Promise<void> {
    const mid = midOf(e);
    const seen = pairKey(e.pageId, mid);
    if (batch.mids.has(seen)) return; // redelivered: exactly once
    batch.mids.add(seen);
    // Time-ordered: messages are listed by (sentAt, id), so two Facebook stamped in the same
    // millisecond keep the order they came in.
    const messageId = uuidv7();
    const sentAt = new Date(e.timestamp);
    const routed = await this.route(uow, e.pageId, owner, contact, messageId, sentAt, batch);
    const interactionId = routed?.interactionId ?? null;
    const message = e.kind === 'message' ? e : null;
    batch.messages.push([
      messageId,
      e.pageId,
      contact.id,
      interactionId,
      mid,
      message ? message.text : e.kind === 'postback' ? e.title : null,
      JSON.stringify(message?.attachments ?? []),
      cut(message?.quickReplyPayload, 1000),
      e.kind === 'postback' ? cut(e.payload, 1000) : null,
      cut(message?.replyToMid, 255),
      sentAt,
    ]);
    // Watchers of the interaction (messageChanged); its agent hears of it through route's MESSAGE.
    if (interactionId) uow.publish(MessageChanged, { messageId, interactionId });
    // Only when closed and there is something to say (a cheap check here; the job decides, locked,
    // whether this conversation already had it today). A conversation transferred to another
    // campaign follows that campaign's schedule, which only the job reads.
    if (routed && owner && (routed.campaignId !== owner.id || afterHoursReply(owner, sentAt, null).send)) {
      uow.enqueue(JobName.AfterHoursReply, { interactionId: routed.interactionId, at: sentAt.toISOString() });
    }
    if (message?.attachments.length) {
      uow.enqueue(JobName.StoreAttachments, { messageId }, { jobId: `attachments-${messageId}` });
    }
    if (owner && contact.profileStale) {
      uow.enqueue(
        JobName.FetchContactProfile,
        { contactId: contact.id, campaignId: owner.id },
        { jobId: `profile-${contact.id}` },
      );
    }
  }

  /**
   * The interaction a customer message belongs to, which routing decides (ConversationRouting):
   * the contact's open one, or a new QUEUED one in the page's campaign; an ABANDONED one is queued
   * again keeping its queuedAt. The open one may be in another campaign, after a transfer there:
   * the conversation goes on in it. Null when not routed (no campaign, or a disabled one).
   */
  private async route(
    uow: UnitOfWork,
    pageId: string,
    owner: PageOwner,
    contact: ContactRef,
    messageId: string,
    sentAt: Date,
    batch: Batch,
  ): Promise<Routed | null> {
    if (!owner) {
      this.logOrphan(pageId);
      return null;
    }
    if (!owner.enabled || owner.channel !== Channel.MESSENGER) {
      this.logger.log(
        `Message of contact ${contact.id} stored, not routed: campaign ${owner.id} is disabled`,
      );
      return null;
    }
    const now = await this.routing.customerWrote(uow, {
      contactId: contact.id,
      messageId,
      sentAt,
      owner,
      open: batch.open.get(contact.id) ?? null,
    });
    // The conversation's next messages in this batch join it as this one left it.
    batch.open.set(contact.id, now);
    return { interactionId: now.id, campaignId: now.campaignId };
  }

  /**
   * An echo: Parley's own send (metadata = its message id, `:<part>` after the first call) counts
   * that call as accepted, and the message becomes SENT once every part is; else it is a reply
   * typed in the page inbox.
   */
  private async echo(uow: UnitOfWork, e: Of<'echo'>, owner: PageOwner, contact: ContactRef): Promise<void> {
    const own = e.metadata ? OWN_METADATA.exec(e.metadata) : null;
    if (own) {
      const [row] = (await uow.em.query(
        "SELECT id, interactionId, status FROM messages WHERE id = ? AND pageId = ? AND direction = 'OUTBOUND'",
        [own[1], e.pageId],
      )) as (Row & { status: string })[];
      if (row) {
        const part = Number(own[2] ?? 0);
        // MariaDB assigns left to right: status and error see the new sentParts; error sees the old status.
        await uow.em.query(
          `UPDATE messages
             SET mid = COALESCE(mid, ?),
                 sentParts = GREATEST(sentParts, ?),
                 error = IF(status IN ('PENDING','FAILED') AND sentParts >= ${PARTS}, NULL, error),
                 status = IF(status IN ('PENDING','FAILED') AND sentParts >= ${PARTS}, 'SENT', status)
           WHERE id = ?`,
          [e.mid, part + 1, row.id],
        );
        const [after] = (await uow.em.query('SELECT status FROM messages WHERE id = ?', [row.id])) as {
          status: string;
        }[];
        if (after.status !== row.status) await this.announce.messages(uow, [row], 'UPDATED');
        return;
      }
    }
    if (await this.byMid(uow, e.pageId, e.mid)) return;
    // The contact's open interaction, wherever a transfer took it (see route).
    const interactionId = owner ? await this.routing.openInteractionOf(uow, contact.id, owner.id) : null;
    await uow.em.query(
      `INSERT INTO messages (id, pageId, contactId, interactionId, direction, mid, text, attachments, sentAt, status, metadata)
       VALUES (?, ?, ?, ?, 'OUTBOUND', ?, ?, ?, ?, 'SENT', ?)`,
      [
        randomUUID(),
        e.pageId,
        contact.id,
        interactionId,
        e.mid,
        e.text,
        JSON.stringify(e.attachments),
        new Date(e.timestamp),
        cut(e.metadata, 1000),
      ],
    );
  }

  /**
   * Outbound messages up to the watermark (or named in mids) are DELIVERED; never a step back. A
   * reply still being sent part by part waits until its last part went.
   */
  private async delivered(uow: UnitOfWork, e: Of<'delivery'>, contact: ContactRef): Promise<void> {
    const mids = e.mids.length ? e.mids : ['\u0000'];
    const rows = (await uow.em.query(
      `SELECT id, interactionId FROM messages
        WHERE contactId = ? AND direction = 'OUTBOUND'
          AND ((status = 'SENT' AND sentAt <= ?)
               OR (mid IN (?) AND (status = 'SENT' OR (status IN ('PENDING','FAILED') AND sentParts >= ${PARTS}))))
        FOR UPDATE`,
      [contact.id, new Date(e.watermark), mids],
    )) as Row[];
    await this.setStatus(uow, rows, 'DELIVERED');
  }

  /** Outbound messages up to the watermark are READ. */
  private async read(uow: UnitOfWork, e: Of<'read'>, contact: ContactRef): Promise<void> {
    const rows = (await uow.em.query(
      `SELECT id, interactionId FROM messages
        WHERE contactId = ? AND direction = 'OUTBOUND' AND status IN ('SENT','DELIVERED') AND sentAt <= ?
        FOR UPDATE`,
      [contact.id, new Date(e.watermark)],
    )) as Row[];
    await this.setStatus(uow, rows, 'READ');
  }

  /**
   * A react or unreact applies only if it is not older than the last one applied to that message
   * (`reactionAt`, Facebook's time): the two may arrive, or be retried, in either order.
   */
  private async reaction(uow: UnitOfWork, e: Of<'reaction'>): Promise<void> {
    const [row] = (await uow.em.query(
      'SELECT id, interactionId, reaction, reactionAt FROM messages WHERE pageId = ? AND mid = ?',
      [e.pageId, e.mid],
    )) as (Row & { reaction: string | null; reactionAt: Date | null })[];
    if (!row) return; // a message Parley never saw (before the page was connected)
    const at = new Date(e.timestamp);
    if (row.reactionAt && row.reactionAt.getTime() > at.getTime()) return; // a newer one already applied
    const reaction = e.action === 'unreact' ? null : cut(e.emoji ?? e.reaction, 32);
    await uow.em.query('UPDATE messages SET reaction = ?, reactionAt = ? WHERE id = ?', [
      reaction,
      at,
      row.id,
    ]);
    if (row.reaction !== reaction) await this.announce.messages(uow, [row], 'UPDATED');
  }

  private async setStatus(uow: UnitOfWork, rows: Row[], status: 'DELIVERED' | 'READ'): Promise<void> {
    if (!rows.length) return;
    await uow.em.query('UPDATE messages SET status = ? WHERE id IN (?)', [status, rows.map((r) => r.id)]);
    await this.announce.messages(uow, rows, 'UPDATED');
  }

  private async byMid(uow: UnitOfWork, pageId: string, mid: string): Promise<boolean> {
    const found = (await uow.em.query('SELECT id FROM messages WHERE pageId = ? AND mid = ?', [
      pageId,
      mid,
    ])) as unknown[];
    return found.length > 0;
  }

  /** A page no campaign owns: its messages are stored; said once a minute per page at most. */
  private logOrphan(pageId: string) {
    const now = Date.now();
    if (now - (this.orphanLoggedAt.get(pageId) ?? 0) < ORPHAN_LOG_EVERY_MS) return;
    this.orphanLoggedAt.set(pageId, now);
    if (this.orphanLoggedAt.size > 10_000) this.orphanLoggedAt.clear();
    this.logger.warn(`Orphaned message: page ${pageId} belongs to no campaign; stored, not routed`);
  }
}
