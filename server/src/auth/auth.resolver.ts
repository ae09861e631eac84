import { Args, Context, Field, Mutation, ObjectType, Resolver } from '@nestjs/graphql';
import { UseGuards } from '@nestjs/common';
import { UserModel } from '../members/user.model.js';
import type { UserEntity } from '../members/user.entity.js';
import { AuthService } from './auth.service.js';
import { LoginGuard } from './guards/login.guard.js';
import { Public } from './principal.js';

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
  constructor(private readonly auth: AuthService) {}

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
