import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CampaignEntity } from './campaign.entity.js';
import { CampaignsResolver } from './campaigns.resolver.js';
import { CampaignsService } from './campaigns.service.js';
import { CannedResponseEntity } from './canned-response.entity.js';

/** Campaign settings, schedules and canned responses (Facebook activation joins later). */
@Module({
  imports: [TypeOrmModule.forFeature([CampaignEntity, CannedResponseEntity])],
  providers: [CampaignsService, CampaignsResolver],
  exports: [CampaignsService],
})
export class CampaignsModule {}
