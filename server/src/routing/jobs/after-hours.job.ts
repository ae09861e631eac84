import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { afterHoursReply } from '@parley/libs/routing/customer-messages.js';
import { CampaignsService } from '../../campaigns/campaigns.service.js';
import { Transactions } from '../../infrastructure/events/after-commit.js';
import { JobHandler } from '../../infrastructure/queues/job-handler.decorator.js';
import { JobName, type JobPayloads } from '../../infrastructure/queues/queue-registry.js';
import { ConversationsService } from '../../messenger/conversations.service.js';
import { OutboundMessages } from '../../messenger/outbound/outbound-messages.service.js';

interface Conversation {
  campaignId: string;
  contactId: string;
  afterHoursSentAt: Date | null;
}

/**
 * A customer wrote while the campaign is closed: they get its afterHoursMessage, once per
 * conversation per day in the campaign's zone (afterHoursReply in libs decides). The interaction
 * row is locked while deciding, so two messages processed at once send it once. The interaction
 * still queues and is routed when the campaign opens.
 */
@Injectable()
export class AfterHoursJob {
  constructor(
    private readonly db: DataSource,
    private readonly transactions: Transactions,
    private readonly campaigns: CampaignsService,
    private readonly conversations: ConversationsService,
    private readonly outbound: OutboundMessages,
  ) {}

  @JobHandler(JobName.AfterHoursReply)
  async run({ interactionId, at }: JobPayloads[JobName.AfterHoursReply]): Promise<string> {
    const [found] = (await this.db.query('SELECT campaignId FROM interactions WHERE id = ?', [
      interactionId,
    ])) as { campaignId: string }[];
    if (!found) return 'no such interaction';
    const campaign = await this.campaigns.getById(found.campaignId);
    return this.transactions.run(async (uow) => {
      const [conversation] = (await uow.em.query(
        'SELECT campaignId, contactId, afterHoursSentAt FROM interactions WHERE id = ? FOR UPDATE',
        [interactionId],
      )) as Conversation[];
      const reply = afterHoursReply(campaign, new Date(at), conversation.afterHoursSentAt);
      if (!reply.send) return reply.why;
      await uow.em.query('UPDATE interactions SET afterHoursSentAt = ? WHERE id = ?', [
        new Date(at),
        interactionId,
      ]);
      const contact = (await this.conversations.contacts([conversation.contactId])).get(
        conversation.contactId,
      );
      if (!contact) return 'no such contact';
      await this.outbound.queue(uow, {
        interactionId,
        contactId: conversation.contactId,
        pageId: contact.pageId,
        text: reply.text,
        sentByUserId: null,
      });
      return 'sent';
    });
  }
}
