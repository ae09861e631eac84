import { Column, Entity } from 'typeorm';
import type { AttachmentType } from '@parley/libs/messenger/webhook-events.js';
import { BaseEntity } from '../infrastructure/database/base.entity.js';

export type MessageDirection = 'INBOUND' | 'OUTBOUND';
export type MessageStatus = 'PENDING' | 'SENT' | 'DELIVERED' | 'READ' | 'FAILED';

export interface MessageAttachment {
  type: AttachmentType;
  /**
   * Where the bytes came from: Facebook's URL (it expires); for a reply, the public https URL it
   * gave, or the upload's link (the bytes are then in Parley's storage under `key`).
   */
  url: string;
  name?: string;
  /** Set once the bytes are in Parley's storage (AttachmentStore); readers get a signed link to it. */
  key?: string;
  contentType?: string;
  size?: number;
  /** Why the bytes could not be kept (e.g. Facebook's link had expired, or too large). */
  error?: string;
}

/**
 * One Messenger message, either way. `(pageId, mid)` is unique: a redelivered event changes
 * nothing. Listed by `sentAt` (Facebook's event time), so late arrivals still show in order.
 */
@Entity('messages')
export class MessageEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 64 })
  pageId!: string;

  @Column({ type: 'char', length: 36 })
  contactId!: string;

  /** Null for a page no campaign owns, or a disabled campaign. */
  @Column({ type: 'char', length: 36, nullable: true })
  interactionId!: string | null;

  @Column({ type: 'enum', enum: ['INBOUND', 'OUTBOUND'] })
  direction!: MessageDirection;

  @Column({ type: 'varchar', length: 255, nullable: true })
  mid!: string | null;

  @Column({ type: 'text', nullable: true })
  text!: string | null;

  @Column({ type: 'json' })
  attachments!: MessageAttachment[];

  @Column({ type: 'varchar', length: 1000, nullable: true })
  quickReplyPayload!: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  postbackPayload!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  replyToMid!: string | null;

  /** The latest emoji the customer reacted with to this message. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  reaction!: string | null;

  /** Facebook's time of the reaction event last applied: an older one arriving later is ignored. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  reactionAt!: Date | null;

  @Column({ type: 'char', length: 36, nullable: true })
  sentByUserId!: string | null;

  @Column({ type: 'datetime', precision: 3 })
  sentAt!: Date;

  @Column({ type: 'enum', enum: ['PENDING', 'SENT', 'DELIVERED', 'READ', 'FAILED'] })
  status!: MessageStatus;

  /** Parley's replies: how many of its Send API calls (text first, then each attachment) Facebook accepted. */
  @Column({ type: 'tinyint', unsigned: true, default: 0 })
  sentParts!: number;

  /** When a worker claimed the reply to call Facebook (docs/messenger.md#sending); null when none has. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  sendingSince!: Date | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  error!: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  metadata!: string | null;
}
