import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CampaignsModule } from '../campaigns/campaigns.module.js';
import { ConversationRouting } from '../messenger/conversation-routing.js';
import { MessengerModule } from '../messenger/messenger.module.js';
import { ConversationIntake } from './conversation-intake.service.js';
import { InteractionOfferEntity } from './interaction-offer.entity.js';
import { InteractionEntity } from './interaction.entity.js';
import { RoutingDecisionEntity } from './routing-decision.entity.js';
import { AgentDeskResolver } from './agent-desk.resolver.js';
import { InboxResolver } from './inbox.resolver.js';
import { InteractionsResolver, MessageSentByResolver } from './interactions.resolver.js';
import { InteractionsService } from './interactions.service.js';
import { MessagesResolver } from './messages.resolver.js';
import { RepliesService } from './replies.service.js';
import { AfterHoursJob } from './jobs/after-hours.job.js';
import { QueuePositionJob } from './jobs/queue-position.job.js';
import { RoutingJobs } from './jobs/routing.jobs.js';
import { PresenceResolver } from './presence.resolver.js';
import { RoutingService } from './routing.service.js';
import { SocketPresenceService } from './socket-presence.service.js';

/**
 * Agents' presence, the queue, offers and strategies (docs/routing.md). Presence is stored with the
 * user (members owns the row); routing owns interactions' lifecycle, offers and decisions. Global
 * only so that the messenger module, which routing depends on, can reach its ConversationRouting port.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([InteractionEntity, InteractionOfferEntity, RoutingDecisionEntity]),
    CampaignsModule,
    MessengerModule,
  ],
  providers: [
    PresenceResolver,
    SocketPresenceService,
    RoutingService,
    InteractionsService,
    InteractionsResolver,
    MessageSentByResolver,
    InboxResolver,
    AgentDeskResolver,
    RepliesService,
    MessagesResolver,
    RoutingJobs,
    AfterHoursJob,
    QueuePositionJob,
    ConversationIntake,
    { provide: ConversationRouting, useExisting: ConversationIntake },
  ],
  exports: [ConversationRouting],
})
export class RoutingModule {}
