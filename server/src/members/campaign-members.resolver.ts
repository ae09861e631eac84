import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Role } from '@parley/libs/shared/roles.js';
import { CurrentPrincipal, type Principal } from '../infrastructure/access/access.js';
import { CampaignModel } from '../campaigns/campaign.model.js';
import type { CampaignChange } from '../campaigns/campaigns.service.js';
import { batchedLoader } from '../infrastructure/graphql/batched-loader.js';
import { CampaignMemberModel } from './campaign-member.model.js';
import { type CampaignMemberView, MembersService } from './members.service.js';

/** `Campaign.members`, owned here so campaigns need not know about memberships. */
@Resolver(() => CampaignModel)
export class CampaignMembersResolver {
  private readonly load = batchedLoader<string, CampaignMemberView[]>(
    (campaignIds) => this.membersService.membersOf(campaignIds),
    () => [],
  );

  constructor(private readonly membersService: MembersService) {}

  // Field resolvers run after the query's own @Roles check; this one only narrows what agents see.
  @ResolveField(() => [CampaignMemberModel], {
    description: 'By position. An agent sees only their own membership.',
  })
  async members(
    @Parent() campaign: CampaignChange,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CampaignMemberModel[]> {
    // The deletion event: the memberships went with the campaign.
    if (campaign.deleted) return [];
    const members = await this.load(campaign.id);
    if (principal.role !== Role.AGENT) return members;
    return principal.kind === 'user' ? members.filter((m) => m.user.id === principal.userId) : [];
  }
}
