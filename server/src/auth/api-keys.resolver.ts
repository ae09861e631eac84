import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import { Role } from '@parley/libs/shared/roles.js';
import { ApiKeyCreatedModel, ApiKeyModel } from './api-key.model.js';
import { PubSubService, Trigger } from '../infrastructure/pubsub/pubsub.service.js';
import { type ApiKeyChange, ApiKeysService } from './api-keys.service.js';
import { CreateApiKeyArgs } from './dto/create-api-key.args.js';
import { CurrentPrincipal, type Principal, Roles } from './principal.js';

@Resolver(() => ApiKeyModel)
export class ApiKeysResolver {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly pubsub: PubSubService,
  ) {}

  @Query(() => [ApiKeyModel], { description: 'API keys that are not revoked, newest first.' })
  @Roles(Role.ADMIN)
  apiKeys() {
    return this.keys.list();
  }

  @Mutation(() => ApiKeyCreatedModel)
  @Roles(Role.ADMIN)
  createApiKey(@Args() { name, role }: CreateApiKeyArgs, @CurrentPrincipal() principal: Principal) {
    return this.keys.create(name, role, principal.kind === 'user' ? principal.userId : null);
  }

  @Mutation(() => Boolean, {
    description: 'Takes effect on the next request and closes the key’s open subscriptions.',
  })
  @Roles(Role.ADMIN)
  revokeApiKey(@Args('id', { type: () => ID }) id: string) {
    return this.keys.revoke(id);
  }

  @Subscription(() => ApiKeyModel, {
    description: 'API keys created or revoked (admins); revoked is true on the event of a revocation.',
  })
  @Roles(Role.ADMIN)
  apiKeyChanged() {
    return this.pubsub.asyncIterator(Trigger.ApiKeyChanged);
  }

  @ResolveField(() => Boolean, {
    description: 'True only in the apiKeyChanged event that announces the key was revoked.',
  })
  revoked(@Parent() key: ApiKeyChange): boolean {
    return key.revoked === true;
  }
}
