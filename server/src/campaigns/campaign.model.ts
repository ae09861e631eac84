import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Channel, RoutingStrategy, TokenStatus, Weekday } from '@parley/libs/shared/campaigns.js';

registerEnumType(Channel, { name: 'Channel' });
registerEnumType(Weekday, { name: 'Weekday' });
registerEnumType(RoutingStrategy, {
  name: 'RoutingStrategy',
  description: "How queued interactions are handed to the campaign's eligible agents.",
  valuesMap: {
    RINGALL: { description: 'Offer to every eligible agent at once; the first to accept wins.' },
    LEASTRECENT: { description: 'The agent whose last interaction in this campaign ended longest ago.' },
    FEWESTCALLS: { description: 'The agent with the fewest completed interactions in this campaign today.' },
    RANDOM: { description: 'A uniformly random eligible agent.' },
    RRMEMORY: { description: 'Round robin, resuming after the agent that got the previous one.' },
    LINEAR: { description: 'Always in member position order: the first eligible by position.' },
    WRANDOM: { description: 'Random, weighted so that a higher penalty means fewer interactions.' },
    MANUAL: { description: 'Nothing is pushed: agents pick from the pending list.' },
  },
});
registerEnumType(TokenStatus, { name: 'TokenStatus' });

@ObjectType('ScheduleRange')
export class ScheduleRangeModel {
  @Field(() => [Weekday])
  days!: Weekday[];

  @Field({ description: '24-hour HH:MM, inclusive.' })
  from!: string;

  @Field({ description: '24-hour HH:MM after from, exclusive; 24:00 is the end of the day.' })
  to!: string;
}

@ObjectType('Thresholds')
export class ThresholdsModel {
  @Field(() => Int, {
    description: 'A chat answered within this many seconds counts toward the service level.',
  })
  serviceLevelSeconds!: number;

  @Field(() => Int, { description: 'A queued chat unanswered for this many seconds counts as abandoned.' })
  dropoutSeconds!: number;

  @Field(() => Int, { description: 'A chat open longer than this many seconds is flagged as over time.' })
  chatTimeSeconds!: number;

  @Field(() => Int, { description: 'More waiting chats than this is flagged on the real-time screen.' })
  acdMaxWaiting!: number;
}

@ObjectType('CannedResponse')
export class CannedResponseModel {
  @Field(() => ID)
  id!: string;

  @Field()
  title!: string;

  @Field()
  text!: string;
}

/** `isOpenNow`, `deleted` and `members` are resolved fields (campaigns and members resolvers). */
@ObjectType('Campaign')
export class CampaignModel {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => Channel)
  channel!: Channel;

  @Field({ description: 'A disabled campaign keeps its data but takes no new interactions.' })
  enabled!: boolean;

  @Field(() => Int, {
    description: 'Target percent of chats answered within thresholds.serviceLevelSeconds.',
  })
  serviceLevelTarget!: number;

  @Field(() => String, { nullable: true })
  pageName!: string | null;

  @Field(() => String, { nullable: true })
  pageId!: string | null;

  @Field(() => RoutingStrategy)
  strategy!: RoutingStrategy;

  @Field({ description: 'IANA time zone the schedule is read in.' })
  timezone!: string;

  @Field(() => [ScheduleRangeModel], {
    description: 'Open ranges; overlapping ranges merge; empty means never open.',
  })
  schedule!: ScheduleRangeModel[];

  @Field(() => ThresholdsModel)
  thresholds!: ThresholdsModel;

  @Field(() => Int, { description: 'Simultaneous active interactions per agent in this campaign (1..50).' })
  maxInteractionsPerAgent!: number;

  @Field(() => String, {
    nullable: true,
    description: 'Sent automatically when a customer writes while the campaign is closed.',
  })
  afterHoursMessage!: string | null;

  @Field(() => [CannedResponseModel], { description: 'In the order agents see them.' })
  cannedResponses!: CannedResponseModel[];

  @Field(() => TokenStatus)
  tokenStatus!: TokenStatus;

  @Field(() => Date, { nullable: true })
  tokenCheckedAt!: Date | null;

  @Field(() => String, { nullable: true })
  tokenError!: string | null;
}
