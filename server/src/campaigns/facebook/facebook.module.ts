import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GraphModule } from '../../messenger/graph/graph.module.js';
import { CampaignEntity } from '../campaign.entity.js';
import { CampaignsModule } from '../campaigns.module.js';
import { ActivationTickets } from './activation-tickets.js';
import { CampaignPageTokenEntity } from './campaign-page-token.entity.js';
import { FacebookActivationController } from './facebook-activation.controller.js';
import { FacebookActivationService } from './facebook-activation.service.js';
import { FacebookConnectionService } from './facebook-connection.service.js';
import { FacebookResolver } from './facebook.resolver.js';
import { FacebookTokenJobs } from './token-jobs.js';

/** A campaign's Facebook page: the activation popup, page tokens, token health and renewal (docs/facebook.md). */
@Module({
  imports: [
    TypeOrmModule.forFeature([CampaignEntity, CampaignPageTokenEntity]),
    CampaignsModule,
    GraphModule,
  ],
  controllers: [FacebookActivationController],
  providers: [
    ActivationTickets,
    FacebookConnectionService,
    FacebookActivationService,
    FacebookResolver,
    FacebookTokenJobs,
  ],
  exports: [FacebookConnectionService],
})
export class CampaignFacebookModule {}
