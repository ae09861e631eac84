import { Field, ID, ObjectType } from '@nestjs/graphql';
import { Role } from '@parley/libs/shared/roles.js';

@ObjectType('ApiKey', { description: 'A credential for a third-party tool, sent as the X-Api-Key header.' })
export class ApiKeyModel {
  @Field(() => ID, { description: 'Stable identifier, used to revoke the key.' })
  id!: string;

  @Field({ description: 'What the key is for, as the admin named it (1 to 100 characters).' })
  name!: string;

  @Field(() => Role, { description: 'What the key may do: the same rights as a user with this role.' })
  role!: Role;

  @Field({ description: 'When the key was created.' })
  createdAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description: 'When the key last authenticated a request, to the minute; null if never used.',
  })
  lastUsedAt!: Date | null;
}

@ObjectType('ApiKeyCreated', { description: 'A new API key with its secret, which is shown only this once.' })
export class ApiKeyCreatedModel {
  @Field({ description: 'Shown once; only a hash is stored.' })
  key!: string;

  @Field(() => ApiKeyModel, { description: 'The stored key, as apiKeys lists it.' })
  apiKey!: ApiKeyModel;
}
