import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import { Role } from '@parley/libs/shared/roles.js';
import { ApiKeyCreatedModel, ApiKeyModel } from './api-key.model.js';
import { ApiKeyChanged } from '../events/catalogue.js';
import { CurrentPrincipal, type Principal, Roles } from '../infrastructure/access/access.js';
import { EventBus } from '../infrastructure/events/event-bus.service.js';
import { type ApiKeyChange, ApiKeysService } from './api-keys.service.js';
import { CreateApiKeyArgs } from './dto/create-api-key.args.js';

@Resolver(() => ApiKeyModel)
export class ApiKeysResolver {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly bus: EventBus,
  ) {}

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

  @Subscription(() => ApiKeyModel, {
    description: 'API keys created or revoked (admins); revoked is true on the event of a revocation.',
    resolve: (key: ApiKeyChange) => key,
  })
  @Roles(Role.ADMIN)
  apiKeyChanged(): AsyncIterableIterator<ApiKeyChange> {
    return this.bus.iterate(ApiKeyChanged, undefined, async ({ apiKeyId, revoked }) => {
      const key = await this.keys.findById(apiKeyId);
      return key && { ...key, revoked };
    });
  }

  @ResolveField(() => Boolean, {
    description: 'True only in the apiKeyChanged event that announces the key was revoked.',
  })
  revoked(@Parent() key: ApiKeyChange): boolean {
    return key.revoked === true;
  }
}
