import { describe, expect, it } from 'vitest';
import type { CandidateRecord } from './choose.js';
import { packCandidates, unpackCandidates } from './decision-record.js';

const candidates: CandidateRecord[] = [
  {
    userId: 'u1',
    eligible: true,
    load: 1,
    penalty: 0,
    position: 1,
    lastEndedAt: new Date('2026-11-30T08:00:00.123Z'),
    completedToday: 4,
  },
  {
    userId: 'u2',
    eligible: false,
    why: 'at-capacity',
    load: 2,
    penalty: 10,
    position: 2,
    lastEndedAt: null,
    completedToday: 0,
  },
];

describe('routing decision records', () => {
  it('unpacks to exactly the candidates packed, through JSON', () => {
    const stored = JSON.parse(JSON.stringify(packCandidates(candidates)));
    expect(unpackCandidates(stored)).toEqual(candidates);
  });

  it('is a fraction of the size of the objects for a large campaign', () => {
    const many = Array.from({ length: 500 }, (_, i) => ({
      ...candidates[0],
      userId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    }));
    const packed = JSON.stringify(packCandidates(many)).length;
    expect(packed).toBeLessThan(JSON.stringify(many).length / 2);
  });

  it('still reads decisions stored as objects', () => {
    const old = JSON.parse(JSON.stringify(candidates));
    expect(unpackCandidates(old)).toEqual(candidates);
  });
});
