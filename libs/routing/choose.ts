// Which agent(s) get an interaction (product.md section 4, "Strategies"). The server calls this inside
// the transaction that holds the campaign's rows locked, with everything loaded as plain data; this
// file decides and explains, and never reads a clock, a database or Math.random itself.

import { RoutingStrategy } from '../shared/campaigns.js';
import { type AgentCandidate, eligibility, type IneligibleReason } from './agents.js';

export interface RoutingInput {
  strategy: RoutingStrategy;
  /** Agents to consider: normally the campaign's members; non-members are recorded as ineligible. */
  candidates: readonly AgentCandidate[];
  maxInteractionsPerAgent: number;
  /** RRMEMORY's memory: the agent who got this campaign's previous interaction, null if none yet. */
  lastAssignedUserId: string | null;
  /**
   * That agent's position when they got it. Used only when they are no longer a member, to resume at
   * the same place in the order instead of starting over.
   */
  lastAssignedPosition?: number | null;
  /** Agents who let this interaction's offer time out: skipped for this interaction only. */
  excludedUserIds?: readonly string[];
  /** A source of numbers in [0, 1) like Math.random; called once, and only by RANDOM and WRANDOM. */
  random: () => number;
}

/** One candidate as the decision saw them, for the routing record ("why did this chat go to X?"). */
export interface CandidateRecord {
  userId: string;
  eligible: boolean;
  /** Why not eligible (see `eligibility`). */
  why?: IneligibleReason;
  load: number;
  penalty: number;
  position: number;
  lastEndedAt: Date | null;
  completedToday: number;
}

export interface RoutingDecision {
  strategy: RoutingStrategy;
  /**
   * Who gets the offer: one agent, every eligible agent for RINGALL (best first: penalty, position),
   * and nobody for MANUAL or when no agent is eligible.
   */
  chosen: string[];
  /** The decision in words, starting with the strategy, e.g. "RRMEMORY: agent u7, the next eligible after agent u3 ...". */
  reason: string;
  /** Every candidate in position order (then user id), so the record does not depend on query order. */
  candidates: CandidateRecord[];
}

const compare = (a: number | string, b: number | string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The product's tie-break: lowest penalty, then lowest position, then user id so nothing is left to chance. */
const byTieBreak = (a: AgentCandidate, b: AgentCandidate): number =>
  compare(a.penalty, b.penalty) || compare(a.position, b.position) || compare(a.userId, b.userId);

const byPosition = (a: AgentCandidate, b: AgentCandidate): number =>
  compare(a.position, b.position) || compare(a.userId, b.userId);

/** WRANDOM's weight: 101 - penalty, so even penalty 100 keeps a small chance (weight 1). */
export const wrandomWeight = (penalty: number): number => 101 - Math.min(Math.max(penalty, 0), 100);

/**
 * Decide who is offered an interaction. Deterministic: the same input (and the same numbers from
 * `random`) gives the same decision whatever order the candidates come in. Throws a RangeError for
 * an unknown strategy, duplicate candidates or a `random` outside [0, 1): each is a caller's bug that
 * would otherwise produce a wrong offer inside a committed transaction.
 */
export function chooseAgents(input: RoutingInput): RoutingDecision {
  const { strategy, maxInteractionsPerAgent } = input;
  const excluded = new Set(input.excludedUserIds ?? []);
  const seen = new Set<string>();
  for (const c of input.candidates) {
    if (seen.has(c.userId)) throw new RangeError(`Candidate ${c.userId} is listed twice`);
    seen.add(c.userId);
  }

  const ordered = [...input.candidates].sort(byPosition);
  const why = new Map<string, IneligibleReason | undefined>();
  const candidates: CandidateRecord[] = ordered.map((c) => {
    const e = eligibility(c, { maxInteractionsPerAgent }, excluded);
    why.set(c.userId, e.reason);
    return {
      userId: c.userId,
      eligible: e.eligible,
      ...(e.reason ? { why: e.reason } : {}),
      load: c.load,
      penalty: c.penalty,
      position: c.position,
      lastEndedAt: c.lastEndedAt,
      completedToday: c.completedToday,
    };
  });
  const eligible = ordered.filter((c) => why.get(c.userId) === undefined);
  const decide = (chosen: string[], reason: string): RoutingDecision => ({
    strategy,
    chosen,
    reason: `${strategy}: ${reason}`,
    candidates,
  });

  if (strategy === RoutingStrategy.MANUAL) {
    return decide(
      [],
      `nothing is offered; agents take it from the queue (${count(eligible.length, 'eligible agent')} now)`,
    );
  }
  if (!Object.values(RoutingStrategy).includes(strategy)) {
    throw new RangeError(`Unknown routing strategy "${String(strategy)}"`);
  }
  if (eligible.length === 0) {
    return decide([], `no eligible agent (${summarizeIneligible(candidates)})`);
  }

  switch (strategy) {
    case RoutingStrategy.RINGALL: {
      const all = [...eligible].sort(byTieBreak).map((c) => c.userId);
      const who = all.length === 1 ? 'the only eligible agent' : `all ${all.length} eligible agents at once`;
      return decide(all, `offered to ${who}; the first to accept wins`);
    }
    case RoutingStrategy.LINEAR:
      return ranked(
        decide,
        eligible,
        (c) => c.position,
        (c) => `lowest position (${c.position})`,
      );
    case RoutingStrategy.FEWESTCALLS:
      return ranked(
        decide,
        eligible,
        (c) => c.completedToday,
        (c) => `fewest interactions completed in this campaign today (${c.completedToday})`,
      );
    case RoutingStrategy.LEASTRECENT:
      // An agent who never finished one here counts as the longest ago: -Infinity sorts first.
      return ranked(
        decide,
        eligible,
        (c) => c.lastEndedAt?.getTime() ?? -Infinity,
        (c) =>
          c.lastEndedAt
            ? `last interaction in this campaign ended longest ago (${c.lastEndedAt.toISOString()})`
            : 'never had an interaction in this campaign end, so counts as longest ago',
      );
    case RoutingStrategy.RANDOM: {
      const pool = [...eligible].sort(byTieBreak);
      const pick = pool[Math.floor(draw(input.random) * pool.length)];
      return decide(
        [pick.userId],
        `agent ${pick.userId}, drawn uniformly from ${count(pool.length, 'eligible agent')}`,
      );
    }
    case RoutingStrategy.WRANDOM:
      return weighted(decide, eligible, draw(input.random));
    case RoutingStrategy.RRMEMORY:
      return roundRobin(decide, input, ordered, eligible, why);
    default: {
      const unknown: never = strategy;
      throw new RangeError(`Unknown routing strategy "${String(unknown)}"`);
    }
  }
}

type Decide = (chosen: string[], reason: string) => RoutingDecision;

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function draw(random: () => number): number {
  const r = random();
  if (!(r >= 0 && r < 1)) throw new RangeError(`random() must return a number in [0, 1), got ${r}`);
  return r;
}

/** "3 candidates: 2 offline, 1 at-capacity", in the order reasons are checked. */
function summarizeIneligible(candidates: readonly CandidateRecord[]): string {
  if (candidates.length === 0) return 'no candidates';
  const tally = new Map<string, number>();
  for (const c of candidates) if (c.why) tally.set(c.why, (tally.get(c.why) ?? 0) + 1);
  const parts = [...tally].map(([reason, n]) => `${n} ${reason}`);
  return `${count(candidates.length, 'candidate')}: ${parts.join(', ')}`;
}

/**
 * The strategies that pick the lowest value of one counter (LINEAR, FEWESTCALLS, LEASTRECENT). Ties
 * on the counter fall to the product's tie-break, and the reason says which rule decided, against
 * whom, since a tie is exactly when someone will ask "why not me?".
 */
function ranked(
  decide: Decide,
  eligible: readonly AgentCandidate[],
  key: (c: AgentCandidate) => number,
  describe: (c: AgentCandidate) => string,
): RoutingDecision {
  const sorted = [...eligible].sort((a, b) => compare(key(a), key(b)) || byTieBreak(a, b));
  const [winner, runnerUp] = sorted;
  let reason = `agent ${winner.userId}, ${describe(winner)}`;
  if (runnerUp && key(runnerUp) === key(winner)) {
    const tied = sorted.filter((c) => key(c) === key(winner)).length;
    const rule =
      winner.penalty !== runnerUp.penalty
        ? `lower penalty (${winner.penalty} vs ${runnerUp.penalty} for agent ${runnerUp.userId})`
        : winner.position !== runnerUp.position
          ? `equal penalty, lower position (${winner.position} vs ${runnerUp.position} for agent ${runnerUp.userId})`
          : `equal penalty and position, user id before agent ${runnerUp.userId}`;
    reason += `; ${tied} agents tied, broken by ${rule}`;
  }
  return decide([winner.userId], reason);
}

/** WRANDOM: walk the eligible agents in tie-break order, each taking a slice of [0, total) as wide as its weight. */
function weighted(decide: Decide, eligible: readonly AgentCandidate[], r: number): RoutingDecision {
  const pool = [...eligible].sort(byTieBreak);
  const total = pool.reduce((sum, c) => sum + wrandomWeight(c.penalty), 0);
  const target = r * total;
  let upTo = 0;
  let pick = pool[pool.length - 1];
  for (const c of pool) {
    upTo += wrandomWeight(c.penalty);
    if (target < upTo) {
      pick = c;
      break;
    }
  }
  return decide(
    [pick.userId],
    `agent ${pick.userId}, drawn with weight ${wrandomWeight(pick.penalty)} (101 - penalty ${pick.penalty}) ` +
      `of ${total} among ${count(pool.length, 'eligible agent')}`,
  );
}

/**
 * RRMEMORY: the first eligible agent after the previous one in position order, wrapping round. If the
 * previous agent is still a member, "after" is after their current position. If they left, positions
 * have closed the gap (1..n, docs/members.md), so whoever followed them now holds their old position:
 * resume at that position, inclusive. With no memory at all, start at the lowest position.
 */
function roundRobin(
  decide: Decide,
  input: RoutingInput,
  ordered: readonly AgentCandidate[],
  eligible: readonly AgentCandidate[],
  why: ReadonlyMap<string, IneligibleReason | undefined>,
): RoutingDecision {
  const members = ordered.filter((c) => c.isMember);
  const last = members.find((c) => c.userId === input.lastAssignedUserId);
  const lastPosition = input.lastAssignedPosition ?? null;

  let isAfter: ((c: AgentCandidate) => boolean) | null = null;
  let from: string;
  if (last) {
    isAfter = (c) => c.position > last.position || (c.position === last.position && c.userId > last.userId);
    from = `after agent ${last.userId} (position ${last.position})`;
  } else if (input.lastAssignedUserId !== null && lastPosition !== null) {
    isAfter = (c) => c.position >= lastPosition;
    from = `at or after position ${lastPosition}, where agent ${input.lastAssignedUserId} (no longer a member) was`;
  } else if (input.lastAssignedUserId !== null) {
    from = `from the lowest position (agent ${input.lastAssignedUserId} is no longer a member and their position is unknown)`;
  } else {
    from = 'from the lowest position (no previous assignment)';
  }

  const next = (isAfter && eligible.find(isAfter)) ?? eligible[0];
  const wrapped = isAfter !== null && !isAfter(next);
  // The members passed over between the starting point and the chosen agent, with why: the usual
  // question under round robin is "it was my turn, why did I not get it?".
  const startIndex = isAfter ? members.findIndex(isAfter) : 0;
  const skipped: string[] = [];
  for (let i = 0; i < members.length; i++) {
    const c = members[((startIndex === -1 ? 0 : startIndex) + i) % members.length];
    if (c.userId === next.userId) break;
    if (c.userId !== input.lastAssignedUserId) skipped.push(`${c.userId} ${why.get(c.userId)}`);
  }
  let reason = `agent ${next.userId} (position ${next.position}), the next eligible in position order ${from}`;
  if (next.userId === input.lastAssignedUserId) reason += ', round to them again';
  else if (wrapped) reason += ', wrapping round to the start';
  if (skipped.length) reason += `; skipped ${skipped.join(', ')}`;
  return decide([next.userId], reason);
}
