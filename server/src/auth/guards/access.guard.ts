import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Role } from '@parley/libs/shared/roles.js';
import { IS_PUBLIC, type Principal, requestOf, ROLES } from '../../infrastructure/access/access.js';
import { ParleyError } from '../../infrastructure/errors/parley-error.js';

/**
 * The global guard on every resolver and controller: finds the caller, then checks the roles the
 * handler declares. A handler that declares none is refused: nothing is open by accident.
 *
 * GraphQL requests were authenticated once when their context was built (per HTTP request, per
 * socket), so the guard only reads the result; other HTTP routes go through passport (JWT, API key).
 */
@Injectable()
export class AccessGuard extends AuthGuard(['jwt', 'api-key']) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = requestOf(context);
    if (!request.user) {
      if ((context.getType() as string) === 'graphql') throw ParleyError.unauthenticated(request.authProblem);
      await super.canActivate(context);
    }
    const principal = request.user as Principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    if (!roles?.length)
      throw ParleyError.forbidden('This operation declares no roles and is closed to everyone');
    if (!roles.includes(principal.role)) {
      throw ParleyError.forbidden(`Only ${roles.join(' or ')} may do this; you are ${principal.role}`);
    }
    return true;
  }

  override getRequest(context: ExecutionContext) {
    return requestOf(context);
  }

  override handleRequest<T>(error: unknown, principal: T, _info: unknown, context: ExecutionContext): T {
    if (error) throw error;
    if (principal) return principal;
    const headers = requestOf(context).headers;
    if (headers['x-api-key'])
      throw ParleyError.unauthenticated('The API key is not valid or has been revoked');
    if (headers['authorization']) {
      throw ParleyError.unauthenticated('The access token is invalid or has expired; sign in again');
    }
    throw ParleyError.unauthenticated();
  }
}
