import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { Role } from '@parley/libs/shared/roles.js';
import { ParleyError } from '../../infrastructure/errors/parley-error.js';
import { IS_PUBLIC, type Principal, ROLES } from '../../infrastructure/access/access.js';
import { AccessGuard } from './access.guard.js';

/** An HTTP execution context whose request already carries a principal (as graphql-ws provides). */
function contextFor(user: Principal | undefined, metadata: Record<string, unknown>): ExecutionContext {
  const handler = () => undefined;
  for (const [key, value] of Object.entries(metadata)) Reflect.defineMetadata(key, value, handler);
  return {
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => class {},
    switchToHttp: () => ({ getRequest: () => ({ user, headers: {} }) }),
  } as unknown as ExecutionContext;
}

const agent: Principal = { kind: 'user', userId: 'u1', role: Role.AGENT, username: 'ana' };
const supervisorKey: Principal = { kind: 'apiKey', apiKeyId: 'k1', role: Role.SUPERVISOR, name: 'crm' };

describe('AccessGuard', () => {
  const guard = new AccessGuard(new Reflector());

  it('lets a public handler through without credentials', async () => {
    await expect(guard.canActivate(contextFor(undefined, { [IS_PUBLIC]: true }))).resolves.toBe(true);
  });

  it('allows a declared role, for users and API keys alike', async () => {
    await expect(guard.canActivate(contextFor(agent, { [ROLES]: [Role.AGENT] }))).resolves.toBe(true);
    await expect(
      guard.canActivate(contextFor(supervisorKey, { [ROLES]: [Role.ADMIN, Role.SUPERVISOR] })),
    ).resolves.toBe(true);
  });

  it('refuses another role, saying who may', async () => {
    const attempt = guard.canActivate(contextFor(agent, { [ROLES]: [Role.ADMIN] }));
    await expect(attempt).rejects.toBeInstanceOf(ParleyError);
    await expect(attempt).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'Only ADMIN may do this; you are AGENT',
    });
  });

  it('refuses a handler that declares no roles', async () => {
    await expect(guard.canActivate(contextFor(agent, {}))).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
