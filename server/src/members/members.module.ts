import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActiveAdminLookup, CampaignMembershipLookup } from '../campaigns/campaign-membership.js';
import { CampaignsModule } from '../campaigns/campaigns.module.js';
import { CampaignMemberEntity } from './campaign-member.entity.js';
import { CampaignMembersResolver } from './campaign-members.resolver.js';
import { MembersResolver } from './members.resolver.js';
import { MembersService } from './members.service.js';
import { UserEntity } from './user.entity.js';
import { UsersResolver } from './users.resolver.js';
import { UsersService } from './users.service.js';

/**
 * People: users and their campaign memberships (penalty, position). Global only so that the
 * campaigns module, which members depends on, can reach its CampaignMembershipLookup and ActiveAdminLookup ports.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, CampaignMemberEntity]), CampaignsModule],
  providers: [
    UsersService,
    UsersResolver,
    MembersService,
    MembersResolver,
    CampaignMembersResolver,
    { provide: CampaignMembershipLookup, useExisting: MembersService },
    { provide: ActiveAdminLookup, useExisting: UsersService },
  ],
  exports: [UsersService, MembersService, CampaignMembershipLookup, ActiveAdminLookup],
})
export class MembersModule {}
