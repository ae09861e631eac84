// Product enums shared by server and client: `as const` objects whose types are the same string
// unions the generated client types use, so both sides pass them without casts.

export const Role = {
  ADMIN: 'ADMIN',
  SUPERVISOR: 'SUPERVISOR',
  AGENT: 'AGENT',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

/** What the agent chose (docs/users-and-access.md#presence). */
export const Presence = {
  OFFLINE: 'OFFLINE',
  AVAILABLE: 'AVAILABLE',
  BREAK: 'BREAK',
} as const;
export type Presence = (typeof Presence)[keyof typeof Presence];
