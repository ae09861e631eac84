import type { FieldProblem } from '../shared/validation.js';

/** Membership rules (docs/members.md#penalty-and-position): lower penalty = preferred; positions run 1..n without gaps. */
export const PENALTY_RANGE = { min: 0, max: 100 } as const;

/** Problems of a membership change; `memberCount` bounds the position (members of that campaign). */
export function validateMemberChange(
  change: { penalty?: number | null; position?: number | null },
  memberCount: number,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const { min, max } = PENALTY_RANGE;
  if (
    change.penalty != null &&
    (!Number.isInteger(change.penalty) || change.penalty < min || change.penalty > max)
  ) {
    problems.push({ field: 'penalty', problem: `must be between ${min} and ${max}` });
  }
  if (
    change.position != null &&
    (!Number.isInteger(change.position) || change.position < 1 || change.position > memberCount)
  ) {
    problems.push({
      field: 'position',
      problem: memberCount === 1 ? 'must be 1 (the only member)' : `must be between 1 and ${memberCount}`,
    });
  }
  return problems;
}

/**
 * The order after moving `item` to the 1-based `position`: the others keep their relative order and
 * shift to make room, so positions stay 1..n without gaps or ties.
 */
export function moveTo<T>(ordered: readonly T[], item: T, position: number): T[] {
  const rest = ordered.filter((x) => x !== item);
  const index = Math.min(Math.max(position, 1), rest.length + 1) - 1;
  return [...rest.slice(0, index), item, ...rest.slice(index)];
}

/** The position each item should have (1..n in the given order), for only those whose position differs. */
export function positionChanges<T extends { position: number }>(
  ordered: readonly T[],
): { item: T; position: number }[] {
  return ordered.flatMap((item, i) => (item.position === i + 1 ? [] : [{ item, position: i + 1 }]));
}
