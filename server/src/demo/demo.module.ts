import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module.js';
import { MembersModule } from '../members/members.module.js';
import { DemoDataService } from './demo-data.service.js';

@Module({ imports: [MembersModule, CampaignsModule], providers: [DemoDataService] })
export class DemoModule {}
