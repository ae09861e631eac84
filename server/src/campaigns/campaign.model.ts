import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import {
  Channel,
  PageConnectionKind,
  RoutingStrategy,
  TokenStatus,
  Weekday,
} from '@parley/libs/shared/campaigns.js';

registerEnumType(Channel, {
  name: 'Channel',
  description: 'What a campaign carries.',
  valuesMap: {
    MESSENGER: { description: "Chats with customers on the campaign's Facebook page." },
    VOICE: {
      description: 'No traffic in Parley: a membership container that makes agents receive Messenger chats.',
    },
  },
});
registerEnumType(Weekday, {
  name: 'Weekday',
  description: "A day of the week, read in the campaign's time zone.",
  valuesMap: {
    MON: { description: 'Monday.' },
    TUE: { description: 'Tuesday.' },
    WED: { description: 'Wednesday.' },
    THU: { description: 'Thursday.' },
    FRI: { description: 'Friday.' },
    SAT: { description: 'Saturday.' },
    SUN: { description: 'Sunday.' },
  },
});
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
registerEnumType(TokenStatus, {
  name: 'TokenStatus',
  description: 'The page access token as Parley last saw it.',
  valuesMap: {
    NOT_CONNECTED: { description: 'Never activated with Facebook.' },
    ACTIVE: { description: 'Facebook accepted the token at the last check.' },
    INACTIVE: {
      description: 'Facebook rejected the token or it lapsed; tokenError says why. Activate again.',
    },
  },
});

registerEnumType(PageConnectionKind, {
  name: 'PageConnectionKind',
  description: "How a campaign's Facebook page was connected.",
  valuesMap: {
    POPUP: {
      description:
        'Through the "Activate with Facebook" popup: the user token is kept and renewed before it expires.',
    },
    PAGE_TOKEN: { description: 'With a page access token an admin gave (connectFacebookPage).' },
  },
});

@ObjectType('ScheduleRange', { description: 'A weekly range of local time when the campaign is open.' })
export class ScheduleRangeModel {
  @Field(() => [Weekday], { description: 'The days the range applies to.' })
  days!: Weekday[];

  @Field({ description: '24-hour HH:MM, inclusive.' })
  from!: string;

  @Field({ description: '24-hour HH:MM after from, exclusive; 24:00 is the end of the day.' })
  to!: string;
}

@ObjectType('Thresholds', { description: 'The limits the real-time statistics flag.' })
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

@ObjectType('CannedResponse', { description: 'A prepared reply agents insert into their message.' })
export class CannedResponseModel {
  @Field(() => ID, { description: 'Stable identifier, used to edit or remove it.' })
  id!: string;

  @Field({ description: 'What agents see in the list (1 to 100 characters).' })
  title!: string;

  @Field({ description: 'What is inserted into the reply (1 to 2000 characters).' })
  text!: string;
}

/** `isOpenNow`, `deleted` and `members` are resolved fields (campaigns and members resolvers). */
@ObjectType('Campaign', {
  description:
    "A Facebook page's queue of conversations: how they are routed, when it is open and who takes them. VOICE campaigns only hold members.",
})
export class CampaignModel {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field({ description: 'Unique name, 1 to 100 characters.' })
  name!: string;

  @Field(() => Channel, { description: 'Set on create; cannot change.' })
  channel!: Channel;

  @Field({ description: 'A disabled campaign keeps its data but takes no new interactions.' })
  enabled!: boolean;

  @Field(() => Int, {
    description: 'Target percent of chats answered within thresholds.serviceLevelSeconds.',
  })
  serviceLevelTarget!: number;

  @Field(() => String, {
    nullable: true,
    description: "The Facebook page's exact name; filled from Facebook on activation.",
  })
  pageName!: string | null;

  @Field(() => String, { nullable: true, description: "The Facebook page's id; null until activated." })
  pageId!: string | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the current page was connected; null when no page is connected.',
  })
  pageConnectedAt!: Date | null;

  @Field(() => PageConnectionKind, {
    nullable: true,
    description:
      'How the page was connected: POPUP (user token kept and refreshed) or PAGE_TOKEN (connectFacebookPage); null when not connected.',
  })
  pageConnectedThrough!: PageConnectionKind | null;

  @Field(() => RoutingStrategy, { description: 'How queued chats are handed to eligible agents.' })
  strategy!: RoutingStrategy;

  @Field({ description: 'IANA time zone the schedule is read in.' })
  timezone!: string;

  @Field(() => [ScheduleRangeModel], {
    description: 'Open ranges; overlapping ranges merge; empty means never open.',
  })
  schedule!: ScheduleRangeModel[];

  @Field(() => ThresholdsModel, { description: 'The limits the real-time statistics flag.' })
  thresholds!: ThresholdsModel;

  @Field(() => Int, { description: 'Simultaneous active interactions per agent in this campaign (1..50).' })
  maxInteractionsPerAgent!: number;

  @Field(() => String, {
    nullable: true,
    description: 'Sent automatically when a customer writes while the campaign is closed.',
  })
  afterHoursMessage!: string | null;

  @Field({
    description:
      'When true, a waiting customer is told their place in the queue and the estimated wait, at most once a minute: when their message leaves them queued, and again when they write while still queued.',
  })
  announceQueuePosition!: boolean;

  @Field(() => [CannedResponseModel], { description: 'In the order agents see them.' })
  cannedResponses!: CannedResponseModel[];

  @Field(() => TokenStatus, { description: 'Whether the page token works, as of tokenCheckedAt.' })
  tokenStatus!: TokenStatus;

  @Field(() => Date, {
    nullable: true,
    description: 'When Parley last checked the page token with Facebook; null if never.',
  })
  tokenCheckedAt!: Date | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why Facebook refused the page token, when tokenStatus is INACTIVE.',
  })
  tokenError!: string | null;
}
