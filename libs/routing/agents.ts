// The agent's side of routing (product.md section 4 and 6): who may be offered an interaction, and the
// state a supervisor sees. Plain data in, plain data out: the server loads the rows, locked, and asks.

import { Presence } from '../shared/roles.js';

// Re-exported so routing's callers and specs name one Presence, the one users carry.
export { Presence };

/**
 * One agent as routing sees them for one campaign at one moment. The caller computes every field
 * (inside the transaction that will write the offer) so the decision is a pure function of this data.
 */
export interface AgentCandidate {
  userId: string;
  presence: Presence;
  /** Member of the campaign being routed. */
  isMember: boolean;
  /** Member of at least one VOICE campaign (the VOICE rule, docs/members.md). */
  receivesInteractions: boolean;
  /** OFFERED + ACTIVE interactions of this agent in this campaign now: an offer holds a seat. */
  load: number;
  /** 0..100 in this campaign; lower is preferred (ties, WRANDOM weight). */
  penalty: number;
  /** Member position in this campaign, 1..n (LINEAR, RRMEMORY). */
  position: number;
  /** When the agent's last interaction in this campaign ended; null if none ever did (LEASTRECENT). */
  lastEndedAt: Date | null;
  /** Interactions the agent completed in this campaign today, "today" in the campaign's zone (FEWESTCALLS). */
  completedToday: number;
}

/** Why an agent may not be offered an interaction now. */
export const IneligibleReason = {
  NOT_MEMBER: 'not-member',
  NO_VOICE_MEMBERSHIP: 'no-voice-membership',
  OFFLINE: 'offline',
  ON_BREAK: 'on-break',
  AT_CAPACITY: 'at-capacity',
  EXCLUDED: 'excluded',
} as const;
export type IneligibleReason = (typeof IneligibleReason)[keyof typeof IneligibleReason];

export interface Eligibility {
  eligible: boolean;
  /** Set when not eligible: the first rule that fails, in the order listed in `IneligibleReason`. */
  reason?: IneligibleReason;
}

/**
 * Whether the agent may be offered an interaction of this campaign now: a member, receiving
 * interactions (VOICE rule), AVAILABLE, below `maxInteractionsPerAgent` counting offers, and not in
 * `excluded` (agents who let this interaction's offer time out). The reported reason is the first
 * failing rule, most lasting first (membership before presence before load), so the record names the
 * thing that would have to change first.
 */
export function eligibility(
  agent: AgentCandidate,
  campaign: { maxInteractionsPerAgent: number },
  excluded: ReadonlySet<string> = new Set(),
): Eligibility {
  if (!agent.isMember) return { eligible: false, reason: IneligibleReason.NOT_MEMBER };
  if (!agent.receivesInteractions) return { eligible: false, reason: IneligibleReason.NO_VOICE_MEMBERSHIP };
  if (agent.presence === Presence.OFFLINE) return { eligible: false, reason: IneligibleReason.OFFLINE };
  if (agent.presence !== Presence.AVAILABLE) return { eligible: false, reason: IneligibleReason.ON_BREAK };
  // >= rather than ===: a lowered maximum can leave an agent above it; they get nothing until below.
  if (agent.load >= campaign.maxInteractionsPerAgent) {
    return { eligible: false, reason: IneligibleReason.AT_CAPACITY };
  }
  if (excluded.has(agent.userId)) return { eligible: false, reason: IneligibleReason.EXCLUDED };
  return { eligible: true };
}

/** The agent's state on the real-time screen (product.md section 6). */
export const AgentState = {
  OFFLINE: 'OFFLINE',
  /** Available, nothing open. */
  FREE: 'FREE',
  /** Available, some open, below capacity. */
  FREE_BUSY: 'FREE_BUSY',
  /** Available and at capacity. */
  BUSY: 'BUSY',
  /** On break, nothing open. */
  BREAK: 'BREAK',
  /** On break with interactions still open. */
  BUSY_IN_BREAK: 'BUSY_IN_BREAK',
} as const;
export type AgentState = (typeof AgentState)[keyof typeof AgentState];

/**
 * The state shown for an agent in one campaign. Pass as `active` the same count capacity uses
 * (OFFERED + ACTIVE), so BUSY means exactly "routing will offer them nothing more". An OFFLINE agent
 * is OFFLINE whatever they still hold. At capacity wins over "nothing open", so a capacity of 0 (not
 * allowed today) would read BUSY, never FREE.
 */
export function agentState(presence: Presence, active: number, capacity: number): AgentState {
  if (presence === Presence.OFFLINE) return AgentState.OFFLINE;
  if (presence === Presence.BREAK) return active > 0 ? AgentState.BUSY_IN_BREAK : AgentState.BREAK;
  if (active >= capacity) return AgentState.BUSY;
  return active > 0 ? AgentState.FREE_BUSY : AgentState.FREE;
}
