import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource, type EntityManager } from 'typeorm';
import {
  ANNOUNCEMENT_INTERVAL_MS,
  queuePositionAnnouncement,
} from '@parley/libs/routing/customer-messages.js';
import { isOpen } from '@parley/libs/schedule/schedule.js';
import type { CampaignEntity } from '../../campaigns/campaign.entity.js';
import { CampaignsService } from '../../campaigns/campaigns.service.js';
import { Transactions } from '../../infrastructure/events/after-commit.js';
import { JobHandler } from '../../infrastructure/queues/job-handler.decorator.js';
import { JobName, type JobPayloads } from '../../infrastructure/queues/queue-registry.js';
import { ContactsService } from '../../messenger/contacts/contacts.service.js';
import { ConversationsService } from '../../messenger/conversations.service.js';
import { OutboundMessages } from '../../messenger/outbound/outbound-messages.service.js';

interface Waiting {
  campaignId: string;
  contactId: string;
  status: string;
  queuedAt: Date;
  positionAnnouncedAt: Date | null;
  now: Date;
}

/**
 * A customer's message left them QUEUED (routing decided so, after its offers, and enqueued this):
 * they are told their place in the campaign's queue and the estimated wait, at most once a minute
 * per interaction (queuePositionAnnouncement in libs words it and throttles). Nothing while the
 * campaign is disabled, closed (the after-hours message speaks then) or no longer announces, nor
 * once the interaction was OFFERED or taken meanwhile.
 *
 * Two workers cannot both announce: the contact row is locked first (as ingest locks it, so the
 * order is the same and nothing deadlocks), then the interaction, and `positionAnnouncedAt` moves
 * by a conditional UPDATE, in the same transaction that stores the message.
 */
@Injectable()
export class QueuePositionJob {
  constructor(
    private readonly db: DataSource,
    private readonly transactions: Transactions,
    private readonly campaigns: CampaignsService,
    private readonly contacts: ContactsService,
    private readonly conversations: ConversationsService,
    private readonly outbound: OutboundMessages,
  ) {}

  @JobHandler(JobName.AnnounceQueuePosition)
  async run({ interactionId }: JobPayloads[JobName.AnnounceQueuePosition]): Promise<string> {
    const [found] = (await this.db.query('SELECT campaignId, contactId FROM interactions WHERE id = ?', [
      interactionId,
    ])) as { campaignId: string; contactId: string }[];
    if (!found) return 'no such interaction';
    const campaign = await this.campaigns.getById(found.campaignId);
    if (!campaign.enabled || !campaign.announceQueuePosition) return 'the campaign does not announce';
    return this.transactions.run(async (uow) => {
      const { em } = uow;
      await this.contacts.lock(em, found.contactId);
      const [waiting] = (await em.query(
        `SELECT campaignId, contactId, status, queuedAt, positionAnnouncedAt, NOW(3) AS now
           FROM interactions WHERE id = ? FOR UPDATE`,
        [interactionId],
      )) as Waiting[];
      if (waiting.campaignId !== campaign.id) return 'transferred to another campaign meanwhile';
      if (waiting.status !== 'QUEUED') return `no longer queued (${waiting.status})`;
      if (!isOpen(campaign.schedule, campaign.timezone, waiting.now)) return 'the campaign is closed';
      const text = queuePositionAnnouncement({
        position: await this.position(em, interactionId, waiting),
        averageWaitSeconds: await this.averageWaitToday(em, campaign, waiting.now),
        lastAnnouncedAt: waiting.positionAnnouncedAt,
        now: waiting.now,
      });
      if (!text) return 'told less than a minute ago';
      const claimed = (await em.query(
        `UPDATE interactions SET positionAnnouncedAt = ?
          WHERE id = ? AND status = 'QUEUED' AND (positionAnnouncedAt IS NULL OR positionAnnouncedAt <= ?)`,
        [waiting.now, interactionId, new Date(waiting.now.getTime() - ANNOUNCEMENT_INTERVAL_MS)],
      )) as { affectedRows?: number };
      if (!claimed.affectedRows) return 'told less than a minute ago';
      const contact = (await this.conversations.contacts([waiting.contactId])).get(waiting.contactId);
      if (!contact) return 'no such contact';
      await this.outbound.queue(uow, {
        interactionId,
        contactId: waiting.contactId,
        pageId: contact.pageId,
        text,
        sentByUserId: null,
      });
      return 'sent';
    });
  }

  /** 1-based place among the campaign's QUEUED interactions, in queue order (queuedAt, then id). */
  private async position(em: EntityManager, interactionId: string, waiting: Waiting): Promise<number> {
    const [{ ahead }] = (await em.query(
      `SELECT COUNT(*) AS ahead FROM interactions
        WHERE campaignId = ? AND status = 'QUEUED' AND (queuedAt < ? OR (queuedAt = ? AND id < ?))`,
      [waiting.campaignId, waiting.queuedAt, waiting.queuedAt, interactionId],
    )) as { ahead: string | number }[];
    return Number(ahead) + 1;
  }

  /**
   * The campaign's average wait today (queued to accepted, "today" in its zone), the figure the
   * announcement gives (libs/routing/customer-messages.ts); null when nothing was answered yet today.
   */
  private async averageWaitToday(
    em: EntityManager,
    campaign: CampaignEntity,
    now: Date,
  ): Promise<number | null> {
    const startOfDay = DateTime.fromJSDate(now, { zone: campaign.timezone }).startOf('day').toJSDate();
    const [{ seconds }] = (await em.query(
      `SELECT AVG(TIMESTAMPDIFF(MICROSECOND, queuedAt, assignedAt)) / 1000000 AS seconds
         FROM interactions WHERE campaignId = ? AND assignedAt >= ?`,
      [campaign.id, startOfDay],
    )) as { seconds: string | number | null }[];
    return seconds === null ? null : Math.max(0, Number(seconds));
  }
}
