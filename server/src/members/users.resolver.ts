import { Args, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { Role } from '@parley/libs/shared/roles.js';
import { CurrentPrincipal, type Principal, Roles } from '../auth/principal.js';
import { ParleyError } from '../infrastructure/errors/parley-error.js';
import { PubSubService, Trigger } from '../infrastructure/pubsub/pubsub.service.js';
import { CreateUserInput } from './dto/create-user.input.js';
import { UserModel } from './user.model.js';
import { UsersService } from './users.service.js';

@Resolver(() => UserModel)
export class UsersResolver {
  constructor(
    private readonly usersService: UsersService,
    private readonly pubsub: PubSubService,
  ) {}

  @Query(() => UserModel, { description: 'The signed-in user (API keys have no user).' })
  @Roles(Role.ADMIN, Role.SUPERVISOR, Role.AGENT)
  me(@CurrentPrincipal() principal: Principal) {
    if (principal.kind !== 'user') {
      throw ParleyError.forbidden('me needs a signed-in user; an API key has no user of its own');
    }
    return this.usersService.getById(principal.userId);
  }

  @Query(() => [UserModel])
  @Roles(Role.ADMIN, Role.SUPERVISOR)
  users(@Args('role', { type: () => Role, nullable: true }) role?: Role) {
    return this.usersService.list(role);
  }

  @Mutation(() => UserModel)
  @Roles(Role.ADMIN)
  createUser(@Args('input') input: CreateUserInput) {
    return this.usersService.create(input);
  }

  @Subscription(() => UserModel, { description: 'Users created or changed (admins and supervisors).' })
  @Roles(Role.ADMIN, Role.SUPERVISOR)
  userChanged() {
    return this.pubsub.asyncIterator(Trigger.UserChanged);
  }
}
