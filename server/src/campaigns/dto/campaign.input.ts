import { Field, InputType, Int } from '@nestjs/graphql';
import { Allow } from 'class-validator';
import { Channel, RoutingStrategy, Weekday } from '@parley/libs/shared/campaigns.js';

// Campaign inputs are checked by `validateCampaignInput` (libs/campaigns), the same rules the console
// runs, so every problem is reported at once with its path. `@Allow()` only keeps each field through
// the global ValidationPipe's whitelist, which drops undecorated properties.

@InputType({ description: 'A weekly range of local time when the campaign is open.' })
export class ScheduleRangeInput {
  @Field(() => [Weekday], { description: 'At least one day.' })
  @Allow()
  days!: Weekday[];

  @Field({ description: '24-hour HH:MM, 00:00 to 23:59.' })
  @Allow()
  from!: string;

  @Field({ description: '24-hour HH:MM after from; 24:00 is the end of the day.' })
  @Allow()
  to!: string;
}

@InputType({ description: 'The limits the real-time statistics flag; all four are given together.' })
export class ThresholdsInput {
  @Field(() => Int, {
    description: 'Seconds to answer a chat for it to count toward the service level; default 30.',
  })
  @Allow()
  serviceLevelSeconds!: number;

  @Field(() => Int, {
    description: 'Seconds a queued chat may wait unanswered before it counts as abandoned; default 300.',
  })
  @Allow()
  dropoutSeconds!: number;

  @Field(() => Int, { description: 'Seconds after which an open chat is flagged as over time; default 900.' })
  @Allow()
  chatTimeSeconds!: number;

  @Field(() => Int, {
    description: 'Waiting chats above this are flagged on the real-time screen; default 10.',
  })
  @Allow()
  acdMaxWaiting!: number;
}

@InputType({ description: 'A prepared reply agents insert into their message.' })
export class CannedResponseInput {
  @Field({ description: '1 to 100 characters.' })
  @Allow()
  title!: string;

  @Field({ description: '1 to 2000 characters.' })
  @Allow()
  text!: string;
}

@InputType({ description: 'Omitted fields take their defaults on create and stay unchanged on update.' })
export class CampaignInput {
  @Field(() => String, { nullable: true, description: 'Unique, 1 to 100 characters; required on create.' })
  @Allow()
  name?: string | null;

  @Field(() => Channel, { nullable: true, description: 'MESSENGER by default; cannot change after create.' })
  @Allow()
  channel?: Channel | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'True by default; a disabled campaign keeps its data but takes no new interactions.',
  })
  @Allow()
  enabled?: boolean | null;

  @Field(() => Int, { nullable: true, description: '0..100, default 80.' })
  @Allow()
  serviceLevelTarget?: number | null;

  @Field(() => String, { nullable: true, description: 'Null or blank clears it.' })
  @Allow()
  pageName?: string | null;

  @Field(() => RoutingStrategy, { nullable: true, description: 'RRMEMORY by default.' })
  @Allow()
  strategy?: RoutingStrategy | null;

  @Field(() => String, { nullable: true, description: "IANA zone; the server's zone by default." })
  @Allow()
  timezone?: string | null;

  @Field(() => [ScheduleRangeInput], {
    nullable: true,
    description: 'Replaces the whole schedule; MON-FRI 09:00-18:00 by default; [] means never open.',
  })
  @Allow()
  schedule?: ScheduleRangeInput[] | null;

  @Field(() => ThresholdsInput, { nullable: true, description: 'Replaces all four thresholds.' })
  @Allow()
  thresholds?: ThresholdsInput | null;

  @Field(() => Int, { nullable: true, description: '1..50, default 3.' })
  @Allow()
  maxInteractionsPerAgent?: number | null;

  @Field(() => String, { nullable: true, description: 'Up to 2000 characters; null or blank clears it.' })
  @Allow()
  afterHoursMessage?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'False by default; true tells waiting customers their place in the queue and the estimated wait.',
  })
  @Allow()
  announceQueuePosition?: boolean | null;

  @Field(() => [CannedResponseInput], {
    nullable: true,
    description: 'Replaces the whole list, in this order (at most 100).',
  })
  @Allow()
  cannedResponses?: CannedResponseInput[] | null;
}
