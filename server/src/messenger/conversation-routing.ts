import type { PageCampaign } from '../campaigns/campaigns.service.js';
import type { UnitOfWork } from '../infrastructure/events/after-commit.js';

/** A conversation's open interaction (not CLOSED), as ingest needs it. */
export interface OpenInteraction {
  id: string;
  campaignId: string;
  status: string;
  agentId: string | null;
}

/** A customer's message, stored by ingest, that its conversation's interaction takes in. */
export interface CustomerMessage {
  contactId: string;
  messageId: string;
  sentAt: Date;
  /** The page's campaign: enabled, MESSENGER. */
  owner: PageCampaign;
  /** The contact's open interaction, locked (openInteractions), as this batch has left it. */
  open: OpenInteraction | null;
}

/**
 * What messenger needs of routing, which owns interactions, offers and the agents' inbox events.
 * Routing depends on messenger (conversations, replies), so messenger asks through this port and
 * never reads or writes routing's tables; routing provides it. Every call runs inside the
 * caller's transaction and publishes after its commit.
 */
export abstract class ConversationRouting {
  /**
   * Each contact's open interaction, locked until the transaction ends (null: none). A contact
   * belongs to one page, so it is in the page's campaign (`ownerId`) or in the one a transfer moved
   * it to; should there be two, the page's campaign's, then the latest, wins.
   */
  abstract openInteractions(
    uow: UnitOfWork,
    contacts: readonly { contactId: string; ownerId: string | null }[],
  ): Promise<Map<string, OpenInteraction | null>>;

  /**
   * The customer wrote: the message joins the open interaction (an ABANDONED one is queued again),
   * or opens a new QUEUED one in the page's campaign; routing is asked to run. Answers the
   * interaction as the message leaves it.
   */
  abstract customerWrote(uow: UnitOfWork, message: CustomerMessage): Promise<OpenInteraction>;

  /** The open interaction a message the page sent (an echo) belongs to, the page campaign's first. */
  abstract openInteractionOf(uow: UnitOfWork, contactId: string, ownerId: string): Promise<string | null>;

  /**
   * Messages of these interactions were added (MESSAGE) or changed (UPDATED): the agent holding
   * each ACTIVE one hears of it (inboxChanged).
   */
  abstract messagesChanged(
    uow: UnitOfWork,
    messages: readonly { id: string; interactionId: string }[],
    kind: 'MESSAGE' | 'UPDATED',
  ): Promise<void>;

  /**
   * A contact's name or picture changed: agents holding or offered their open interactions, and
   * those picking from a queue where one waits, hear of it.
   */
  abstract contactChanged(uow: UnitOfWork, contactId: string): Promise<void>;
}
