import { describe, expect, it } from 'vitest';
import { RoutingStrategy } from '../shared/campaigns.js';
import { type AgentCandidate, Presence } from './agents.js';
import { chooseAgents, type RoutingInput, wrandomWeight } from './choose.js';
import { mulberry32 } from './prng.js';

const agent = (userId: string, position: number, over: Partial<AgentCandidate> = {}): AgentCandidate => ({
  userId,
  presence: Presence.AVAILABLE,
  isMember: true,
  receivesInteractions: true,
  load: 0,
  penalty: 0,
  position,
  lastEndedAt: null,
  completedToday: 0,
  ...over,
});

const noRandom = () => {
  throw new Error('this strategy must not draw');
};

const route = (strategy: RoutingStrategy, candidates: AgentCandidate[], over: Partial<RoutingInput> = {}) =>
  chooseAgents({
    strategy,
    candidates,
    maxInteractionsPerAgent: 3,
    lastAssignedUserId: null,
    excludedUserIds: [],
    random: noRandom,
    ...over,
  });

const chosen = (...args: Parameters<typeof route>) => route(...args).chosen;

/** How often each agent is chosen over `draws` decisions with a seeded source. */
function tally(strategy: RoutingStrategy, candidates: AgentCandidate[], draws: number, seed = 1) {
  const random = mulberry32(seed);
  const counts = new Map<string, number>();
  for (let i = 0; i < draws; i++) {
    const [id] = chosen(strategy, candidates, { random });
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe('chooseAgents: common rules', () => {
  const team = [
    agent('ann', 1),
    agent('bob', 2, { presence: Presence.OFFLINE }),
    agent('cat', 3, { load: 3 }),
    agent('dan', 4),
    agent('eve', 5, { receivesInteractions: false }),
    agent('fay', 6, { presence: Presence.BREAK }),
  ];

  it('MANUAL offers nothing even with eligible agents, and records them', () => {
    const decision = route(RoutingStrategy.MANUAL, team);
    expect(decision.chosen).toEqual([]);
    expect(decision.reason).toBe(
      'MANUAL: nothing is offered; agents take it from the queue (2 eligible agents now)',
    );
    expect(decision.candidates.filter((c) => c.eligible).map((c) => c.userId)).toEqual(['ann', 'dan']);
  });

  it.each(Object.values(RoutingStrategy))('%s offers nothing when nobody is eligible, and says why', (s) => {
    const decision = route(s, [team[1], team[2], agent('gus', 7, { isMember: false })], {
      random: () => 0.5,
    });
    expect(decision.chosen).toEqual([]);
    if (s !== RoutingStrategy.MANUAL) {
      expect(decision.reason).toBe(
        `${s}: no eligible agent (3 candidates: 1 offline, 1 at-capacity, 1 not-member)`,
      );
    }
    expect(route(s, []).chosen).toEqual([]);
  });

  it('records every candidate in position order with why it was not eligible', () => {
    const decision = route(RoutingStrategy.LINEAR, [...team].reverse(), {
      excludedUserIds: ['dan'],
    });
    expect(decision.candidates.map((c) => [c.userId, c.eligible, c.why])).toEqual([
      ['ann', true, undefined],
      ['bob', false, 'offline'],
      ['cat', false, 'at-capacity'],
      ['dan', false, 'excluded'],
      ['eve', false, 'no-voice-membership'],
      ['fay', false, 'on-break'],
    ]);
    expect(decision.candidates[2]).toMatchObject({ load: 3, penalty: 0, position: 3 });
  });

  it('never offers to an agent excluded for this interaction', () => {
    expect(chosen(RoutingStrategy.LINEAR, team, { excludedUserIds: ['ann'] })).toEqual(['dan']);
    expect(chosen(RoutingStrategy.RINGALL, team, { excludedUserIds: ['ann'] })).toEqual(['dan']);
    expect(chosen(RoutingStrategy.LINEAR, team, { excludedUserIds: ['ann', 'dan'] })).toEqual([]);
  });

  it.each(Object.values(RoutingStrategy))(
    '%s decides the same whatever order the candidates come in',
    (s) => {
      const many = Array.from({ length: 12 }, (_, i) =>
        agent(`a${i}`, i + 1, { penalty: (i * 37) % 5, completedToday: i % 3, load: i % 4 }),
      );
      const shuffled = [...many].sort((a, b) => ((a.position * 7) % 12) - ((b.position * 7) % 12));
      for (let seed = 1; seed <= 20; seed++) {
        const input = { lastAssignedUserId: 'a4', random: mulberry32(seed) };
        const again = { lastAssignedUserId: 'a4', random: mulberry32(seed) };
        expect(route(s, shuffled, again)).toEqual(route(s, many, input));
      }
    },
  );

  it('refuses duplicate candidates, a random source outside [0, 1) and an unknown strategy', () => {
    expect(() => route(RoutingStrategy.LINEAR, [agent('ann', 1), agent('ann', 2)])).toThrow(RangeError);
    expect(() => route(RoutingStrategy.RANDOM, team, { random: () => 1 })).toThrow(/\[0, 1\)/);
    expect(() => route(RoutingStrategy.WRANDOM, team, { random: () => Number.NaN })).toThrow(RangeError);
    expect(() => route('FIFO' as RoutingStrategy, team)).toThrow(/Unknown routing strategy "FIFO"/);
  });
});

describe('RINGALL', () => {
  it('offers to every eligible agent, best first (penalty, then position)', () => {
    const team = [
      agent('ann', 1, { penalty: 20 }),
      agent('bob', 2, { presence: Presence.BREAK }),
      agent('cat', 3, { penalty: 5 }),
      agent('dan', 4, { penalty: 20 }),
      agent('eve', 5, { load: 3 }),
    ];
    const decision = route(RoutingStrategy.RINGALL, team);
    expect(decision.chosen).toEqual(['cat', 'ann', 'dan']);
    expect(decision.reason).toBe(
      'RINGALL: offered to all 3 eligible agents at once; the first to accept wins',
    );
  });
});

describe('LINEAR', () => {
  it('takes the eligible agent with the lowest position, whatever their penalty', () => {
    const team = [
      agent('ann', 1, { presence: Presence.OFFLINE }),
      agent('bob', 2, { penalty: 90 }),
      agent('cat', 3, { penalty: 0 }),
    ];
    const decision = route(RoutingStrategy.LINEAR, team);
    expect(decision.chosen).toEqual(['bob']);
    expect(decision.reason).toBe('LINEAR: agent bob, lowest position (2)');
  });

  it('breaks a tie in position (never expected: positions are 1..n) by penalty, then user id', () => {
    expect(chosen(RoutingStrategy.LINEAR, [agent('ann', 1, { penalty: 9 }), agent('bob', 1)])).toEqual([
      'bob',
    ]);
    expect(chosen(RoutingStrategy.LINEAR, [agent('bob', 1), agent('ann', 1)])).toEqual(['ann']);
  });
});

describe('FEWESTCALLS', () => {
  it('takes the agent with the fewest completed today', () => {
    const team = [
      agent('ann', 1, { completedToday: 4 }),
      agent('bob', 2, { completedToday: 1 }),
      agent('cat', 3, { completedToday: 0, presence: Presence.OFFLINE }),
      agent('dan', 4, { completedToday: 2 }),
    ];
    const decision = route(RoutingStrategy.FEWESTCALLS, team);
    expect(decision.chosen).toEqual(['bob']);
    expect(decision.reason).toBe(
      'FEWESTCALLS: agent bob, fewest interactions completed in this campaign today (1)',
    );
  });

  it('breaks ties by lowest penalty, then lowest position, and says so', () => {
    const byPenalty = [
      agent('ann', 1, { completedToday: 2, penalty: 30 }),
      agent('bob', 2, { completedToday: 2, penalty: 10 }),
      agent('cat', 3, { completedToday: 5, penalty: 0 }),
    ];
    const decision = route(RoutingStrategy.FEWESTCALLS, byPenalty);
    expect(decision.chosen).toEqual(['bob']);
    expect(decision.reason).toMatch(/2 agents tied, broken by lower penalty \(10 vs 30 for agent ann\)$/);

    const byPosition = [
      agent('ann', 3, { completedToday: 2, penalty: 10 }),
      agent('bob', 2, { completedToday: 2, penalty: 10 }),
      agent('cat', 1, { completedToday: 2, penalty: 20 }),
    ];
    const second = route(RoutingStrategy.FEWESTCALLS, byPosition);
    expect(second.chosen).toEqual(['bob']);
    expect(second.reason).toMatch(
      /3 agents tied, broken by equal penalty, lower position \(2 vs 3 for agent ann\)$/,
    );
  });
});

describe('LEASTRECENT', () => {
  const at = (iso: string) => new Date(iso);

  it('takes the agent whose last interaction here ended longest ago', () => {
    const team = [
      agent('ann', 1, { lastEndedAt: at('2025-06-02T10:00:00Z') }),
      agent('bob', 2, { lastEndedAt: at('2025-06-02T09:00:00Z') }),
      agent('cat', 3, { lastEndedAt: at('2025-06-01T09:00:00Z'), load: 3 }),
    ];
    const decision = route(RoutingStrategy.LEASTRECENT, team);
    expect(decision.chosen).toEqual(['bob']);
    expect(decision.reason).toBe(
      'LEASTRECENT: agent bob, last interaction in this campaign ended longest ago (2025-06-02T09:00:00.000Z)',
    );
  });

  it('puts an agent who never finished one first', () => {
    const team = [agent('ann', 1, { lastEndedAt: at('2020-01-01T00:00:00Z') }), agent('bob', 2)];
    const decision = route(RoutingStrategy.LEASTRECENT, team);
    expect(decision.chosen).toEqual(['bob']);
    expect(decision.reason).toContain('never had an interaction in this campaign end');
  });

  it('breaks ties (two who never had one, or the same instant) by penalty, then position', () => {
    expect(chosen(RoutingStrategy.LEASTRECENT, [agent('ann', 1, { penalty: 5 }), agent('bob', 2)])).toEqual([
      'bob',
    ]);
    const same = at('2025-06-02T09:00:00Z');
    expect(
      chosen(RoutingStrategy.LEASTRECENT, [
        agent('ann', 2, { lastEndedAt: same }),
        agent('bob', 1, { lastEndedAt: new Date(same) }),
      ]),
    ).toEqual(['bob']);
  });
});

describe('RANDOM', () => {
  it('is roughly uniform over the eligible agents and never picks an ineligible one', () => {
    const team = [
      agent('ann', 1, { penalty: 100 }),
      agent('bob', 2),
      agent('cat', 3),
      agent('dan', 4, { presence: Presence.OFFLINE }),
      agent('eve', 5, { completedToday: 50 }),
    ];
    const counts = tally(RoutingStrategy.RANDOM, team, 20_000);
    expect(counts.has('dan')).toBe(false);
    for (const id of ['ann', 'bob', 'cat', 'eve']) {
      expect(Math.abs(counts.get(id)! - 5_000)).toBeLessThan(300);
    }
  });

  it('maps the draw onto the agents in tie-break order and says how many it drew from', () => {
    const team = [agent('ann', 1, { penalty: 50 }), agent('bob', 2)];
    expect(chosen(RoutingStrategy.RANDOM, team, { random: () => 0 })).toEqual(['bob']);
    const decision = route(RoutingStrategy.RANDOM, team, { random: () => 0.999 });
    expect(decision.chosen).toEqual(['ann']);
    expect(decision.reason).toBe('RANDOM: agent ann, drawn uniformly from 2 eligible agents');
  });
});

describe('WRANDOM', () => {
  it('weights by 101 - penalty: penalties 0 and 50 share 101:51 over 20,000 seeded draws', () => {
    const team = [agent('ann', 1, { penalty: 50 }), agent('bob', 2, { penalty: 0 })];
    const counts = tally(RoutingStrategy.WRANDOM, team, 20_000, 2024);
    const share = counts.get('bob')! / 20_000;
    expect(Math.abs(share - 101 / 152)).toBeLessThan(0.012);
    expect(counts.get('bob')! / counts.get('ann')!).toBeGreaterThan(1.9);
    expect(counts.get('bob')! / counts.get('ann')!).toBeLessThan(2.07);
  });

  it('still gives penalty 100 a small share (weight 1) and never an ineligible agent one', () => {
    const team = [
      agent('ann', 1, { penalty: 100 }),
      agent('bob', 2, { penalty: 0 }),
      agent('cat', 3, { penalty: 0, load: 3 }),
    ];
    const counts = tally(RoutingStrategy.WRANDOM, team, 20_000, 9);
    expect(counts.has('cat')).toBe(false);
    expect(counts.get('ann')! / 20_000).toBeGreaterThan(0.005);
    expect(counts.get('ann')! / 20_000).toBeLessThan(0.015);
    expect(wrandomWeight(100)).toBe(1);
    expect(wrandomWeight(0)).toBe(101);
  });

  it('cuts [0, 1) at the weight boundaries, in tie-break order', () => {
    const team = [agent('ann', 1, { penalty: 50 }), agent('bob', 2, { penalty: 0 })];
    expect(chosen(RoutingStrategy.WRANDOM, team, { random: () => 0 })).toEqual(['bob']);
    expect(chosen(RoutingStrategy.WRANDOM, team, { random: () => 100.9 / 152 })).toEqual(['bob']);
    expect(chosen(RoutingStrategy.WRANDOM, team, { random: () => 101 / 152 })).toEqual(['ann']);
    expect(route(RoutingStrategy.WRANDOM, team, { random: () => 0.99 }).reason).toBe(
      'WRANDOM: agent ann, drawn with weight 51 (101 - penalty 50) of 152 among 2 eligible agents',
    );
  });
});

describe('RRMEMORY', () => {
  const team = () => [agent('ann', 1), agent('bob', 2), agent('cat', 3), agent('dan', 4)];

  it('starts at the lowest position with no memory', () => {
    const decision = route(RoutingStrategy.RRMEMORY, team());
    expect(decision.chosen).toEqual(['ann']);
    expect(decision.reason).toBe(
      'RRMEMORY: agent ann (position 1), the next eligible in position order from the lowest position (no previous assignment)',
    );
  });

  it('resumes after the previous agent, and goes round the team in position order', () => {
    const order: string[] = [];
    let last: string | null = 'bob';
    for (let i = 0; i < 6; i++) {
      [last] = chosen(RoutingStrategy.RRMEMORY, team(), { lastAssignedUserId: last });
      order.push(last);
    }
    expect(order).toEqual(['cat', 'dan', 'ann', 'bob', 'cat', 'dan']);
  });

  it('wraps round after the last position, and says so', () => {
    const decision = route(RoutingStrategy.RRMEMORY, team(), { lastAssignedUserId: 'dan' });
    expect(decision.chosen).toEqual(['ann']);
    expect(decision.reason).toBe(
      'RRMEMORY: agent ann (position 1), the next eligible in position order after agent dan (position 4), wrapping round to the start',
    );
  });

  it('skips ineligible agents and names them', () => {
    const t = team();
    t[2].presence = Presence.BREAK; // cat
    t[3].load = 3; // dan
    const decision = route(RoutingStrategy.RRMEMORY, t, { lastAssignedUserId: 'bob' });
    expect(decision.chosen).toEqual(['ann']);
    expect(decision.reason).toMatch(/wrapping round to the start; skipped cat on-break, dan at-capacity$/);
  });

  it('gives the previous agent another if nobody else is eligible', () => {
    const t = team().map((a) => (a.userId === 'bob' ? a : { ...a, presence: Presence.OFFLINE }));
    const decision = route(RoutingStrategy.RRMEMORY, t, { lastAssignedUserId: 'bob' });
    expect(decision.chosen).toEqual(['bob']);
    expect(decision.reason).toMatch(
      /after agent bob \(position 2\), round to them again; skipped cat offline, dan offline, ann offline$/,
    );
    expect(route(RoutingStrategy.RINGALL, t).reason).toBe(
      'RINGALL: offered to the only eligible agent; the first to accept wins',
    );
  });

  it("follows the previous agent's current position after a reorder", () => {
    const t = [agent('ann', 1), agent('bob', 4), agent('cat', 2), agent('dan', 3)];
    expect(chosen(RoutingStrategy.RRMEMORY, t, { lastAssignedUserId: 'cat' })).toEqual(['dan']);
  });

  it('continues from where a departed previous agent stood, positions having closed the gap', () => {
    // bob was at 2 and left: cat moved up to 2, dan to 3. cat, who followed bob, is next.
    const after = [agent('ann', 1), agent('cat', 2), agent('dan', 3)];
    const decision = route(RoutingStrategy.RRMEMORY, after, {
      lastAssignedUserId: 'bob',
      lastAssignedPosition: 2,
    });
    expect(decision.chosen).toEqual(['cat']);
    expect(decision.reason).toContain('at or after position 2, where agent bob (no longer a member) was');
    // Also when the caller passes the departed agent as a non-member candidate.
    expect(
      chosen(RoutingStrategy.RRMEMORY, [...after, agent('bob', 0, { isMember: false })], {
        lastAssignedUserId: 'bob',
        lastAssignedPosition: 2,
      }),
    ).toEqual(['cat']);
    // A departed agent from the last position: wrap round.
    expect(
      chosen(RoutingStrategy.RRMEMORY, after, { lastAssignedUserId: 'eve', lastAssignedPosition: 4 }),
    ).toEqual(['ann']);
  });

  it('starts over when the departed agent left no position', () => {
    const decision = route(RoutingStrategy.RRMEMORY, [agent('cat', 2), agent('ann', 1)], {
      lastAssignedUserId: 'bob',
    });
    expect(decision.chosen).toEqual(['ann']);
    expect(decision.reason).toContain('their position is unknown');
  });
});
