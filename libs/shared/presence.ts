import { Presence } from './roles.js';

/** Reasons the agent screen offers for a break; any other short text is accepted too. */
export const BREAK_REASONS = ['Lunch', 'Coffee', 'Meeting', 'Training', 'Personal'] as const;

export const BREAK_REASON_MAX = 100;

/**
 * The presence an agent asks for, as it will be stored, or the problem with it: a BREAK needs a
 * reason (supervisors see it), and only a BREAK has one.
 */
export function presenceChange(
  presence: Presence,
  breakReason: string | null | undefined,
): { presence: Presence; breakReason: string | null } | { field: 'breakReason'; problem: string } {
  const reason = breakReason?.trim() ?? '';
  if (presence !== Presence.BREAK) {
    if (reason) return { field: 'breakReason', problem: `is only for BREAK, not ${presence}` };
    return { presence, breakReason: null };
  }
  if (!reason) return { field: 'breakReason', problem: 'is required for a BREAK' };
  if (reason.length > BREAK_REASON_MAX) {
    return { field: 'breakReason', problem: `must be at most ${BREAK_REASON_MAX} characters` };
  }
  return { presence, breakReason: reason };
}
