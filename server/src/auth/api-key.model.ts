import { Field, ID, ObjectType } from '@nestjs/graphql';
import { Role } from '@parley/libs/shared/roles.js';

@ObjectType('ApiKey')
export class ApiKeyModel {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => Role)
  role!: Role;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  lastUsedAt!: Date | null;
}

@ObjectType('ApiKeyCreated')
export class ApiKeyCreatedModel {
  @Field({ description: 'Shown once; only a hash is stored.' })
  key!: string;

  @Field(() => ApiKeyModel)
  apiKey!: ApiKeyModel;
}
