import { type ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { AuthGuard } from '@nestjs/passport';
import { ParleyError } from '../../infrastructure/errors/parley-error.js';

/** Runs passport-local for the `login` mutation, reading the credentials from its arguments. */
@Injectable()
export class LoginGuard extends AuthGuard('local') {
  override getRequest(context: ExecutionContext) {
    const gql = GqlExecutionContext.create(context);
    const req = gql.getContext<{ req: { body?: unknown } }>().req;
    req.body = gql.getArgs();
    return req;
  }

  override handleRequest<T>(error: unknown, user: T): T {
    if (error) throw error;
    // passport-local refuses empty fields before our code runs.
    if (!user) throw ParleyError.badInput('username and password', 'both are required');
    return user;
  }
}
