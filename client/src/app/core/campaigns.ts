import type { Channel, RoutingStrategy, TokenStatus, Weekday } from '../graphql/generated';

/** How each channel is named and drawn (icons registered in ui/icons.ts). */
export const CHANNELS: Readonly<Record<Channel, { label: string; icon: string }>> = {
  MESSENGER: { label: 'Messenger', icon: 'messenger' },
  VOICE: { label: 'Voice', icon: 'voice' },
};

export interface StrategyInfo {
  value: RoutingStrategy;
  label: string;
  /** One line for people choosing it (docs/campaigns.md#routing-strategy). */
  description: string;
}

/** Routing strategies in the order the editor offers them. */
export const STRATEGIES: readonly StrategyInfo[] = [
  {
    value: 'RRMEMORY',
    label: 'Round robin with memory',
    description: 'Takes turns in position order, starting after the agent who got the previous chat.',
  },
  {
    value: 'RINGALL',
    label: 'Ring all',
    description: 'Offers each chat to every eligible agent at once; the first to accept gets it.',
  },
  {
    value: 'LEASTRECENT',
    label: 'Least recent',
    description: 'The agent whose last chat in this campaign ended longest ago.',
  },
  {
    value: 'FEWESTCALLS',
    label: 'Fewest calls',
    description: 'The agent with the fewest chats completed in this campaign today.',
  },
  { value: 'RANDOM', label: 'Random', description: 'Any eligible agent, chosen at random.' },
  {
    value: 'LINEAR',
    label: 'Linear',
    description: 'Always the first eligible agent in position order.',
  },
  {
    value: 'WRANDOM',
    label: 'Weighted random',
    description: 'At random, but agents with a higher penalty get fewer chats.',
  },
  {
    value: 'MANUAL',
    label: 'Manual',
    description: 'Nothing is pushed: agents pick chats from the waiting list.',
  },
];

export const STRATEGY_LABELS = Object.fromEntries(STRATEGIES.map((s) => [s.value, s.label])) as Readonly<
  Record<RoutingStrategy, string>
>;

/**
 * How each token status is named and drawn. Each has its own shape (a chain, a warning circle, a broken
 * chain), not only its own colour, so that it reads without colour too.
 */
export const TOKEN_STATUSES: Readonly<Record<TokenStatus, { label: string; icon: string }>> = {
  ACTIVE: { label: 'Page token active', icon: 'link' },
  INACTIVE: { label: 'Page token inactive', icon: 'error' },
  NOT_CONNECTED: { label: 'Facebook page not connected', icon: 'link-off' },
};

/** Monday first, as the server counts them. */
export const WEEKDAYS: readonly { value: Weekday; short: string; long: string }[] = [
  { value: 'MON', short: 'Mon', long: 'Monday' },
  { value: 'TUE', short: 'Tue', long: 'Tuesday' },
  { value: 'WED', short: 'Wed', long: 'Wednesday' },
  { value: 'THU', short: 'Thu', long: 'Thursday' },
  { value: 'FRI', short: 'Fri', long: 'Friday' },
  { value: 'SAT', short: 'Sat', long: 'Saturday' },
  { value: 'SUN', short: 'Sun', long: 'Sunday' },
];

/** The days in week order, runs of three or more written as a span: "Mon–Fri", "Mon, Wed, Sat–Sun". */
export function describeDays(days: readonly Weekday[]): string {
  const indexes = WEEKDAYS.map((d, i) => (days.includes(d.value) ? i : -1)).filter((i) => i >= 0);
  if (indexes.length === 7) return 'Every day';
  const parts: string[] = [];
  for (let start = 0; start < indexes.length;) {
    let end = start;
    while (end + 1 < indexes.length && indexes[end + 1] === indexes[end] + 1) end++;
    const first = WEEKDAYS[indexes[start]].short;
    const last = WEEKDAYS[indexes[end]].short;
    if (end - start >= 2) parts.push(`${first}–${last}`);
    else parts.push(...indexes.slice(start, end + 1).map((i) => WEEKDAYS[i].short));
    start = end + 1;
  }
  return parts.join(', ');
}
