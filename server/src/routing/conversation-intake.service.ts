import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  InboxChanged,
  InteractionMessageReceived,
  InteractionQueued,
  ManualQueueChanged,
} from '../events/catalogue.js';
import type { UnitOfWork } from '../infrastructure/events/after-commit.js';
import { JobName } from '../infrastructure/queues/queue-registry.js';
import {
  type ConversationRouting,
  type CustomerMessage,
  type OpenInteraction,
} from '../messenger/conversation-routing.js';
import { RoutingStrategy } from '@parley/libs/shared/campaigns.js';

/**
 * Routing's side of a conversation's messages (messenger's ConversationRouting port): which
 * interaction a customer's message belongs to, queueing it, and who among the agents hears of
 * messages and contacts. Its writes (a new QUEUED interaction, an ABANDONED one back in the
 * queue) add to no agent's load, so they need no campaign lock: offers come from the route job
 * this enqueues, which takes it.
 */
@Injectable()
export class ConversationIntake implements ConversationRouting {
  async openInteractions(
    uow: UnitOfWork,
    contacts: readonly { contactId: string; ownerId: string | null }[],
  ): Promise<Map<string, OpenInteraction | null>> {
    const open = new Map<string, OpenInteraction | null>(contacts.map((c) => [c.contactId, null]));
    if (!contacts.length) return open;
    const ownerOf = new Map(contacts.map((c) => [c.contactId, c.ownerId]));
    const rows = (await uow.em.query(
      `SELECT id, contactId, campaignId, status, agentId, queuedAt FROM interactions
        WHERE contactId IN (?) AND status <> 'CLOSED' ORDER BY contactId FOR UPDATE`,
      [[...open.keys()]],
    )) as (OpenInteraction & { contactId: string; queuedAt: Date })[];
    const rank = (i: (typeof rows)[number]) => [
      i.campaignId === ownerOf.get(i.contactId) ? 1 : 0,
      i.queuedAt.getTime(),
    ];
    for (const row of rows) {
      const best = open.get(row.contactId) as (typeof rows)[number] | null;
      const [a, b] = [rank(row), best ? rank(best) : null];
      if (!b || a[0] > b[0] || (a[0] === b[0] && a[1] > b[1])) open.set(row.contactId, row);
    }
    return open;
  }

  /**
   * A message that leaves its interaction QUEUED routes the campaign with `announce`, so the
   * customer may be told their place in the queue (routing decides, after its offers, and the
   * job throttles).
   */
  async customerWrote(uow: UnitOfWork, message: CustomerMessage): Promise<OpenInteraction> {
    const { owner, open, sentAt } = message;
    // The owner's switch is a cheap filter; the pass reads the interaction's campaign's own.
    const announce = (campaignId: string, interactionId: string): { announce?: string } =>
      campaignId !== owner.id || owner.announceQueuePosition ? { announce: interactionId } : {};
    if (!open) {
      const campaignId = owner.id;
      const interactionId = randomUUID();
      await uow.em.query(
        `INSERT INTO interactions (id, campaignId, contactId, status, queuedAt, lastCustomerMessageAt)
         VALUES (?, ?, ?, 'QUEUED', NOW(3), ?)`,
        [interactionId, campaignId, message.contactId, sentAt],
      );
      uow.publish(InteractionQueued, { interactionId, campaignId });
      if (owner.strategy === RoutingStrategy.MANUAL)
        uow.publish(ManualQueueChanged, { campaignId, interactionId });
      // The event informs; the job is what routing must not miss (durable in Redis, retried).
      uow.enqueue(JobName.RouteCampaign, { campaignId, ...announce(campaignId, interactionId) });
      return { id: interactionId, campaignId, status: 'QUEUED', agentId: null };
    }
    const { campaignId } = open;
    await uow.em.query(
      `UPDATE interactions
         SET status = IF(status = 'ABANDONED', 'QUEUED', status),
             lastCustomerMessageAt = GREATEST(COALESCE(lastCustomerMessageAt, ?), ?)
       WHERE id = ?`,
      [sentAt, sentAt, open.id],
    );
    if (open.status === 'ABANDONED') {
      uow.publish(InteractionQueued, { interactionId: open.id, campaignId });
      // Its campaign may be another than the page's, after a transfer: told whatever its strategy.
      if (campaignId !== owner.id || owner.strategy === RoutingStrategy.MANUAL)
        uow.publish(ManualQueueChanged, { campaignId, interactionId: open.id });
      uow.enqueue(JobName.RouteCampaign, { campaignId, ...announce(campaignId, open.id) });
      return { ...open, status: 'QUEUED' };
    }
    // Still waiting: told their place again (at most once a minute, the job's guard).
    const again = announce(campaignId, open.id);
    if (open.status === 'QUEUED' && again.announce)
      uow.enqueue(JobName.RouteCampaign, { campaignId, ...again });
    uow.publish(InteractionMessageReceived, {
      interactionId: open.id,
      campaignId,
      agentId: open.agentId,
      messageId: message.messageId,
    });
    // The agent holding it hears of it on their own topic (inboxChanged MESSAGE).
    if (open.agentId && open.status === 'ACTIVE')
      uow.publish(InboxChanged, {
        userId: open.agentId,
        interactionId: open.id,
        kind: 'MESSAGE',
        messageId: message.messageId,
      });
    return open;
  }

  async openInteractionOf(uow: UnitOfWork, contactId: string, ownerId: string): Promise<string | null> {
    const [open] = (await uow.em.query(
      `SELECT id FROM interactions WHERE contactId = ? AND status <> 'CLOSED'
        ORDER BY campaignId = ? DESC, queuedAt DESC LIMIT 1`,
      [contactId, ownerId],
    )) as { id: string }[];
    return open?.id ?? null;
  }

  async messagesChanged(
    uow: UnitOfWork,
    messages: readonly { id: string; interactionId: string }[],
    kind: 'MESSAGE' | 'UPDATED',
  ): Promise<void> {
    if (!messages.length) return;
    const holders = (await uow.em.query(
      "SELECT id, agentId FROM interactions WHERE id IN (?) AND status = 'ACTIVE' AND agentId IS NOT NULL",
      [[...new Set(messages.map((m) => m.interactionId))]],
    )) as { id: string; agentId: string }[];
    const agentOf = new Map(holders.map((h) => [h.id, h.agentId]));
    for (const message of messages) {
      const agentId = agentOf.get(message.interactionId);
      if (agentId)
        uow.publish(InboxChanged, {
          userId: agentId,
          interactionId: message.interactionId,
          kind,
          messageId: message.id,
        });
    }
  }

  async contactChanged(uow: UnitOfWork, contactId: string): Promise<void> {
    const concerned = (await uow.em.query(
      `SELECT i.id, i.agentId AS userId, NULL AS campaignId FROM interactions i
        WHERE i.contactId = ? AND i.status = 'ACTIVE' AND i.agentId IS NOT NULL
       UNION
       SELECT i.id, o.userId, NULL FROM interactions i JOIN interaction_offers o ON o.interactionId = i.id
        WHERE i.contactId = ? AND i.status = 'OFFERED' AND o.status = 'PENDING'
       UNION
       SELECT i.id, NULL, i.campaignId FROM interactions i WHERE i.contactId = ? AND i.status = 'QUEUED'`,
      [contactId, contactId, contactId],
    )) as { id: string; userId: string | null; campaignId: string | null }[];
    for (const { id, userId, campaignId } of concerned) {
      if (userId) uow.publish(InboxChanged, { userId, interactionId: id, kind: 'UPDATED', messageId: null });
      if (campaignId) uow.publish(ManualQueueChanged, { campaignId, interactionId: id });
    }
  }
}
