import { Args, ID, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { Role } from '@parley/libs/shared/roles.js';
import { CurrentPrincipal, type Principal, Roles } from '../infrastructure/access/access.js';
import { ParleyError } from '../infrastructure/errors/parley-error.js';
import { UserChanged } from '../events/catalogue.js';
import type { PayloadOf } from '../infrastructure/events/event.js';
import { EventBus } from '../infrastructure/events/event-bus.service.js';
import { CachedUntil } from '../infrastructure/graphql/response-cache.js';
import { CreateUserInput } from './dto/create-user.input.js';
import { ResetUserPasswordArgs } from './dto/reset-user-password.args.js';
import type { UserEntity } from './user.entity.js';
import { UserModel } from './user.model.js';
import { UsersService } from './users.service.js';

@Resolver(() => UserModel)
export class UsersResolver {
  constructor(
    private readonly usersService: UsersService,
    private readonly bus: EventBus,
  ) {}

  /** One read per event on this instance, however many subscribers (they share the payload object). */
  private readonly changes = new WeakMap<PayloadOf<typeof UserChanged>, Promise<UserEntity | null>>();

  private changeOf(event: PayloadOf<typeof UserChanged>): Promise<UserEntity | null> {
    let change = this.changes.get(event);
    if (!change) this.changes.set(event, (change = this.usersService.findById(event.userId)));
    return change;
  }

  @Query(() => UserModel, { description: 'The signed-in user (API keys have no user).' })
  @Roles(Role.ADMIN, Role.SUPERVISOR, Role.AGENT)
  @CachedUntil([UserChanged.name], { perCaller: true })
  me(@CurrentPrincipal() principal: Principal): Promise<UserModel> {
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
  ): Promise<UserModel[]> {
    return this.usersService.list(role, includeInactive ?? false);
  }

  @Mutation(() => UserModel, { description: 'Creates an active user who can sign in at once.' })
  @Roles(Role.ADMIN)
  createUser(@Args('input', { description: 'The new account.' }) input: CreateUserInput): Promise<UserModel> {
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
  ): Promise<UserModel> {
    return this.usersService.deactivate(id, principal);
  }

  @Mutation(() => UserModel, { description: 'Lets a deactivated user sign in again.' })
  @Roles(Role.ADMIN)
  reactivateUser(
    @Args('id', { type: () => ID, description: 'The user to reactivate.' }) id: string,
  ): Promise<UserModel> {
    return this.usersService.reactivate(id);
  }

  @Mutation(() => UserModel, {
    description: "Sets a new password; the user's tokens and open subscriptions stop at once.",
  })
  @Roles(Role.ADMIN)
  resetUserPassword(@Args() { id, password }: ResetUserPasswordArgs): Promise<UserModel> {
    return this.usersService.resetPassword(id, password);
  }

  @Subscription(() => UserModel, {
    description: 'Users created or changed (admins and supervisors).',
    resolve: (user: UserEntity) => user,
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR)
  userChanged(): AsyncIterableIterator<UserEntity> {
    return this.bus.iterate(UserChanged, undefined, (event) => this.changeOf(event));
  }
}
