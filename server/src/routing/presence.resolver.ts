import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { presenceChange } from '@parley/libs/shared/presence.js';
import { Presence, Role } from '@parley/libs/shared/roles.js';
import { CurrentPrincipal, type Principal, Roles } from '../infrastructure/access/access.js';
import { ParleyError } from '../infrastructure/errors/parley-error.js';
import { UserModel } from '../members/user.model.js';
import { UsersService } from '../members/users.service.js';

@Resolver()
export class PresenceResolver {
  constructor(private readonly users: UsersService) {}

  @Mutation(() => UserModel, {
    description:
      "Sets the calling user's presence: AVAILABLE takes interactions, BREAK (breakReason required) and OFFLINE take none. Closing the last socket sets OFFLINE after a grace period. FORBIDDEN for an API key.",
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR, Role.AGENT)
  async setPresence(
    @CurrentPrincipal() principal: Principal,
    @Args('presence', { type: () => Presence, description: 'The new presence.' }) presence: Presence,
    @Args('breakReason', {
      type: () => String,
      nullable: true,
      description: 'Why the break (e.g. Lunch); required with BREAK, refused otherwise.',
    })
    breakReason?: string | null,
  ): Promise<UserModel> {
    if (principal.kind !== 'user') {
      throw ParleyError.forbidden('setPresence needs a signed-in user; an API key has no presence');
    }
    const change = presenceChange(presence, breakReason);
    if ('problem' in change) throw ParleyError.badInput(change.field, change.problem);
    await this.users.setPresence(principal.userId, change);
    return this.users.getById(principal.userId);
  }
}
