import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CampaignsModule } from '../campaigns/campaigns.module.js';
import { MessengerModule } from '../messenger/messenger.module.js';
import { InteractionOfferEntity } from './interaction-offer.entity.js';
import { InteractionEntity } from './interaction.entity.js';
import { RoutingDecisionEntity } from './routing-decision.entity.js';
import { AgentDeskResolver } from './agent-desk.resolver.js';
import { InboxResolver } from './inbox.resolver.js';
import { InteractionsResolver, MessageSentByResolver } from './interactions.resolver.js';
import { InteractionsService } from './interactions.service.js';
import { MessagesResolver } from './messages.resolver.js';
import { RepliesService } from './replies.service.js';
import { RoutingJobs } from './jobs/routing.jobs.js';
import { PresenceResolver } from './presence.resolver.js';
import { RoutingService } from './routing.service.js';
import { SocketPresenceService } from './socket-presence.service.js';

/**
 * Agents' presence, the queue, offers and strategies (docs/routing.md). Presence is stored with the
 * user (members owns the row); routing owns interactions' lifecycle, offers and decisions.
 */
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
  ],
})
export class RoutingModule {}
