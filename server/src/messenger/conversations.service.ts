import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ContactModel, MessageModel } from './conversation.model.js';

interface MessageRow {
  id: string;
  interactionId: string;
  direction: string;
  text: string | null;
  attachments: string | { type: string; url: string; name?: string }[];
  sentByUserId: string | null;
  sentAt: Date;
  status: string;
  error: string | null;
}

const toModel = (r: MessageRow): MessageModel => ({
  id: r.id,
  interactionId: r.interactionId,
  direction: r.direction,
  text: r.text,
  attachments: typeof r.attachments === 'string' ? JSON.parse(r.attachments) : (r.attachments ?? []),
  sentByUserId: r.sentByUserId,
  createdAt: r.sentAt,
  status: r.status,
  error: r.error,
});

const COLUMNS = 'id, interactionId, direction, text, attachments, sentByUserId, sentAt, status, error';

/**
 * Batched reads of contacts and messages (messenger owns those tables) for other modules' field
 * resolvers: one query per batch of keys, whatever the size of the list being resolved.
 */
@Injectable()
export class ConversationsService {
  constructor(private readonly dataSource: DataSource) {}

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
    return new Map(rows.map((r) => [r.id, toModel(r)]));
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
    for (const row of rows) result.get(row.interactionId)?.push(toModel(row));
    return result;
  }
}
