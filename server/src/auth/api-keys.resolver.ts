import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Role } from '@parley/libs/shared/roles.js';
import { ApiKeyCreatedModel, ApiKeyModel } from './api-key.model.js';
import { ApiKeysService } from './api-keys.service.js';
import { CreateApiKeyArgs } from './dto/create-api-key.args.js';
import { CurrentPrincipal, type Principal, Roles } from '../infrastructure/access/access.js';

@Resolver(() => ApiKeyModel)
export class ApiKeysResolver {
  constructor(private readonly keys: ApiKeysService) {}

  @Query(() => [ApiKeyModel], { description: 'API keys that are not revoked, newest first.' })
  @Roles(Role.ADMIN)
  apiKeys(): Promise<ApiKeyModel[]> {
    return this.keys.list();
  }

  @Mutation(() => ApiKeyCreatedModel, {
    description: 'Creates a key for a third-party tool; its secret is in the answer and never again.',
  })
  @Roles(Role.ADMIN)
  createApiKey(
    @Args() { name, role }: CreateApiKeyArgs,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ApiKeyCreatedModel> {
    return this.keys.create(name, role, principal.kind === 'user' ? principal.userId : null);
  }

  @Mutation(() => Boolean, {
    description: 'Takes effect on the next request and closes the key’s open subscriptions.',
  })
  @Roles(Role.ADMIN)
  revokeApiKey(
    @Args('id', { type: () => ID, description: 'The key to revoke.' }) id: string,
  ): Promise<boolean> {
    return this.keys.revoke(id);
  }
}
