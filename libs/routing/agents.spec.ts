import { describe, expect, it } from 'vitest';
import { type AgentCandidate, agentState, AgentState, eligibility, Presence } from './agents.js';

const agent = (over: Partial<AgentCandidate> = {}): AgentCandidate => ({
  userId: 'u1',
  presence: Presence.AVAILABLE,
  isMember: true,
  receivesInteractions: true,
  load: 0,
  penalty: 0,
  position: 1,
  lastEndedAt: null,
  completedToday: 0,
  ...over,
});
const campaign = { maxInteractionsPerAgent: 3 };

describe('eligibility', () => {
  it('accepts an available member with a VOICE membership below capacity', () => {
    expect(eligibility(agent({ load: 2 }), campaign)).toEqual({ eligible: true });
  });

  it.each([
    [{ isMember: false }, 'not-member'],
    [{ receivesInteractions: false }, 'no-voice-membership'],
    [{ presence: Presence.OFFLINE }, 'offline'],
    [{ presence: Presence.BREAK }, 'on-break'],
    [{ load: 3 }, 'at-capacity'],
    [{ load: 5 }, 'at-capacity'],
  ] as const)('refuses %j as %s', (over, reason) => {
    expect(eligibility(agent(over), campaign)).toEqual({ eligible: false, reason });
  });

  it('refuses an agent excluded for this interaction (their offer timed out)', () => {
    expect(eligibility(agent(), campaign, new Set(['u1']))).toEqual({ eligible: false, reason: 'excluded' });
    expect(eligibility(agent(), campaign, new Set(['u2']))).toEqual({ eligible: true });
  });

  it('names the most lasting failure first', () => {
    const everything = agent({
      isMember: false,
      receivesInteractions: false,
      presence: Presence.OFFLINE,
      load: 9,
    });
    expect(eligibility(everything, campaign, new Set(['u1'])).reason).toBe('not-member');
    expect(eligibility(agent({ presence: Presence.BREAK, load: 9 }), campaign).reason).toBe('on-break');
    expect(eligibility(agent({ load: 9 }), campaign, new Set(['u1'])).reason).toBe('at-capacity');
  });
});

describe('agentState', () => {
  it.each([
    [Presence.OFFLINE, 0, 3, AgentState.OFFLINE],
    [Presence.OFFLINE, 2, 3, AgentState.OFFLINE],
    [Presence.AVAILABLE, 0, 3, AgentState.FREE],
    [Presence.AVAILABLE, 1, 3, AgentState.FREE_BUSY],
    [Presence.AVAILABLE, 2, 3, AgentState.FREE_BUSY],
    [Presence.AVAILABLE, 3, 3, AgentState.BUSY],
    [Presence.AVAILABLE, 4, 3, AgentState.BUSY],
    [Presence.AVAILABLE, 1, 1, AgentState.BUSY],
    [Presence.AVAILABLE, 0, 0, AgentState.BUSY],
    [Presence.BREAK, 0, 3, AgentState.BREAK],
    [Presence.BREAK, 1, 3, AgentState.BUSY_IN_BREAK],
    [Presence.BREAK, 3, 3, AgentState.BUSY_IN_BREAK],
  ])('%s with %i of %i open is %s', (presence, active, capacity, state) => {
    expect(agentState(presence, active, capacity)).toBe(state);
  });
});
