import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sendFields, replyWindow } from '@parley/libs/messenger/reply-window.js';
import { FacebookConnectionService } from '../../campaigns/facebook/facebook-connection.service.js';
import { MessageStatusChanged } from '../../events/catalogue.js';
import { Transactions } from '../../infrastructure/events/after-commit.js';
import { JobHandler } from '../../infrastructure/queues/job-handler.decorator.js';
import { JobName, type JobPayloads } from '../../infrastructure/queues/queue-registry.js';
import { GraphError } from '../graph/graph-error.js';
import { GraphClient } from '../graph/graph.client.js';

interface Pending {
  id: string;
  pageId: string;
  contactId: string;
  interactionId: string | null;
  text: string | null;
  sentByUserId: string | null;
  status: string;
  psid: string;
  campaignId: string | null;
}

/** Thrown to have BullMQ try again later (backoff), without marking anything. */
class NotYet extends Error {}

/**
 * Sends one stored PENDING message through the Send API (docs/messenger.md#sending):
 * - in order: a message waits while an earlier one to the same customer is still PENDING;
 * - inside the reply window (RESPONSE, or HUMAN_AGENT for an agent's reply), else FAILED;
 * - temporary errors and rate limits retry with backoff; window, unavailable-person and
 *   bad-request errors end FAILED with the reason in words; a refused token marks the campaign
 *   INACTIVE (withPageToken) and leaves the message PENDING, to go once the page is reconnected.
 * The message is marked SENT only if still PENDING, so an echo that arrived first wins.
 */
@Injectable()
export class SendMessageJob {
  private readonly logger = new Logger('SendMessage');

  constructor(
    private readonly db: DataSource,
    private readonly transactions: Transactions,
    private readonly graph: GraphClient,
    private readonly connection: FacebookConnectionService,
  ) {}

  @JobHandler(JobName.SendMessage)
  async run({ messageId }: JobPayloads[JobName.SendMessage]): Promise<string> {
    const message = await this.load(messageId);
    if (!message || message.status !== 'PENDING') return 'nothing to send';
    if (await this.earlierPending(message))
      throw new NotYet('an earlier message to this customer is still pending');
    if (!message.campaignId) return this.fail(message, 'the conversation belongs to no campaign');
    const lastInbound = await this.lastCustomerMessageAt(message.contactId);
    const fields = sendFields(replyWindow(lastInbound, new Date()), message.sentByUserId !== null);
    if ('refused' in fields) return this.fail(message, fields.refused);
    try {
      const sent = await this.connection.withPageToken(message.campaignId, (token) =>
        this.graph.sendAsPage(message.pageId, token, {
          recipient: { id: message.psid },
          ...fields,
          message: { text: message.text ?? '', metadata: message.id },
        }),
      );
      await this.record(message, { status: 'SENT', mid: sent.message_id ?? null, error: null });
      return 'sent';
    } catch (error) {
      if (!(error instanceof GraphError)) throw error;
      if (error.isTransient) throw error;
      if (error.refusesToken) {
        this.logger.warn(`Message ${message.id} waits: the page token was refused (${error.reason})`);
        return 'waiting for the page to be reconnected';
      }
      return this.fail(message, error.reason);
    }
  }

  private async load(id: string): Promise<Pending | null> {
    const [row] = (await this.db.query(
      `SELECT m.id, m.pageId, m.contactId, m.interactionId, m.text, m.sentByUserId, m.status, c.psid,
              i.campaignId
         FROM messages m JOIN contacts c ON c.id = m.contactId
         LEFT JOIN interactions i ON i.id = m.interactionId
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

  private async lastCustomerMessageAt(contactId: string): Promise<Date | null> {
    const [row] = (await this.db.query(
      "SELECT MAX(sentAt) AS at FROM messages WHERE contactId = ? AND direction = 'INBOUND'",
      [contactId],
    )) as { at: Date | null }[];
    return row?.at ? new Date(row.at) : null;
  }

  private async fail(message: Pending, reason: string): Promise<string> {
    this.logger.warn(`Message ${message.id} not sent: ${reason}`);
    await this.record(message, { status: 'FAILED', mid: null, error: reason });
    return 'failed';
  }

  private async record(
    message: Pending,
    result: { status: 'SENT' | 'FAILED'; mid: string | null; error: string | null },
  ): Promise<void> {
    await this.transactions.run(async (uow) => {
      const outcome = (await uow.em.query(
        `UPDATE messages SET status = ?, mid = COALESCE(mid, ?), error = ? WHERE id = ? AND status = 'PENDING'`,
        [result.status, result.mid, result.error?.slice(0, 1000) ?? null, message.id],
      )) as { affectedRows?: number };
      if (outcome.affectedRows && message.interactionId) {
        uow.publish(MessageStatusChanged, { messageId: message.id, interactionId: message.interactionId });
      }
    });
  }
}
