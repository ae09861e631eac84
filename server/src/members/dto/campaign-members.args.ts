import { ArgsType, Field, ID } from '@nestjs/graphql';
import { ArrayMaxSize, ArrayMinSize } from 'class-validator';

/** Enough for any contact center's screen at once; bounds the work of one call. */
export const MEMBERS_BATCH_MAX = 500;

@ArgsType()
export class CampaignMembersArgs {
  @Field(() => [ID], { description: `The campaigns, 1 to ${MEMBERS_BATCH_MAX}.` })
  @ArrayMinSize(1, { message: 'must list at least one campaign' })
  @ArrayMaxSize(MEMBERS_BATCH_MAX, { message: `must list at most ${MEMBERS_BATCH_MAX} campaigns` })
  campaignIds!: string[];

  @Field(() => [ID], { description: `The agents, 1 to ${MEMBERS_BATCH_MAX}.` })
  @ArrayMinSize(1, { message: 'must list at least one user' })
  @ArrayMaxSize(MEMBERS_BATCH_MAX, { message: `must list at most ${MEMBERS_BATCH_MAX} users` })
  userIds!: string[];
}
