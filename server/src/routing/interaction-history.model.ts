import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { Allow } from 'class-validator';
import { InteractionStatus } from '@parley/libs/routing/queue.js';
import { UserModel } from '../members/user.model.js';
import { InteractionModel } from './interaction.model.js';

// History (`Query.interactions`) and what the agent screen needs besides the contract's types:
// who an interaction can be handed to. Kept apart from interaction.model.ts, which the
// outbound work changes too.

@InputType('InteractionFilter', {
  description: 'Which interactions to list; every field given must match (omitted fields match all).',
})
export class InteractionFilterInput {
  @Field(() => Date, {
    nullable: true,
    description: 'Only interactions that began (queuedAt) at or after this.',
  })
  @Allow()
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only interactions that began (queuedAt) before this.' })
  @Allow()
  to?: Date | null;

  @Field(() => Date, {
    nullable: true,
    description:
      "Only interactions closed at or after this (an agent's chats closed today, whenever they began).",
  })
  @Allow()
  closedFrom?: Date | null;

  @Field(() => ID, { nullable: true, description: 'Only this campaign.' })
  @Allow()
  campaignId?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: "Only this agent's (the one handling it, or who closed it). Agents only ever see their own.",
  })
  @Allow()
  agentId?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Matches the customer's name (part of it, any case) or PSID (exactly); up to 200 characters.",
  })
  @Allow()
  contact?: string | null;

  @Field(() => [InteractionStatus], {
    nullable: true,
    description: 'Only these statuses; empty or omitted: any.',
  })
  @Allow()
  status?: InteractionStatus[] | null;
}

@ObjectType('PageInfo', { description: 'Where a page of a list ends, to ask for the next one.' })
export class PageInfoModel {
  @Field({ description: 'Whether more items follow this page.' })
  hasNextPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'Pass as after to get the next page; null when empty.',
  })
  endCursor!: string | null;
}

@ObjectType('InteractionEdge', { description: 'One interaction of a page of history.' })
export class InteractionEdgeModel {
  @Field({ description: 'Its place in the list, for after.' })
  cursor!: string;

  @Field(() => InteractionModel, { description: 'The interaction.' })
  node!: InteractionModel;
}

@ObjectType('InteractionConnection', { description: 'One page of interactions, newest first.' })
export class InteractionConnectionModel {
  @Field(() => [InteractionEdgeModel], { description: 'The interactions of this page.' })
  edges!: InteractionEdgeModel[];

  @Field(() => PageInfoModel, { description: 'Whether there is a next page, and where it starts.' })
  pageInfo!: PageInfoModel;

  @Field(() => Int, { description: 'How many interactions match the filter, over all pages.' })
  totalCount!: number;
}

@ObjectType('TransferCampaign', { description: 'A campaign an interaction can be transferred to.' })
export class TransferCampaignModel {
  @Field(() => ID, { description: 'Stable identifier, for transferInteraction(toCampaignId).' })
  id!: string;

  @Field({ description: "The campaign's name." })
  name!: string;
}

@ObjectType('TransferTargets', { description: 'Who and where an ACTIVE interaction can be handed to.' })
export class TransferTargetsModel {
  @Field(() => [UserModel], {
    description:
      "Other active members of its campaign who receive interactions, by name, with their presence: only an AVAILABLE one below the campaign's limit can take it.",
  })
  agents!: UserModel[];

  @Field(() => [TransferCampaignModel], {
    description:
      "The enabled MESSENGER campaigns it may move to, by name: connected to the conversation's page or to none, without an open interaction of this customer. It joins the queue of the one chosen.",
  })
  campaigns!: TransferCampaignModel[];
}
