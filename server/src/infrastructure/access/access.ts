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
export interface AccessRequest {
  user?: Principal;
  /** Why credentials that were given were refused (GraphQL authenticates before its guards run). */
  authProblem?: string;
  headers: Record<string, unknown>;
}

export function requestOf(context: ExecutionContext): AccessRequest {
  if ((context.getType() as string) === 'graphql') {
    return GqlExecutionContext.create(context).getContext<{ req: AccessRequest }>().req;
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

/** Credentials as a caller presents them, on HTTP headers or in graphql-ws connectionParams. */
export interface Credentials {
  /** `Bearer <access token>` */
  authorization?: string;
  apiKey?: string;
}

/**
 * Who the credentials belong to: a principal, a refusal in words (bad, expired or revoked), or
 * null when none were given. Provided by the auth module; the transports only call it.
 */
export abstract class Authenticator {
  abstract authenticate(
    credentials: Credentials,
  ): Promise<
    { principal: Principal; problem?: undefined } | { principal?: undefined; problem: string } | null
  >;
}

/** Credentials from HTTP headers or connectionParams, whichever spelling a tool used. */
export function credentialsFrom(source: Readonly<Record<string, unknown>> | undefined): Credentials {
  const pick = (...names: string[]) => {
    for (const name of names) {
      const value = source?.[name];
      if (typeof value === 'string' && value) return value;
    }
    return undefined;
  };
  return {
    authorization: pick('authorization', 'Authorization'),
    apiKey: pick('apiKey', 'x-api-key', 'X-Api-Key', 'X-API-Key'),
  };
}
