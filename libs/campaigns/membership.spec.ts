import { describe, expect, it } from 'vitest';
import { moveTo, positionChanges, validateMemberChange } from './membership.js';

describe('validateMemberChange', () => {
  it('accepts penalties 0..100 and positions 1..n', () => {
    expect(validateMemberChange({ penalty: 0, position: 1 }, 3)).toEqual([]);
    expect(validateMemberChange({ penalty: 100, position: 3 }, 3)).toEqual([]);
    expect(validateMemberChange({}, 0)).toEqual([]);
  });

  it.each([
    [{ penalty: -1 }, 'penalty', 'must be between 0 and 100'],
    [{ penalty: 101 }, 'penalty', 'must be between 0 and 100'],
    [{ penalty: 2.5 }, 'penalty', 'must be between 0 and 100'],
    [{ position: 0 }, 'position', 'must be between 1 and 3'],
    [{ position: 4 }, 'position', 'must be between 1 and 3'],
  ])('refuses %j', (change, field, problem) => {
    expect(validateMemberChange(change, 3)).toEqual([{ field, problem }]);
  });

  it('says so when there is only one member', () => {
    expect(validateMemberChange({ position: 2 }, 1)).toEqual([
      { field: 'position', problem: 'must be 1 (the only member)' },
    ]);
  });
});

describe('moveTo', () => {
  const order = ['a', 'b', 'c', 'd'];

  it('moves up and down, shifting the others', () => {
    expect(moveTo(order, 'd', 1)).toEqual(['d', 'a', 'b', 'c']);
    expect(moveTo(order, 'a', 3)).toEqual(['b', 'c', 'a', 'd']);
    expect(moveTo(order, 'b', 4)).toEqual(['a', 'c', 'd', 'b']);
    expect(moveTo(order, 'c', 3)).toEqual(order);
  });

  it('clamps to the ends', () => {
    expect(moveTo(order, 'b', 0)).toEqual(['b', 'a', 'c', 'd']);
    expect(moveTo(order, 'b', 99)).toEqual(['a', 'c', 'd', 'b']);
  });
});

describe('positionChanges', () => {
  it('renumbers 1..n and lists only what changed', () => {
    const a = { id: 'a', position: 1 };
    const b = { id: 'b', position: 3 };
    const c = { id: 'c', position: 7 };
    expect(positionChanges([a, b, c])).toEqual([
      { item: b, position: 2 },
      { item: c, position: 3 },
    ]);
    expect(positionChanges([{ position: 1 }, { position: 2 }])).toEqual([]);
  });
});
