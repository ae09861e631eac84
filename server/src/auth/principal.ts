import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Role } from '@parley/libs/shared/roles.js';

/** Who is calling: a signed-in user, or a third-party tool with an API key acting as its role. */
export type Principal =
  | { kind: 'user'; userId: string; role: Role; username: string; tokenExpiresAt?: number }
  | { kind: 'apiKey'; apiKeyId: string; role: Role; name: string };

export const ROLES = 'parley:roles';
export const IS_PUBLIC = 'parley:public';

/** Roles allowed to call a resolver. Every resolver declares them; the guard refuses one that does not. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

/** Callable without credentials (login). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The request object, for HTTP and for graphql-ws (where the context carries a synthetic one). */
export function requestOf(context: ExecutionContext): { user?: Principal; headers: Record<string, unknown> } {
  if ((context.getType() as string) === 'graphql') {
    return GqlExecutionContext.create(context).getContext<{
      req: { user?: Principal; headers: Record<string, unknown> };
    }>().req;
  }
  return context.switchToHttp().getRequest();
}

export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = requestOf(context).user;
    if (!principal) throw new Error('CurrentPrincipal used on a public resolver');
    return principal;
  },
);
