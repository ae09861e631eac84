import { Args, ID, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Role } from '@parley/libs/shared/roles.js';
import { CurrentPrincipal, type Principal, Roles } from '../infrastructure/access/access.js';
import { ParleyError } from '../infrastructure/errors/parley-error.js';
import { batchedLoader } from '../infrastructure/graphql/batched-loader.js';
import type { UserEntity } from '../members/user.entity.js';
import { UsersService } from '../members/users.service.js';
import {
  InteractionConnectionModel,
  InteractionFilterInput,
  TransferTargetsModel,
} from './interaction-history.model.js';
import { InteractionModel } from './interaction.model.js';
import { HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX, InteractionsService } from './interactions.service.js';

const PREVIOUS_MAX = 50;
const PREVIOUS_DEFAULT = 10;

/**
 * What the agent screen reads besides the inbox: history, the customer's earlier interactions, the
 * time left on an offer, and who a chat can be handed to (docs/agent-screen.md).
 */
@Resolver(() => InteractionModel)
export class AgentDeskResolver {
  constructor(
    private readonly store: InteractionsService,
    private readonly users: UsersService,
  ) {}

  /** Keyed by `<userId>:<interactionId>`: one query for the offers of a whole inbox. */
  private readonly offerExpiryLoader = batchedLoader<string, Date | null>(
    async (keys) => {
      const result = new Map<string, Date | null>();
      const byUser = new Map<string, string[]>();
      for (const key of keys) {
        const [userId, id] = key.split(':');
        byUser.set(userId, [...(byUser.get(userId) ?? []), id]);
      }
      for (const [userId, ids] of byUser) {
        const found = await this.store.offerExpiries(userId, ids);
        for (const id of ids) result.set(`${userId}:${id}`, found.get(id) ?? null);
      }
      return result;
    },
    () => null,
  );

  @Query(() => InteractionConnectionModel, {
    description: `History: interactions newest first (by queuedAt), a page at a time. Admins and supervisors see every one; an agent only those they handle or closed. first: 1 to ${HISTORY_PAGE_MAX}, default ${HISTORY_PAGE_DEFAULT}.`,
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR, Role.AGENT)
  async interactions(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', {
      type: () => InteractionFilterInput,
      nullable: true,
      description: 'Which ones; all when omitted.',
    })
    filter?: InteractionFilterInput | null,
    @Args('first', { type: () => Int, nullable: true, description: 'How many on this page.' })
    first?: number | null,
    @Args('after', {
      type: () => String,
      nullable: true,
      description: "The previous page's pageInfo.endCursor; the first page when omitted.",
    })
    after?: string | null,
  ): Promise<InteractionConnectionModel> {
    const page = await this.store.history(principal, filter, first, after);
    return {
      edges: page.edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.edges.at(-1)?.cursor ?? null },
      totalCount: page.totalCount,
    };
  }

  @Query(() => TransferTargetsModel, {
    description:
      'Who and where an ACTIVE interaction can be handed to (transferInteraction). For its agent, admins and supervisors; NOT_FOUND for anyone else.',
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR, Role.AGENT)
  async transferTargets(
    @CurrentPrincipal() principal: Principal,
    @Args('interactionId', { type: () => ID, description: 'The interaction to hand on.' })
    interactionId: string,
  ): Promise<{ agents: UserEntity[]; campaigns: TransferTargetsModel['campaigns'] }> {
    const { agentIds, campaigns } = await this.store.transferTargets(principal, interactionId);
    const byId = new Map((await this.users.findByIds(agentIds)).map((u) => [u.id, u]));
    return { agents: agentIds.flatMap((id) => byId.get(id) ?? []), campaigns };
  }

  @ResolveField(() => Date, {
    nullable: true,
    description:
      'When the offer of it to the calling agent is withdrawn unless they accept it; null when it is not offered to them.',
  })
  offerExpiresAt(
    @Parent() i: InteractionModel,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Date | null> | null {
    if (principal.kind !== 'user' || i.status !== 'OFFERED') return null;
    return this.offerExpiryLoader(`${principal.userId}:${i.id}`);
  }

  @ResolveField(() => [InteractionModel], {
    description: `The same customer's earlier interactions with this page (any campaign, any agent), newest first: the conversation's history. Whoever may see this interaction sees them.`,
  })
  previousInteractions(
    @Parent() i: InteractionModel,
    @Args('last', {
      type: () => Int,
      nullable: true,
      description: `Only the latest this many (1..${PREVIOUS_MAX}, default ${PREVIOUS_DEFAULT}).`,
    })
    last?: number | null,
  ): Promise<InteractionModel[]> {
    const n = last ?? PREVIOUS_DEFAULT;
    if (!Number.isInteger(n) || n < 1 || n > PREVIOUS_MAX) {
      throw ParleyError.badInput('last', `must be between 1 and ${PREVIOUS_MAX}`);
    }
    return this.store.previous(i, n);
  }
}
