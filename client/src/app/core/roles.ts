import type { Role } from '../graphql/generated';

export const ROLES: readonly Role[] = ['ADMIN', 'SUPERVISOR', 'AGENT'];

export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  ADMIN: 'Admin',
  SUPERVISOR: 'Supervisor',
  AGENT: 'Agent',
};
