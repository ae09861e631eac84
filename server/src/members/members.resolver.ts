import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { Role } from '@parley/libs/shared/roles.js';
import { Roles } from '../infrastructure/access/access.js';
import { CampaignModel } from '../campaigns/campaign.model.js';
import { CampaignMemberModel } from './campaign-member.model.js';
import { CampaignMembersArgs } from './dto/campaign-members.args.js';
import { UpdateCampaignMemberArgs } from './dto/update-campaign-member.args.js';
import { MembersService } from './members.service.js';

@Resolver(() => CampaignMemberModel)
export class MembersResolver {
  constructor(private readonly membersService: MembersService) {}

  @Mutation(() => [CampaignModel], {
    description:
      'Adds every user (active agents) to every campaign; existing members stay as they are. New members go last.',
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR)
  addCampaignMembers(@Args() { campaignIds, userIds }: CampaignMembersArgs): Promise<CampaignModel[]> {
    return this.membersService.add(campaignIds, userIds);
  }

  @Mutation(() => [CampaignModel], {
    description: 'Removes the users from the campaigns; their active interactions stay with them.',
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR)
  removeCampaignMembers(@Args() { campaignIds, userIds }: CampaignMembersArgs): Promise<CampaignModel[]> {
    return this.membersService.remove(campaignIds, userIds);
  }

  @Mutation(() => CampaignMemberModel, { description: "Changes one member's penalty or position." })
  @Roles(Role.ADMIN, Role.SUPERVISOR)
  updateCampaignMember(
    @Args() { campaignId, userId, penalty, position }: UpdateCampaignMemberArgs,
  ): Promise<CampaignMemberModel> {
    return this.membersService.update(campaignId, userId, { penalty, position });
  }
}
