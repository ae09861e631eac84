import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../infrastructure/config/config.js';
import { APP_CONFIG } from '../infrastructure/config/config.module.js';
import { AttachmentLinks } from './attachments/attachment-links.js';
import type { MessageAttachment } from './message.entity.js';
import { DataSource } from 'typeorm';
import type { ContactModel, MessageModel } from './conversation.model.js';

interface MessageRow {
  id: string;
  interactionId: string;
  direction: string;
  text: string | null;
  attachments: string | MessageAttachment[];
  sentByUserId: string | null;
  sentAt: Date;
  status: string;
  error: string | null;
  reaction: string | null;
}

const COLUMNS =
  'id, interactionId, direction, text, attachments, sentByUserId, sentAt, status, error, reaction';

/**
 * Batched reads of contacts and messages (messenger owns those tables) for other modules' field
 * resolvers: one query per batch of keys, whatever the size of the list being resolved.
 */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly links: AttachmentLinks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A stored attachment is handed out as a signed, expiring link to Parley's copy; one not (yet)
   * stored keeps Facebook's URL. Only callers allowed to read the message get here.
   */
  private toModel(r: MessageRow): MessageModel {
    const attachments: MessageAttachment[] =
      typeof r.attachments === 'string' ? JSON.parse(r.attachments) : (r.attachments ?? []);
    return {
      id: r.id,
      interactionId: r.interactionId,
      direction: r.direction,
      text: r.text,
      attachments: attachments.map((a) => ({
        type: a.type,
        name: a.name ?? null,
        url:
          a.key && a.contentType
            ? `${this.config.publicUrl}${this.links.link({ key: a.key, contentType: a.contentType, name: a.name })}`
            : a.url,
      })),
      sentByUserId: r.sentByUserId,
      createdAt: r.sentAt,
      status: r.status,
      error: r.error,
      reaction: r.reaction,
    };
  }

  async contacts(ids: readonly string[]): Promise<Map<string, ContactModel>> {
    if (!ids.length) return new Map();
    const rows = (await this.dataSource.query(
      'SELECT id, psid, pageId, name, profilePicUrl FROM contacts WHERE id IN (?)',
      [ids],
    )) as ContactModel[];
    return new Map(rows.map((r) => [r.id, r]));
  }

  async messages(ids: readonly string[]): Promise<Map<string, MessageModel>> {
    if (!ids.length) return new Map();
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM messages WHERE id IN (?)`, [
      ids,
    ])) as MessageRow[];
    return new Map(rows.map((r) => [r.id, this.toModel(r)]));
  }

  /** The last `last` messages of each interaction, oldest first. */
  async lastMessages(interactionIds: readonly string[], last: number): Promise<Map<string, MessageModel[]>> {
    const result = new Map<string, MessageModel[]>(interactionIds.map((id) => [id, []]));
    if (!interactionIds.length) return result;
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM (
         SELECT ${COLUMNS}, ROW_NUMBER() OVER (PARTITION BY interactionId ORDER BY sentAt DESC, id DESC) AS n
           FROM messages WHERE interactionId IN (?)
       ) ranked WHERE n <= ? ORDER BY sentAt, id`,
      [interactionIds, last],
    )) as MessageRow[];
    for (const row of rows) result.get(row.interactionId)?.push(this.toModel(row));
    return result;
  }
}
