import { Args, ID, Resolver, Subscription } from '@nestjs/graphql';
import { Role } from '@parley/libs/shared/roles.js';
import { InboxChanged, ManualQueueChanged } from '../events/catalogue.js';
import { CurrentPrincipal, type Principal, Roles } from '../infrastructure/access/access.js';
import { ParleyError } from '../infrastructure/errors/parley-error.js';
import { EventBus } from '../infrastructure/events/event-bus.service.js';
import { batchedLoader } from '../infrastructure/graphql/batched-loader.js';
import { ConversationsService } from '../messenger/conversations.service.js';
import type { MessageModel } from '../messenger/conversation.model.js';
import { InboxEventModel, InteractionModel } from './interaction.model.js';
import { InteractionsService } from './interactions.service.js';

/** The agent screen's live feed: events of the calling agent's own interactions only. */
@Resolver(() => InboxEventModel)
export class InboxResolver {
  constructor(
    private readonly bus: EventBus,
    private readonly interactions: InteractionsService,
    private readonly conversations: ConversationsService,
  ) {}

  // Every agent's event reads its interaction and message afresh; under load the events in flight
  // share one query each (and their contacts one more, in InteractionsResolver).
  private readonly interactionLoader = batchedLoader<string, InteractionModel | null>(
    (ids) => this.interactions.byIds(ids),
    () => null,
  );
  private readonly messageLoader = batchedLoader<string, MessageModel | null>(
    (ids) => this.conversations.messages(ids),
    () => null,
  );

  @Subscription(() => InboxEventModel, {
    description:
      "Events for the calling agent's own interactions: OFFERED, ASSIGNED, MESSAGE, UPDATED, CLOSED, REVOKED. FORBIDDEN for an API key.",
    resolve: (event: InboxEventModel) => event,
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR, Role.AGENT)
  inboxChanged(@CurrentPrincipal() principal: Principal): AsyncIterableIterator<InboxEventModel> {
    if (principal.kind !== 'user') throw ParleyError.forbidden('inboxChanged needs a signed-in user');
    // The agent's own topic: nobody else's events ever reach this iterator.
    return this.bus.iterate(InboxChanged, principal.userId, async (event) => {
      const [interaction, message] = await Promise.all([
        this.interactionLoader(event.interactionId),
        event.messageId ? this.messageLoader(event.messageId) : null,
      ]);
      if (!interaction) return null;
      return { kind: event.kind, interaction, message };
    });
  }

  @Subscription(() => InteractionModel, {
    description:
      "A MANUAL campaign's queue, live: each chat that joins it (status QUEUED), leaves it (taken: ACTIVE; ABANDONED; or moved on), or changes while waiting (the customer's name read), as it is now. For the campaign's agents, admins and supervisors; FORBIDDEN for anyone else, for an AGENT API key, and for a campaign that is not MANUAL (its queue is routed, not picked from).",
    resolve: (interaction: InteractionModel) => interaction,
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR, Role.AGENT)
  async queueChanged(
    @CurrentPrincipal() principal: Principal,
    @Args('campaignId', { type: () => ID, description: 'The MANUAL campaign whose queue to follow.' })
    campaignId: string,
  ): Promise<AsyncIterableIterator<InteractionModel>> {
    if (!(await this.interactions.mayWatchQueue(principal, campaignId))) {
      throw ParleyError.forbidden(
        "Only a MANUAL campaign's agents, admins and supervisors can follow its queue",
      );
    }
    return this.bus.iterate(ManualQueueChanged, campaignId, async (event) => {
      // An agent taken off the campaign since stops hearing of its queue.
      if (principal.role === Role.AGENT && !(await this.interactions.mayWatchQueue(principal, campaignId)))
        return null;
      return this.interactionLoader(event.interactionId);
    });
  }
}
