import { InboxChanged, ManualQueueChanged, MessageChanged } from '../events/catalogue.js';
import type { UnitOfWork } from '../infrastructure/events/after-commit.js';

/** A message that was added or changed, with the interaction it belongs to (null: none). */
export interface ChangedMessage {
  id: string;
  interactionId: string | null;
}

/**
 * Announces new or changed messages after commit: on each interaction's own topic (messageChanged),
 * and on the topic of the agent handling it while ACTIVE (inboxChanged): MESSAGE for a new message,
 * UPDATED for a changed one. Messages of no interaction (orphaned pages) are nobody's to hear of.
 */
export async function announceMessages(
  uow: UnitOfWork,
  messages: readonly ChangedMessage[],
  kind: 'MESSAGE' | 'UPDATED',
): Promise<void> {
  const ofInteractions = messages.filter((m): m is { id: string; interactionId: string } =>
    Boolean(m.interactionId),
  );
  if (!ofInteractions.length) return;
  const holders = (await uow.em.query(
    "SELECT id, agentId FROM interactions WHERE id IN (?) AND status = 'ACTIVE' AND agentId IS NOT NULL",
    [[...new Set(ofInteractions.map((m) => m.interactionId))]],
  )) as { id: string; agentId: string }[];
  const agentOf = new Map(holders.map((h) => [h.id, h.agentId]));
  for (const message of ofInteractions) {
    uow.publish(MessageChanged, { messageId: message.id, interactionId: message.interactionId });
    const agentId = agentOf.get(message.interactionId);
    if (agentId) {
      uow.publish(InboxChanged, {
        userId: agentId,
        interactionId: message.interactionId,
        kind,
        messageId: message.id,
      });
    }
  }
}

/**
 * A contact's name or picture changed (the profile was read after the chat was offered): each agent
 * holding or offered one of their open interactions gets UPDATED, so the inbox shows the real name,
 * and a chat waiting in a queue is announced to those who pick from it (manual-queue.changed).
 */
export async function announceContact(uow: UnitOfWork, contactId: string): Promise<void> {
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
