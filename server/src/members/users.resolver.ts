import { Args, ID, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { Role } from '@parley/libs/shared/roles.js';
import { CurrentPrincipal, type Principal, Roles } from '../auth/principal.js';
import { ParleyError } from '../infrastructure/errors/parley-error.js';
import { PubSubService, Trigger } from '../infrastructure/pubsub/pubsub.service.js';
import { CreateUserInput } from './dto/create-user.input.js';
import { ResetUserPasswordArgs } from './dto/reset-user-password.args.js';
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

  @Query(() => [UserModel], { description: 'By username; deactivated users only with includeInactive.' })
  @Roles(Role.ADMIN, Role.SUPERVISOR)
  users(
    @Args('role', { type: () => Role, nullable: true, description: 'Only users with this role.' })
    role?: Role,
    @Args('includeInactive', {
      type: () => Boolean,
      nullable: true,
      defaultValue: false,
      description: 'Also list deactivated users.',
    })
    includeInactive?: boolean,
  ) {
    return this.usersService.list(role, includeInactive ?? false);
  }

  @Mutation(() => UserModel, { description: 'Creates an active user who can sign in at once.' })
  @Roles(Role.ADMIN)
  createUser(@Args('input', { description: 'The new account.' }) input: CreateUserInput) {
    return this.usersService.create(input);
  }

  @Mutation(() => UserModel, {
    description:
      'The user can no longer sign in; their tokens and open subscriptions stop at once. Not yourself.',
  })
  @Roles(Role.ADMIN)
  deactivateUser(
    @Args('id', { type: () => ID, description: 'The user to deactivate.' }) id: string,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.usersService.deactivate(id, principal);
  }

  @Mutation(() => UserModel, { description: 'Lets a deactivated user sign in again.' })
  @Roles(Role.ADMIN)
  reactivateUser(@Args('id', { type: () => ID, description: 'The user to reactivate.' }) id: string) {
    return this.usersService.reactivate(id);
  }

  @Mutation(() => UserModel, {
    description: "Sets a new password; the user's tokens and open subscriptions stop at once.",
  })
  @Roles(Role.ADMIN)
  resetUserPassword(@Args() { id, password }: ResetUserPasswordArgs) {
    return this.usersService.resetPassword(id, password);
  }

  @Subscription(() => UserModel, { description: 'Users created or changed (admins and supervisors).' })
  @Roles(Role.ADMIN, Role.SUPERVISOR)
  userChanged() {
    return this.pubsub.asyncIterator(Trigger.UserChanged);
  }
}
