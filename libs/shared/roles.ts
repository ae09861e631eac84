// Product enums shared by server and client; plain string unions so both sides agree on the wire values.

export enum Role {
  ADMIN = 'ADMIN',
  SUPERVISOR = 'SUPERVISOR',
  AGENT = 'AGENT',
}

/** What the agent chose (docs/users-and-access.md#presence). */
export enum Presence {
  OFFLINE = 'OFFLINE',
  AVAILABLE = 'AVAILABLE',
  BREAK = 'BREAK',
}
