import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import { isOpen } from '@parley/libs/schedule/schedule.js';
import { Channel } from '@parley/libs/shared/campaigns.js';
import { Role } from '@parley/libs/shared/roles.js';
import { CampaignChanged, UserChanged } from '../events/catalogue.js';
import { CurrentPrincipal, type Principal, Roles } from '../infrastructure/access/access.js';
import { ANY_OWNER, type PayloadOf } from '../infrastructure/events/event.js';
import { EventBus } from '../infrastructure/events/event-bus.service.js';
import { CachedUntil } from '../infrastructure/graphql/response-cache.js';
import { CampaignMembershipLookup } from './campaign-membership.js';
import { CampaignModel } from './campaign.model.js';
import {
  type CampaignChange,
  campaignFromSnapshot,
  type CampaignScope,
  CampaignsService,
} from './campaigns.service.js';
import { CampaignInput, CannedResponseInput } from './dto/campaign.input.js';

@Resolver(() => CampaignModel)
export class CampaignsResolver {
  constructor(
    private readonly campaignsService: CampaignsService,
    private readonly membership: CampaignMembershipLookup,
    private readonly bus: EventBus,
  ) {}

  /**
   * What the event announces, read once per event on this instance however many subscribers it
   * has (the bus hands every listener the same payload object). Null: deleted since.
   */
  private readonly changes = new WeakMap<PayloadOf<typeof CampaignChanged>, Promise<CampaignChange | null>>();

  private changeOf(event: PayloadOf<typeof CampaignChanged>): Promise<CampaignChange | null> {
    let change = this.changes.get(event);
    if (!change) {
      change = event.deleted
        ? Promise.resolve(campaignFromSnapshot(event.deleted))
        : this.campaignsService.findInScope('all', event.campaignId);
      this.changes.set(event, change);
    }
    return change;
  }

  /** Admins and supervisors see every campaign, an agent their own, an AGENT API key none. */
  private async scopeOf(principal: Principal): Promise<CampaignScope> {
    if (principal.role !== Role.AGENT) return 'all';
    return principal.kind === 'user' ? this.membership.campaignIdsOf(principal.userId) : [];
  }

  @Query(() => [CampaignModel], {
    description: 'By name. Agents see only the campaigns they are members of; an AGENT API key sees none.',
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR, Role.AGENT)
  @CachedUntil([CampaignChanged.name, UserChanged.name])
  async campaigns(
    @CurrentPrincipal() principal: Principal,
    @Args('channel', { type: () => Channel, nullable: true, description: 'Only campaigns of this channel.' })
    channel?: Channel,
  ): Promise<CampaignModel[]> {
    return this.campaignsService.list(await this.scopeOf(principal), channel);
  }

  @Query(() => CampaignModel, {
    nullable: true,
    description: 'Null when it does not exist or the caller may not see it.',
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR, Role.AGENT)
  @CachedUntil([CampaignChanged.name, UserChanged.name])
  async campaign(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID, description: 'The campaign.' }) id: string,
  ): Promise<CampaignModel | null> {
    return this.campaignsService.findInScope(await this.scopeOf(principal), id);
  }

  @Mutation(() => CampaignModel, {
    description: 'Creates a campaign; omitted fields take their defaults. Bad fields are all named at once.',
  })
  @Roles(Role.ADMIN)
  createCampaign(
    @Args('input', { description: 'name is required.' }) input: CampaignInput,
  ): Promise<CampaignModel> {
    return this.campaignsService.create(input);
  }

  @Mutation(() => CampaignModel, { description: 'Omitted fields stay unchanged; the channel cannot change.' })
  @Roles(Role.ADMIN)
  updateCampaign(
    @Args('id', { type: () => ID, description: 'The campaign to change.' }) id: string,
    @Args('input', { description: 'Only the fields to change.' }) input: CampaignInput,
  ): Promise<CampaignModel> {
    return this.campaignsService.update(id, input);
  }

  @Mutation(() => Boolean, {
    description: 'Refused (CONFLICT) once the campaign has interactions: disable it instead.',
  })
  @Roles(Role.ADMIN)
  deleteCampaign(
    @Args('id', { type: () => ID, description: 'The campaign to delete.' }) id: string,
  ): Promise<boolean> {
    return this.campaignsService.delete(id);
  }

  @Mutation(() => CampaignModel, { description: "Appends one canned response to the campaign's list." })
  @Roles(Role.ADMIN)
  addCannedResponse(
    @Args('campaignId', { type: () => ID, description: 'The campaign that gets the reply.' })
    campaignId: string,
    @Args('input', { description: 'The new canned response.' }) input: CannedResponseInput,
  ): Promise<CampaignModel> {
    return this.campaignsService.addCannedResponse(campaignId, input);
  }

  @Mutation(() => CampaignModel, {
    description: 'Replaces the title and text of one canned response; answers its campaign.',
  })
  @Roles(Role.ADMIN)
  updateCannedResponse(
    @Args('id', { type: () => ID, description: 'The canned response to change.' }) id: string,
    @Args('input', { description: 'Its new title and text.' }) input: CannedResponseInput,
  ): Promise<CampaignModel> {
    return this.campaignsService.updateCannedResponse(id, input);
  }

  @Mutation(() => CampaignModel, { description: 'Deletes one canned response; answers its campaign.' })
  @Roles(Role.ADMIN)
  removeCannedResponse(
    @Args('id', { type: () => ID, description: 'The canned response to delete.' }) id: string,
  ): Promise<CampaignModel> {
    return this.campaignsService.removeCannedResponse(id);
  }

  @Subscription(() => CampaignModel, {
    description:
      'Token status and configuration changes (admins and supervisors); deleted is true on the last event.',
    resolve: (campaign: CampaignChange) => campaign,
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR)
  campaignChanged(): AsyncIterableIterator<CampaignChange> {
    // An event whose campaign was deleted before it was read (null) is followed by the deletion's own.
    return this.bus.iterate(CampaignChanged, ANY_OWNER, (event) => this.changeOf(event));
  }

  @ResolveField(() => Boolean, {
    description: "Whether the schedule is open now, read in the campaign's zone.",
  })
  isOpenNow(@Parent() campaign: CampaignModel): boolean {
    try {
      return isOpen(campaign.schedule, campaign.timezone, new Date());
    } catch {
      // A zone the runtime no longer knows (tz database update): closed rather than a failed query.
      return false;
    }
  }

  @ResolveField(() => Boolean, {
    description: 'True only in the campaignChanged event that announces the campaign was deleted.',
  })
  deleted(@Parent() campaign: CampaignChange): boolean {
    return campaign.deleted === true;
  }
}
