import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { UserModel } from './user.model.js';

@ObjectType('CampaignMember', { description: 'An agent in a campaign, with their routing weight and order.' })
export class CampaignMemberModel {
  @Field(() => ID, {
    description: 'Stable for one (campaign, user) pair, so client caches can normalise members.',
  })
  id!: string;

  @Field(() => ID, { description: 'The campaign the agent is a member of.' })
  campaignId!: string;

  @Field(() => UserModel, { description: 'The member agent.' })
  user!: UserModel;

  @Field(() => Int, { description: '0..100: lower penalty = preferred (WRANDOM weight).' })
  penalty!: number;

  @Field(() => Int, { description: 'Order used by LINEAR, 1..n without gaps.' })
  position!: number;

  @Field({
    description: 'False when the agent is in no VOICE campaign: such members get no Messenger interactions.',
  })
  receivesInteractions!: boolean;
}
