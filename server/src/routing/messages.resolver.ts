import { Args, ID, Mutation, Resolver, Subscription } from '@nestjs/graphql';
import { Role } from '@parley/libs/shared/roles.js';
import { MessageChanged } from '../events/catalogue.js';
import { CurrentPrincipal, type Principal, Roles } from '../infrastructure/access/access.js';
import { ParleyError } from '../infrastructure/errors/parley-error.js';
import { EventBus } from '../infrastructure/events/event-bus.service.js';
import { AttachmentInputModel, MessageModel } from '../messenger/conversation.model.js';
import { ConversationsService } from '../messenger/conversations.service.js';
import { ATTACHMENTS_MAX, TEXT_MAX } from '../messenger/outbound/outbound-messages.service.js';
import { RepliesService } from './replies.service.js';

/** The conversation pane: replying, typing, seen, and the live messages of one interaction. */
@Resolver(() => MessageModel)
export class MessagesResolver {
  constructor(
    private readonly replies: RepliesService,
    private readonly conversations: ConversationsService,
    private readonly bus: EventBus,
  ) {}

  private async message(id: string): Promise<MessageModel> {
    const found = (await this.conversations.messages([id])).get(id);
    if (!found) throw ParleyError.notFound('Message', id);
    return found;
  }

  @Mutation(() => MessageModel, {
    description: `Replies to the customer of the calling agent's ACTIVE interaction: text (trimmed, 1 to ${TEXT_MAX} characters) and/or up to ${ATTACHMENTS_MAX} attachments. Answers at once with the message PENDING; it is sent in the order written (text first, then each attachment), and its status moves on messageChanged. BAD_USER_INPUT when Messenger's 7-day window has closed (nothing is stored); FORBIDDEN for anyone but its agent; CONFLICT when it is not ACTIVE.`,
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR, Role.AGENT)
  async sendMessage(
    @CurrentPrincipal() principal: Principal,
    @Args('interactionId', { type: () => ID, description: 'The interaction to reply in.' })
    interactionId: string,
    @Args('text', { type: () => String, nullable: true, description: 'What the agent wrote.' })
    text?: string | null,
    @Args('attachments', {
      type: () => [AttachmentInputModel],
      nullable: true,
      description: 'Files from POST /uploads, or public https URLs.',
    })
    attachments?: AttachmentInputModel[] | null,
  ): Promise<MessageModel> {
    const id = await this.replies.send(principal, interactionId, text, attachments);
    return this.message(id);
  }

  @Mutation(() => Boolean, {
    description:
      'Shows "typing…" in the customer\'s Messenger while the calling agent writes in their ACTIVE interaction. Call it on keystrokes: at most one indicator per 5 seconds goes out; false when this call sent none (throttled, outside the 24-hour window, or the page is disconnected).',
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR, Role.AGENT)
  markTyping(
    @CurrentPrincipal() principal: Principal,
    @Args('interactionId', { type: () => ID, description: 'The interaction being answered.' })
    interactionId: string,
  ): Promise<boolean> {
    return this.replies.senderAction(principal, interactionId, 'typing_on');
  }

  @Mutation(() => Boolean, {
    description:
      "Marks the customer's messages seen in their Messenger when the calling agent opens their ACTIVE interaction. At most once per 5 seconds: a call within them is answered false and its mark goes out when they end. False when this call sent nothing now (throttled, outside the 24-hour window, or the page is disconnected).",
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR, Role.AGENT)
  markSeen(
    @CurrentPrincipal() principal: Principal,
    @Args('interactionId', { type: () => ID, description: 'The interaction opened.' })
    interactionId: string,
  ): Promise<boolean> {
    return this.replies.senderAction(principal, interactionId, 'mark_seen');
  }

  @Subscription(() => MessageModel, {
    description:
      "New and updated messages of one interaction: the customer's, replies from PENDING to SENT, DELIVERED and READ (or FAILED with error), reactions and stored attachments. For its agent (while it is theirs), admins and supervisors; FORBIDDEN for other agents.",
    resolve: (message: MessageModel) => message,
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR, Role.AGENT)
  async messageChanged(
    @CurrentPrincipal() principal: Principal,
    @Args('interactionId', { type: () => ID, description: 'The interaction to follow.' })
    interactionId: string,
  ): Promise<AsyncIterableIterator<MessageModel>> {
    if (!(await this.replies.mayWatch(principal, interactionId))) {
      throw ParleyError.forbidden(
        "Only the interaction's agent, admins and supervisors can follow its messages",
      );
    }
    // The interaction's own topic; an agent's access is checked again on each event, so a
    // transfer away stops the feed.
    return this.bus.iterate(MessageChanged, interactionId, async (event) => {
      if (principal.role === Role.AGENT && !(await this.replies.mayWatch(principal, interactionId)))
        return null;
      return (await this.conversations.messages([event.messageId])).get(event.messageId) ?? null;
    });
  }
}
