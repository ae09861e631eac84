import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Role } from '@parley/libs/shared/roles.js';
import { ParleyError } from '../../infrastructure/errors/parley-error.js';
import { IS_PUBLIC, type Principal, requestOf, ROLES } from '../principal.js';

/**
 * The global guard on every resolver and controller: authenticates (JWT or API key through
 * passport on HTTP; graphql-ws connections were authenticated in onConnect), then checks the
 * roles the handler declares. A handler that declares none is refused: nothing is open by accident.
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
    if (!request.user) await super.canActivate(context);
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
