import { UseGuards } from '@nestjs/common';
import { Args, Context, Field, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Role } from '@parley/libs/shared/roles.js';
import { CurrentPrincipal, type Principal, Public, Roles } from '../infrastructure/access/access.js';
import type { UserEntity } from '../members/user.entity.js';
import { UserModel } from '../members/user.model.js';
import { UsersService } from '../members/users.service.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthService } from './auth.service.js';
import { LoginGuard } from './guards/login.guard.js';
import { ViewerModel } from './viewer.model.js';

@ObjectType('AuthPayload', { description: 'The answer to a successful sign-in.' })
export class AuthPayloadModel {
  @Field({
    description:
      'Send as "Authorization: Bearer <accessToken>", or as authorization in graphql-ws connectionParams.',
  })
  accessToken!: string;

  @Field(() => UserModel, { description: 'The signed-in user.' })
  user!: UserModel;
}

@Resolver()
export class AuthResolver {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  @Query(() => ViewerModel, {
    description: 'Who the caller is; works for users and API keys alike (a tool’s first call).',
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR, Role.AGENT)
  async viewer(@CurrentPrincipal() principal: Principal): Promise<ViewerModel> {
    return principal.kind === 'user'
      ? { role: principal.role, user: await this.users.getById(principal.userId), apiKey: null }
      : { role: principal.role, user: null, apiKey: await this.apiKeys.findById(principal.apiKeyId) };
  }

  @Mutation(() => AuthPayloadModel, {
    description: 'Sign in; failures are rate limited per username and address.',
  })
  @Public()
  @UseGuards(LoginGuard)
  // The arguments are declared for the schema; LoginGuard reads them through passport-local.
  login(
    @Args('username', { description: 'The sign-in name, as created.' }) _username: string,
    @Args('password', { description: 'The account password.' }) _password: string,
    @Context('req') req: { user: UserEntity },
  ): AuthPayloadModel {
    return { accessToken: this.auth.issueAccessToken(req.user), user: req.user };
  }
}
