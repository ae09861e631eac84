import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { InteractionStatus } from '@parley/libs/routing/queue.js';
import { InboxEventKinds } from '../events/catalogue.js';
import { MessageModel } from '../messenger/conversation.model.js';

registerEnumType(InteractionStatus, {
  name: 'InteractionStatus',
  description:
    'Where an interaction is in its life: QUEUED -> OFFERED -> ACTIVE -> CLOSED, or QUEUED -> ABANDONED.',
  valuesMap: {
    QUEUED: { description: "Waiting in its campaign's queue." },
    OFFERED: { description: 'Offered to one agent (several under RINGALL), waiting for an accept.' },
    ACTIVE: { description: 'Accepted: an agent handles it.' },
    CLOSED: { description: 'Finished; a new customer message starts a new interaction.' },
    ABANDONED: {
      description:
        'Nobody answered within dropoutSeconds and the customer stopped writing; a new message re-queues it.',
    },
  },
});

export const InboxEventKind = Object.fromEntries(InboxEventKinds.map((k) => [k, k])) as {
  [K in (typeof InboxEventKinds)[number]]: K;
};
registerEnumType(InboxEventKind, {
  name: 'InboxEventKind',
  description: "What happened to one of the agent's interactions.",
  valuesMap: {
    OFFERED: { description: 'Offered to the agent: accept it before the offer times out.' },
    ASSIGNED: { description: 'The agent accepted it (or took it from a MANUAL queue): it is theirs.' },
    MESSAGE: {
      description:
        'A new message in an interaction the agent handles: the customer wrote, or a reply was stored (message is set).',
    },
    UPDATED: {
      description:
        "Something else about it changed; when message is set, that message's status, reaction or attachments did.",
    },
    CLOSED: { description: 'It was closed.' },
    REVOKED: {
      description:
        'No longer for this agent: the offer timed out, someone else accepted it, or it was transferred away.',
    },
  },
});

@ObjectType('Interaction', {
  description: 'One conversation of one customer with one campaign, from the first message until closed.',
})
export class InteractionModel {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  campaignId!: string;
  contactId!: string;
  agentId!: string | null;

  @Field(() => InteractionStatus, { description: 'Where it is in its lifecycle.' })
  status!: InteractionStatus;

  @Field({ description: "When it first joined its campaign's queue (its place in the queue)." })
  queuedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When an agent accepted it.' })
  assignedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "The agent's first reply." })
  firstResponseAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was closed.' })
  closedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'What the agent wrote when closing it.' })
  disposition!: string | null;

  lastCustomerMessageAt!: Date | null;

  @Field(() => Date, {
    nullable: true,
    description:
      "When Messenger's standard 24-hour reply window closes (24 h after the customer's last message).",
  })
  windowExpiresAt!: Date | null;
}

@ObjectType('InboxEvent', {
  description: "Something that happened to one of the calling agent's interactions.",
})
export class InboxEventModel {
  @Field(() => InboxEventKind, { description: 'What happened.' })
  kind!: string;

  @Field(() => InteractionModel, { description: 'The interaction as it is now.' })
  interaction!: InteractionModel;

  @Field(() => MessageModel, {
    nullable: true,
    description: 'The message concerned: the new one for MESSAGE, the changed one for UPDATED (if any).',
  })
  message!: MessageModel | null;
}

@ObjectType('RoutingCandidate', { description: 'One agent as a routing decision saw them.' })
export class RoutingCandidateModel {
  @Field(() => ID, { description: 'The agent.' })
  userId!: string;

  @Field({ description: 'Whether they could be offered the interaction.' })
  eligible!: boolean;

  @Field(() => String, {
    nullable: true,
    description:
      'Why not eligible: not-member, no-voice-membership, offline, on-break, at-capacity or excluded.',
  })
  why?: string | null;

  @Field(() => Int, { description: 'OFFERED + ACTIVE interactions they held in the campaign.' })
  load!: number;

  @Field(() => Int, { description: 'Their penalty in the campaign (0..100).' })
  penalty!: number;

  @Field(() => Int, { description: 'Their position in the campaign.' })
  position!: number;

  @Field(() => Date, { nullable: true, description: 'When their last interaction in the campaign ended.' })
  lastEndedAt!: Date | null;

  @Field(() => Int, { description: 'Interactions they completed in the campaign today.' })
  completedToday!: number;
}

@ObjectType('RoutingDecision', {
  description: 'Why an interaction was offered to whom: one decision of routing.',
})
export class RoutingDecisionModel {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => ID, { description: 'The interaction routed.' })
  interactionId!: string;

  @Field(() => ID, { description: 'The campaign it was routed in.' })
  campaignId!: string;

  @Field({
    description:
      "The campaign's strategy; TRANSFER for a transfer (to an agent, or into this campaign's queue); RELEASE for a chat put back in the queue because its agent's account was deactivated.",
  })
  strategy!: string;

  @Field(() => [RoutingCandidateModel], { description: 'Every member considered, in position order.' })
  candidates!: RoutingCandidateModel[];

  @Field(() => [ID], { description: 'Who was offered it.' })
  chosenUserIds!: string[];

  @Field({ description: 'The decision in words.' })
  reason!: string;

  @Field({ description: 'When it was decided.' })
  decidedAt!: Date;
}
