import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sendFields, replyWindow } from '@parley/libs/messenger/reply-window.js';
import { TokenStatus } from '@parley/libs/shared/campaigns.js';
import { FacebookConnectionService } from '../../campaigns/facebook/facebook-connection.service.js';
import type { AppConfig } from '../../infrastructure/config/config.js';
import { APP_CONFIG } from '../../infrastructure/config/config.module.js';
import { Transactions } from '../../infrastructure/events/after-commit.js';
import { JobHandler } from '../../infrastructure/queues/job-handler.decorator.js';
import { JobQueue } from '../../infrastructure/queues/job-queue.service.js';
import { JobName, type JobPayloads } from '../../infrastructure/queues/queue-registry.js';
import { AttachmentStore } from '../attachments/attachment-store.js';
import { GraphError } from '../graph/graph-error.js';
import { GraphClient } from '../graph/graph.client.js';
import { MessageAnnouncements } from '../message-events.js';
import type { MessageAttachment } from '../message.entity.js';
import { lastCustomerMessageAt } from './outbound-messages.service.js';

interface Pending {
  id: string;
  pageId: string;
  contactId: string;
  interactionId: string | null;
  text: string | null;
  attachments: string | MessageAttachment[];
  sentByUserId: string | null;
  status: string;
  sentParts: number;
  psid: string;
}

/** One Send API call of a message: its text first, then each attachment in order. */
type Part = { text: string } | { attachment: MessageAttachment };

/** Thrown to have BullMQ try again later (backoff), without marking anything. */
class NotYet extends Error {}

/** A file the Send API cannot take any more (gone from the store): the message fails. */
class Unsendable extends Error {}

const FACEBOOK_TYPE = { IMAGE: 'image', VIDEO: 'video', AUDIO: 'audio', FILE: 'file' } as const;

/**
 * Sends one stored PENDING message through the Send API (docs/messenger.md#sending):
 * - in order: a message waits while an earlier one to the same customer is still PENDING, and the
 *   next one is started as soon as this one is done;
 * - only while the page's campaign has a working token: otherwise the message waits, PENDING, and
 *   messenger.resume-page-sends starts it again once the page is reconnected;
 * - inside the reply window (RESPONSE, or HUMAN_AGENT for an agent's reply), else FAILED;
 * - part by part (text, then each attachment: one Send API call each), counting the parts Facebook
 *   accepted so a retry never repeats one;
 * - claimed before calling Facebook (sendingSince): while the claim is fresh no other job sends it,
 *   and when a call's outcome is unknown (timeout, crash) the echo has OUTBOUND_ECHO_WAIT_SECONDS to
 *   mark it SENT before it is sent again;
 * - temporary errors and rate limits retry with backoff; window, unavailable-person and bad-request
 *   errors end FAILED with the reason in words; a refused token marks the campaign INACTIVE
 *   (withPageToken) and leaves the message PENDING.
 */
@Injectable()
export class SendMessageJob {
  private readonly logger = new Logger('SendMessage');

  constructor(
    private readonly db: DataSource,
    private readonly transactions: Transactions,
    private readonly graph: GraphClient,
    private readonly connection: FacebookConnectionService,
    private readonly store: AttachmentStore,
    private readonly jobs: JobQueue,
    private readonly announce: MessageAnnouncements,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** How long a claim holds: the echo wait, plus the longest call it may be waiting on. */
  private get claimSeconds(): number {
    return this.config.outboundEchoWaitSeconds + Math.ceil(this.graph.uploadTimeoutMs / 1000);
  }

  @JobHandler(JobName.SendMessage)
  async run({ messageId }: JobPayloads[JobName.SendMessage]): Promise<string> {
    const message = await this.load(messageId);
    if (!message || message.status !== 'PENDING') return 'nothing to send';
    const [campaign] = (await this.db.query('SELECT id, tokenStatus FROM campaigns WHERE pageId = ?', [
      message.pageId,
    ])) as { id: string; tokenStatus: string }[];
    if (!campaign || campaign.tokenStatus !== TokenStatus.ACTIVE) {
      return 'waiting for the page to be connected again'; // resume-page-sends starts it then
    }
    if (await this.earlierPending(message))
      throw new NotYet('an earlier message to this customer is still pending');
    const lastInbound = await lastCustomerMessageAt(this.db, message.contactId);
    const fields = sendFields(replyWindow(lastInbound, new Date()), message.sentByUserId !== null);
    if ('refused' in fields) return this.fail(message, fields.refused);
    const parts = this.partsOf(message);
    if (!(await this.claim(message.id))) {
      const now = await this.load(messageId);
      if (!now || now.status !== 'PENDING') return 'nothing to send';
      throw new NotYet('another worker is sending it, or the echo of an attempt is awaited');
    }
    // Re-read after the claim: an echo may have counted parts meanwhile.
    let done = (await this.load(messageId))?.sentParts ?? message.sentParts;
    try {
      for (; done < parts.length; done++) {
        await this.renewClaim(message.id);
        const mid = await this.sendPart(campaign.id, message, parts[done], done, fields);
        await this.db.query(
          'UPDATE messages SET sentParts = GREATEST(sentParts, ?), mid = COALESCE(mid, ?) WHERE id = ?',
          [done + 1, mid, message.id],
        );
      }
    } catch (error) {
      if (error instanceof Unsendable) return this.fail(message, error.message, done);
      if (!(error instanceof GraphError)) throw error;
      // Facebook answered, so nothing of this call was taken: the next attempt may go at once. No
      // answer (code null: timeout, connection lost, bare 5xx) keeps the claim: the echo decides.
      if (error.code !== null) await this.releaseClaim(message.id);
      if (error.isTransient) throw error;
      if (error.refusesToken) {
        this.logger.warn(`Message ${message.id} waits: the page token was refused (${error.reason})`);
        return 'waiting for the page to be reconnected';
      }
      return this.fail(message, error.reason, done);
    }
    await this.settle(message, { status: 'SENT', error: null });
    return 'sent';
  }

  /** A page's token works again: its PENDING messages are sent, oldest first (the order holds them). */
  @JobHandler(JobName.ResumePageSends)
  async resume({ pageId }: JobPayloads[JobName.ResumePageSends]): Promise<string> {
    const rows = (await this.db.query(
      `SELECT id FROM messages WHERE status = 'PENDING' AND pageId = ? AND direction = 'OUTBOUND'
        ORDER BY sentAt, id LIMIT 5000`,
      [pageId],
    )) as { id: string }[];
    // Fresh job ids: the first jobs of these messages may have completed while they waited.
    const stamp = Date.now();
    for (const { id } of rows) {
      await this.jobs.add(JobName.SendMessage, { messageId: id }, { jobId: `send-${id}-resume-${stamp}` });
    }
    return `${rows.length} pending message(s) started again`;
  }

  private partsOf(message: Pending): Part[] {
    const attachments: MessageAttachment[] =
      typeof message.attachments === 'string' ? JSON.parse(message.attachments) : message.attachments;
    return [
      ...(message.text ? [{ text: message.text }] : []),
      ...attachments.map((attachment) => ({ attachment })),
    ];
  }

  /** One Send API call; its metadata names the message, and the part after the first. */
  private async sendPart(
    campaignId: string,
    message: Pending,
    part: Part,
    index: number,
    fields: { messaging_type: string; tag?: string },
  ): Promise<string | null> {
    const metadata = index === 0 ? message.id : `${message.id}:${index}`;
    const sent = await this.connection.withPageToken(campaignId, async (token) => {
      let content: Record<string, unknown>;
      if ('text' in part) content = { text: part.text };
      else {
        const type = FACEBOOK_TYPE[part.attachment.type];
        if (part.attachment.key) {
          const bytes = await this.store.blob(part.attachment.key, part.attachment.contentType ?? '');
          if (!bytes)
            throw new Unsendable(`the file "${part.attachment.name ?? 'attachment'}" is gone from storage`);
          const attachmentId = await this.graph.uploadAttachment(message.pageId, token, {
            type,
            bytes,
            name: part.attachment.name ?? 'attachment',
          });
          content = { attachment: { type, payload: { attachment_id: attachmentId } } };
        } else {
          content = { attachment: { type, payload: { url: part.attachment.url, is_reusable: true } } };
        }
      }
      return this.graph.sendAsPage(message.pageId, token, {
        recipient: { id: message.psid },
        ...fields,
        message: { ...content, metadata },
      });
    });
    return sent.message_id ?? null;
  }

  private async load(id: string): Promise<Pending | null> {
    const [row] = (await this.db.query(
      `SELECT m.id, m.pageId, m.contactId, m.interactionId, m.text, m.attachments, m.sentByUserId, m.status,
              m.sentParts, c.psid
         FROM messages m JOIN contacts c ON c.id = m.contactId
        WHERE m.id = ? AND m.direction = 'OUTBOUND'`,
      [id],
    )) as Pending[];
    return row ?? null;
  }

  private async earlierPending(message: Pending): Promise<boolean> {
    const [row] = (await this.db.query(
      `SELECT 1 AS found FROM messages m, messages self
        WHERE self.id = ? AND m.contactId = self.contactId AND m.direction = 'OUTBOUND'
          AND m.status = 'PENDING' AND (m.sentAt < self.sentAt OR (m.sentAt = self.sentAt AND m.id < self.id))
        LIMIT 1`,
      [message.id],
    )) as { found: number }[];
    return Boolean(row);
  }

  /** Takes the message for this worker, unless another one holds a fresh claim on it. */
  private async claim(id: string): Promise<boolean> {
    const outcome = (await this.db.query(
      `UPDATE messages SET sendingSince = NOW(3)
        WHERE id = ? AND status = 'PENDING'
          AND (sendingSince IS NULL OR sendingSince < NOW(3) - INTERVAL ? SECOND)`,
      [id, this.claimSeconds],
    )) as { affectedRows?: number };
    return outcome.affectedRows === 1;
  }

  private async renewClaim(id: string): Promise<void> {
    await this.db.query('UPDATE messages SET sendingSince = NOW(3) WHERE id = ?', [id]);
  }

  private async releaseClaim(id: string): Promise<void> {
    await this.db.query('UPDATE messages SET sendingSince = NULL WHERE id = ?', [id]);
  }

  private async fail(message: Pending, reason: string, partsSent = 0): Promise<string> {
    const why =
      partsSent > 0
        ? `only part of it went (${partsSent} of ${this.partsOf(message).length}): ${reason}`
        : reason;
    this.logger.warn(`Message ${message.id} not sent: ${why}`);
    await this.settle(message, { status: 'FAILED', error: why });
    return 'failed';
  }

  /**
   * SENT or FAILED, only if still PENDING (an echo that came first wins), announced; then the next
   * PENDING message to this customer is started rather than left to its backoff.
   */
  private async settle(message: Pending, result: { status: 'SENT' | 'FAILED'; error: string | null }) {
    await this.transactions.run(async (uow) => {
      const outcome = (await uow.em.query(
        `UPDATE messages SET status = ?, error = ?, sendingSince = NULL WHERE id = ? AND status = 'PENDING'`,
        [result.status, result.error?.slice(0, 1000) ?? null, message.id],
      )) as { affectedRows?: number };
      if (outcome.affectedRows) await this.announce.messages(uow, [message], 'UPDATED');
      const [next] = (await uow.em.query(
        `SELECT id FROM messages
          WHERE contactId = ? AND direction = 'OUTBOUND' AND status = 'PENDING' AND id <> ?
          ORDER BY sentAt, id LIMIT 1`,
        [message.contactId, message.id],
      )) as { id: string }[];
      if (next)
        uow.enqueue(
          JobName.SendMessage,
          { messageId: next.id },
          { jobId: `send-${next.id}-after-${message.id}` },
        );
    });
  }
}
