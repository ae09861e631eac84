import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { AttachmentType } from '@parley/libs/messenger/webhook-events.js';
import { replyWindow, sendFields } from '@parley/libs/messenger/reply-window.js';
import type { AppConfig } from '../../infrastructure/config/config.js';
import { APP_CONFIG } from '../../infrastructure/config/config.module.js';
import { ParleyError } from '../../infrastructure/errors/parley-error.js';
import type { UnitOfWork } from '../../infrastructure/events/after-commit.js';
import { JobName } from '../../infrastructure/queues/queue-registry.js';
import { AttachmentLinks } from '../attachments/attachment-links.js';
import { AttachmentStore } from '../attachments/attachment-store.js';
import { attachmentTypeOf } from '../attachments/upload-types.js';
import { MessageAnnouncements } from '../message-events.js';
import type { MessageAttachment } from '../message.entity.js';

/** Messenger's limit for one text message (meta-platform.md, "Send API"). */
export const TEXT_MAX = 2000;
/** Files one reply may carry; each goes as its own Send API call. */
export const ATTACHMENTS_MAX = 10;

export interface OutboundMessage {
  interactionId: string;
  contactId: string;
  pageId: string;
  /** Null for a reply made of attachments only. */
  text: string | null;
  attachments?: MessageAttachment[];
  /** The agent who wrote it; null for Parley's automatic messages (after hours, queue position). */
  sentByUserId: string | null;
}

/** An attachment as the API takes it (`AttachmentInput`). */
export interface AttachmentDraft {
  type: AttachmentType;
  url: string;
  name?: string | null;
}

/** What an agent wrote, checked and ready to store. */
export interface Draft {
  text: string | null;
  attachments: MessageAttachment[];
}

/**
 * Messages to customers: stored PENDING inside the caller's transaction, and sent by the
 * messenger.send-message job after commit, so a reply is never sent that was not stored, and one
 * that was stored is sent even if the process dies right after (BullMQ keeps the job).
 */
@Injectable()
export class OutboundMessages {
  constructor(
    private readonly links: AttachmentLinks,
    private readonly store: AttachmentStore,
    private readonly announce: MessageAnnouncements,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Checks an agent's reply before anything is stored: text (trimmed) of 1 to 2000 characters
   * and/or 1 to 10 attachments, each a link from POST /uploads (the stored file's own type wins)
   * or a public https URL that Facebook fetches itself. BAD_USER_INPUT says what to fix.
   */
  async draft(text: string | null | undefined, attachments: readonly AttachmentDraft[] | null | undefined) {
    const trimmed = text?.trim() || null;
    const files = attachments ?? [];
    if (!trimmed && !files.length)
      throw ParleyError.badInput('text', 'write something, or attach at least one file');
    if (trimmed && trimmed.length > TEXT_MAX) {
      throw ParleyError.badInput(
        'text',
        `must be at most ${TEXT_MAX} characters (Messenger's limit); this one has ${trimmed.length}`,
      );
    }
    if (files.length > ATTACHMENTS_MAX)
      throw ParleyError.badInput('attachments', `at most ${ATTACHMENTS_MAX} files per message`);
    const resolved: MessageAttachment[] = [];
    for (const [index, file] of files.entries()) resolved.push(await this.attachment(file, index));
    return { text: trimmed, attachments: resolved } satisfies Draft;
  }

  private async attachment(file: AttachmentDraft, index: number): Promise<MessageAttachment> {
    const field = `attachments[${index}]`;
    const name = file.name?.trim().slice(0, 255) || undefined;
    let url: URL;
    try {
      url = new URL(file.url, this.config.publicUrl);
    } catch {
      throw ParleyError.badInput(`${field}.url`, 'is not a URL');
    }
    const upload = /^\/attachments\/([0-9a-f-]{36})$/.exec(url.pathname);
    const ours = url.origin === new URL(this.config.publicUrl).origin;
    // Parley's own link, whatever host the caller reached Parley by: its signature says so.
    const granted = upload ? this.links.verify(upload[1], Object.fromEntries(url.searchParams)) : null;
    if (upload && granted && (ours || granted !== 'forged')) {
      if (granted === 'forged')
        throw ParleyError.badInput(
          `${field}.url`,
          'is not a link Parley gave; upload the file with POST /uploads',
        );
      if (granted === 'expired')
        throw ParleyError.badInput(`${field}.url`, 'this upload link has expired; upload the file again');
      const size = await this.store.size(upload[1]);
      if (size === null)
        throw ParleyError.badInput(`${field}.url`, 'the uploaded file is gone; upload it again');
      return {
        type: attachmentTypeOf(granted.contentType) ?? file.type,
        url: `/attachments/${upload[1]}`,
        key: upload[1],
        contentType: granted.contentType,
        size,
        ...((name ?? granted.name) ? { name: name ?? granted.name! } : {}),
      };
    }
    if (url.protocol !== 'https:' || file.url.length > 2000) {
      throw ParleyError.badInput(
        `${field}.url`,
        'must be a link from POST /uploads or a public https URL (up to 2000 characters)',
      );
    }
    return { type: file.type, url: url.toString(), ...(name ? { name } : {}) };
  }

  /**
   * Why a reply written by an agent may not go to this customer now (past Messenger's 7-day
   * window, or they never wrote), or null when it may. The send job decides again when it sends.
   */
  async refusal(em: EntityManager, contactId: string, now = new Date()): Promise<string | null> {
    const fields = sendFields(replyWindow(await lastCustomerMessageAt(em, contactId), now), true);
    return 'refused' in fields ? fields.refused : null;
  }

  async queue(uow: UnitOfWork, message: OutboundMessage): Promise<string> {
    const id = randomUUID();
    // Strictly after this customer's last reply, so replies written within one millisecond still
    // have an order, which is the order the send job keeps.
    const [{ at }] = (await uow.em.query(
      `SELECT GREATEST(NOW(3), COALESCE(MAX(sentAt) + INTERVAL 1000 MICROSECOND, NOW(3))) AS at
         FROM messages WHERE contactId = ? AND direction = 'OUTBOUND'`,
      [message.contactId],
    )) as { at: Date }[];
    // metadata carries Parley's id to Facebook and back in the echo, which is how the echo is
    // recognised as this message rather than stored again as one typed in the page inbox.
    await uow.em.query(
      `INSERT INTO messages (id, pageId, contactId, interactionId, direction, text, attachments, sentByUserId,
         sentAt, status, metadata)
       VALUES (?, ?, ?, ?, 'OUTBOUND', ?, ?, ?, ?, 'PENDING', ?)`,
      [
        id,
        message.pageId,
        message.contactId,
        message.interactionId,
        message.text,
        JSON.stringify(message.attachments ?? []),
        message.sentByUserId,
        at,
        id,
      ],
    );
    await this.announce.messages(uow, [{ id, interactionId: message.interactionId }], 'MESSAGE');
    uow.enqueue(JobName.SendMessage, { messageId: id }, { jobId: `send-${id}` });
    return id;
  }
}

/** When the customer last wrote to the page (any interaction): the reply windows count from it. */
export async function lastCustomerMessageAt(
  em: Pick<EntityManager, 'query'>,
  contactId: string,
): Promise<Date | null> {
  const [row] = (await em.query(
    "SELECT MAX(sentAt) AS at FROM messages WHERE contactId = ? AND direction = 'INBOUND'",
    [contactId],
  )) as { at: Date | null }[];
  return row?.at ? new Date(row.at) : null;
}
