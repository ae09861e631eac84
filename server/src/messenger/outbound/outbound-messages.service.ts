import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { UnitOfWork } from '../../infrastructure/events/after-commit.js';
import { JobName } from '../../infrastructure/queues/queue-registry.js';

export interface OutboundMessage {
  interactionId: string;
  contactId: string;
  pageId: string;
  text: string;
  /** The agent who wrote it; null for Parley's automatic messages (after hours, queue position). */
  sentByUserId: string | null;
}

/**
 * Messages to customers: stored PENDING inside the caller's transaction, and sent by the
 * messenger.send-message job after commit, so a reply is never sent that was not stored, and one
 * that was stored is sent even if the process dies right after (BullMQ keeps the job).
 */
@Injectable()
export class OutboundMessages {
  async queue(uow: UnitOfWork, message: OutboundMessage): Promise<string> {
    const id = randomUUID();
    // metadata carries Parley's id to Facebook and back in the echo, which is how the echo is
    // recognised as this message rather than stored again as one typed in the page inbox.
    await uow.em.query(
      `INSERT INTO messages (id, pageId, contactId, interactionId, direction, text, attachments, sentByUserId,
         sentAt, status, metadata)
       VALUES (?, ?, ?, ?, 'OUTBOUND', ?, '[]', ?, NOW(3), 'PENDING', ?)`,
      [id, message.pageId, message.contactId, message.interactionId, message.text, message.sentByUserId, id],
    );
    uow.enqueue(JobName.SendMessage, { messageId: id }, { jobId: `send-${id}` });
    return id;
  }
}
