import { Injectable } from '@nestjs/common';
import { MessageChanged } from '../events/catalogue.js';
import type { UnitOfWork } from '../infrastructure/events/after-commit.js';
import { ConversationRouting } from './conversation-routing.js';

/** A message that was added or changed, with the interaction it belongs to (null: none). */
export interface ChangedMessage {
  id: string;
  interactionId: string | null;
}

/**
 * Announces after commit what changed in conversations: a message on its interaction's own topic
 * (messageChanged), and, through routing, to the agents concerned (inboxChanged: MESSAGE for a new
 * message, UPDATED for a changed one or a customer's new name). Messages of no interaction
 * (orphaned pages) are nobody's to hear of.
 */
@Injectable()
export class MessageAnnouncements {
  constructor(private readonly routing: ConversationRouting) {}

  async messages(uow: UnitOfWork, messages: readonly ChangedMessage[], kind: 'MESSAGE' | 'UPDATED') {
    const ofInteractions = messages.filter((m): m is { id: string; interactionId: string } =>
      Boolean(m.interactionId),
    );
    if (!ofInteractions.length) return;
    for (const message of ofInteractions) {
      uow.publish(MessageChanged, { messageId: message.id, interactionId: message.interactionId });
    }
    await this.routing.messagesChanged(uow, ofInteractions, kind);
  }

  /** The contact's name or picture changed (the profile was read after the chat was offered). */
  contact(uow: UnitOfWork, contactId: string): Promise<void> {
    return this.routing.contactChanged(uow, contactId);
  }
}
