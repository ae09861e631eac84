import { Resolver, Subscription } from '@nestjs/graphql';
import { Role } from '@parley/libs/shared/roles.js';
import { InboxChanged } from '../events/catalogue.js';
import { CurrentPrincipal, type Principal, Roles } from '../infrastructure/access/access.js';
import { ParleyError } from '../infrastructure/errors/parley-error.js';
import { EventBus } from '../infrastructure/events/event-bus.service.js';
import { ConversationsService } from '../messenger/conversations.service.js';
import { InboxEventModel } from './interaction.model.js';
import { InteractionsService } from './interactions.service.js';

/** The agent screen's live feed: events of the calling agent's own interactions only. */
@Resolver(() => InboxEventModel)
export class InboxResolver {
  constructor(
    private readonly bus: EventBus,
    private readonly interactions: InteractionsService,
    private readonly conversations: ConversationsService,
  ) {}

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
      const interaction = (await this.interactions.byIds([event.interactionId])).get(event.interactionId);
      if (!interaction) return null;
      const message = event.messageId
        ? ((await this.conversations.messages([event.messageId])).get(event.messageId) ?? null)
        : null;
      return { kind: event.kind, interaction, message };
    });
  }
}
