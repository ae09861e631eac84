import { Field, ObjectType } from '@nestjs/graphql';
import { Role } from '@parley/libs/shared/roles.js';
import { UserModel } from '../members/user.model.js';
import { ApiKeyModel } from './api-key.model.js';

@ObjectType('Viewer', {
  description: 'The caller: a signed-in user or an API key, and the role it acts with.',
})
export class ViewerModel {
  @Field(() => Role, { description: 'What the caller may do.' })
  role!: Role;

  @Field(() => UserModel, { nullable: true, description: 'The signed-in user; null for an API key.' })
  user!: UserModel | null;

  @Field(() => ApiKeyModel, { nullable: true, description: 'The API key; null for a signed-in user.' })
  apiKey!: ApiKeyModel | null;
}
