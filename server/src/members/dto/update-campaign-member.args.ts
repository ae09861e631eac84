import { ArgsType, Field, ID, Int } from '@nestjs/graphql';
import { Allow } from 'class-validator';

/** Penalty and position are checked by `validateMemberChange` (libs/campaigns), which knows the member count. */
@ArgsType()
export class UpdateCampaignMemberArgs {
  @Field(() => ID, { description: 'The campaign of the membership.' })
  @Allow()
  campaignId!: string;

  @Field(() => ID, { description: 'The member agent.' })
  @Allow()
  userId!: string;

  @Field(() => Int, { nullable: true, description: '0..100; omitted keeps it.' })
  @Allow()
  penalty?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: '1..n; the other members shift to keep positions without gaps. Omitted keeps it.',
  })
  @Allow()
  position?: number | null;
}
