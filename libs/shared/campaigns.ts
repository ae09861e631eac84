// Campaign enums shared by server and client (docs/campaigns.md); string values are the wire values.

/** MESSENGER campaigns carry chats; VOICE campaigns only hold members (Parley handles no calls). */
export const Channel = {
  MESSENGER: 'MESSENGER',
  VOICE: 'VOICE',
} as const;
export type Channel = (typeof Channel)[keyof typeof Channel];

export const Weekday = {
  MON: 'MON',
  TUE: 'TUE',
  WED: 'WED',
  THU: 'THU',
  FRI: 'FRI',
  SAT: 'SAT',
  SUN: 'SUN',
} as const;
export type Weekday = (typeof Weekday)[keyof typeof Weekday];

/** Monday first, as ISO 8601 (and luxon's `weekday`, 1..7) count them. */
export const ALL_WEEKDAYS: readonly Weekday[] = [
  Weekday.MON,
  Weekday.TUE,
  Weekday.WED,
  Weekday.THU,
  Weekday.FRI,
  Weekday.SAT,
  Weekday.SUN,
];

/** How queued interactions are handed to the campaign's eligible agents (docs/campaigns.md#routing-strategy). */
export const RoutingStrategy = {
  RINGALL: 'RINGALL',
  LEASTRECENT: 'LEASTRECENT',
  FEWESTCALLS: 'FEWESTCALLS',
  RANDOM: 'RANDOM',
  RRMEMORY: 'RRMEMORY',
  LINEAR: 'LINEAR',
  WRANDOM: 'WRANDOM',
  MANUAL: 'MANUAL',
} as const;
export type RoutingStrategy = (typeof RoutingStrategy)[keyof typeof RoutingStrategy];

/** The page token as Parley last saw it (docs/campaigns.md#facebook-page-and-token-status). */
export const TokenStatus = {
  NOT_CONNECTED: 'NOT_CONNECTED',
  ACTIVE: 'ACTIVE',
  INACTIVE: 'INACTIVE',
} as const;
export type TokenStatus = (typeof TokenStatus)[keyof typeof TokenStatus];

/** How a campaign's page was connected: the login popup (user token kept and renewed) or a pasted page token. */
export const PageConnectionKind = {
  POPUP: 'POPUP',
  PAGE_TOKEN: 'PAGE_TOKEN',
} as const;
export type PageConnectionKind = (typeof PageConnectionKind)[keyof typeof PageConnectionKind];
