import { Args, ID, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Role } from '@parley/libs/shared/roles.js';
import { toGraphQLError } from '../infrastructure/errors/graphql-errors.js';
import { ParleyError } from '../infrastructure/errors/parley-error.js';
import { UserModel } from '../members/user.model.js';
import { UsersService } from '../members/users.service.js';
import { LOGIN_LIMITS, LoginThrottle } from './login-throttle.service.js';
import { CurrentPrincipal, type Principal, Roles } from '../infrastructure/access/access.js';

const LOCKOUT = `${LOGIN_LIMITS.perUsername.points} failed sign-ins within ${LOGIN_LIMITS.perUsername.duration / 60} minutes`;

/** The sign-in lockout of a user, as admins see and lift it. The count itself lives in LoginThrottle. */
@Resolver(() => UserModel)
export class SignInLockoutResolver {
  constructor(
    private readonly throttle: LoginThrottle,
    private readonly users: UsersService,
  ) {}

  // Field resolvers pass neither @Roles nor the exception filter (they run after the query's own
  // check): refused here, as a GraphQL error with its code.
  @ResolveField(() => Date, {
    nullable: true,
    description: `Until when sign-in is refused after ${LOCKOUT}; null when it is not locked. ADMIN only.`,
  })
  async signInLockedUntil(
    @Parent() user: { id: string; sessionVersion?: number },
    @CurrentPrincipal() principal: Principal,
  ): Promise<Date | null> {
    if (principal.role !== Role.ADMIN) {
      throw toGraphQLError(ParleyError.forbidden('Only ADMIN may see sign-in lockouts'));
    }
    // Events may carry a user without its session version.
    const sessionVersion = user.sessionVersion ?? (await this.users.getById(user.id)).sessionVersion;
    return this.throttle.lockedUntil({ id: user.id, sessionVersion });
  }

  @Mutation(() => UserModel, {
    description: `Lets the user try to sign in again at once after ${LOCKOUT}. A password reset does it too.`,
  })
  @Roles(Role.ADMIN)
  async liftSignInLockout(
    @Args('userId', { type: () => ID, description: 'The user whose failed sign-ins are forgotten.' })
    userId: string,
  ): Promise<UserModel> {
    await this.throttle.lift(await this.users.getById(userId));
    return this.users.announce(userId);
  }
}
