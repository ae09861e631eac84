import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Role } from '@parley/libs/shared/roles.js';
import { CampaignModel } from '../campaigns/campaign.model.js';
import type { CampaignEntity } from '../campaigns/campaign.entity.js';
import { CampaignsService } from '../campaigns/campaigns.service.js';
import { CurrentPrincipal, type Principal, Roles } from '../infrastructure/access/access.js';
import { ParleyError } from '../infrastructure/errors/parley-error.js';
import { batchedLoader } from '../infrastructure/graphql/batched-loader.js';
import type { UserEntity } from '../members/user.entity.js';
import { UserModel } from '../members/user.model.js';
import { UsersService } from '../members/users.service.js';
import { ContactModel, MessageModel } from '../messenger/conversation.model.js';
import { ConversationsService } from '../messenger/conversations.service.js';
import { InteractionModel, RoutingDecisionModel } from './interaction.model.js';
import { InteractionsService } from './interactions.service.js';
import { RoutingService } from './routing.service.js';

const MAX_LAST = 200;

const userOf = (principal: Principal): string => {
  if (principal.kind !== 'user')
    throw ParleyError.forbidden('This needs a signed-in agent; an API key has no inbox');
  return principal.userId;
};

/** Interactions: the agent's inbox, the MANUAL queue, one interaction, and what agents do with them. */
@Resolver(() => InteractionModel)
export class InteractionsResolver {
  constructor(
    private readonly interactions: InteractionsService,
    private readonly routing: RoutingService,
    private readonly campaigns: CampaignsService,
    private readonly users: UsersService,
    private readonly conversations: ConversationsService,
  ) {}

  private readonly campaignLoader = batchedLoader<string, CampaignEntity | null>(
    async (ids) => new Map((await this.campaigns.getMany(ids)).map((c) => [c.id, c])),
    () => null,
  );
  private readonly contactLoader = batchedLoader<string, ContactModel | null>(
    (ids) => this.conversations.contacts(ids),
    () => null,
  );
  private readonly userLoader = batchedLoader<string, UserEntity | null>(
    async (ids) => new Map((await this.users.findByIds(ids)).map((u) => [u.id, u])),
    () => null,
  );
  /** Keyed by `<last>:<interactionId>` so one batch reads one `last`. */
  private readonly messagesLoader = batchedLoader<string, MessageModel[]>(
    async (keys) => {
      const result = new Map<string, MessageModel[]>();
      const byLast = new Map<number, string[]>();
      for (const key of keys) {
        const [last, id] = key.split(':');
        byLast.set(Number(last), [...(byLast.get(Number(last)) ?? []), id]);
      }
      for (const [last, ids] of byLast) {
        const found = await this.conversations.lastMessages(ids, last);
        for (const id of ids) result.set(`${last}:${id}`, found.get(id) ?? []);
      }
      return result;
    },
    () => [],
  );

  private async reread(principal: Principal, id: string): Promise<InteractionModel> {
    const found = (await this.interactions.byIds([id])).get(id);
    if (!found) throw ParleyError.notFound('Interaction', id);
    void principal;
    return found;
  }

  @Query(() => [InteractionModel], { description: "The calling agent's OFFERED and ACTIVE interactions." })
  @Roles(Role.ADMIN, Role.SUPERVISOR, Role.AGENT)
  inbox(@CurrentPrincipal() principal: Principal): Promise<InteractionModel[]> {
    return this.interactions.inbox(userOf(principal));
  }

  @Query(() => [InteractionModel], {
    description:
      'QUEUED interactions the caller may pick: of the MANUAL campaigns an agent belongs to; every QUEUED one for admins and supervisors. Oldest first.',
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR, Role.AGENT)
  pendingInteractions(
    @CurrentPrincipal() principal: Principal,
    @Args('campaignId', { type: () => ID, nullable: true, description: 'Only this campaign.' })
    campaignId?: string | null,
  ): Promise<InteractionModel[]> {
    return this.interactions.pending(principal, campaignId ?? null);
  }

  @Query(() => InteractionModel, {
    nullable: true,
    description:
      'One interaction. Admins and supervisors see any; an agent only their own, one offered to them, or a QUEUED one of their MANUAL campaign. Null otherwise.',
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR, Role.AGENT)
  interaction(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID, description: 'The interaction.' }) id: string,
  ): Promise<InteractionModel | null> {
    return this.interactions.visible(principal, id);
  }

  @Query(() => [RoutingDecisionModel], {
    description: 'Every routing decision about an interaction, oldest first: why it went to whom.',
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR)
  routingDecisions(
    @Args('interactionId', { type: () => ID, description: 'The interaction.' }) interactionId: string,
  ): Promise<RoutingDecisionModel[]> {
    return this.interactions.decisions(interactionId);
  }

  @Mutation(() => InteractionModel, {
    description:
      'Accepts an interaction offered to the calling agent (it becomes ACTIVE with them; other RINGALL offers are revoked), or takes a QUEUED one of a MANUAL campaign they belong to. CONFLICT when offered to someone else, already taken, or at capacity.',
  })
  @Roles(Role.AGENT)
  async acceptInteraction(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID, description: 'The interaction.' }) id: string,
  ): Promise<InteractionModel> {
    await this.routing.accept(userOf(principal), id);
    return this.reread(principal, id);
  }

  @Mutation(() => InteractionModel, {
    description:
      'Closes an ACTIVE interaction (its agent, or an admin or supervisor); the next customer message starts a new one.',
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR, Role.AGENT)
  async closeInteraction(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID, description: 'The interaction.' }) id: string,
    @Args('disposition', {
      type: () => String,
      nullable: true,
      description: 'How it ended, up to 500 characters.',
    })
    disposition?: string | null,
  ): Promise<InteractionModel> {
    await this.routing.close(principal, id, disposition ?? null);
    return this.reread(principal, id);
  }

  @Mutation(() => InteractionModel, {
    description:
      "Hands an ACTIVE interaction on; give exactly one target (else BAD_USER_INPUT). To an agent: they must be eligible in its campaign (else CONFLICT with the reason) and get it OFFERED. To a campaign: an enabled MESSENGER campaign of the same page, i.e. one connected to the conversation's page or to none (a page belongs to one campaign), whose queue it joins; the conversation stays on its page. NOT_FOUND for an unknown campaign; BAD_USER_INPUT for a VOICE one; CONFLICT (extensions.reason disabled, other-page or already-open) when it cannot take it. The former agent's inbox gets REVOKED.",
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR, Role.AGENT)
  async transferInteraction(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID, description: 'The interaction.' }) id: string,
    @Args('toUserId', { type: () => ID, nullable: true, description: 'The agent to hand it to.' })
    toUserId?: string | null,
    @Args('toCampaignId', {
      type: () => ID,
      nullable: true,
      description: 'The campaign whose queue it joins.',
    })
    toCampaignId?: string | null,
  ): Promise<InteractionModel> {
    await this.routing.transfer(principal, id, { toUserId, toCampaignId });
    return this.reread(principal, id);
  }

  @ResolveField(() => CampaignModel, { description: 'The campaign whose queue it is in.' })
  async campaign(@Parent() i: InteractionModel): Promise<CampaignEntity> {
    const campaign = await this.campaignLoader(i.campaignId);
    if (!campaign) throw ParleyError.notFound('Campaign', i.campaignId);
    return campaign;
  }

  @ResolveField(() => ContactModel, { description: 'The customer.' })
  async contact(@Parent() i: InteractionModel): Promise<ContactModel> {
    const contact = await this.contactLoader(i.contactId);
    if (!contact) throw ParleyError.notFound('Contact', i.contactId);
    return contact;
  }

  @ResolveField(() => UserModel, {
    nullable: true,
    description: 'The agent handling it (ACTIVE) or who closed it; null while QUEUED or OFFERED.',
  })
  agent(@Parent() i: InteractionModel): Promise<UserEntity | null> | null {
    return i.agentId ? this.userLoader(i.agentId) : null;
  }

  @ResolveField(() => [MessageModel], { description: 'Its messages, oldest first.' })
  messages(
    @Parent() i: InteractionModel,
    @Args('last', {
      type: () => Int,
      nullable: true,
      description: `Only the last this many (1..${MAX_LAST}, default 50).`,
    })
    last?: number | null,
  ): Promise<MessageModel[]> {
    const n = last ?? 50;
    if (n < 1 || n > MAX_LAST) throw ParleyError.badInput('last', `must be between 1 and ${MAX_LAST}`);
    return this.messagesLoader(`${n}:${i.id}`);
  }

  @ResolveField(() => MessageModel, { nullable: true, description: 'The latest message, either way.' })
  async lastMessage(@Parent() i: InteractionModel): Promise<MessageModel | null> {
    const [message] = await this.messagesLoader(`1:${i.id}`);
    return message ?? null;
  }
}

/** `Message.sentBy`: users are not messenger's to read. */
@Resolver(() => MessageModel)
export class MessageSentByResolver {
  constructor(private readonly users: UsersService) {}

  private readonly userLoader = batchedLoader<string, UserEntity | null>(
    async (ids) => new Map((await this.users.findByIds(ids)).map((u) => [u.id, u])),
    () => null,
  );

  @ResolveField(() => UserModel, {
    nullable: true,
    description: 'The agent who sent it; null for the customer or the page inbox.',
  })
  sentBy(@Parent() m: MessageModel): Promise<UserEntity | null> | null {
    return m.sentByUserId ? this.userLoader(m.sentByUserId) : null;
  }
}
