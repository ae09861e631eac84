import { parseValue } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DateTimeScalar } from './date-time.scalar.js';

describe('DateTime', () => {
  it('reads RFC 3339 with any offset and answers in UTC', () => {
    const date = DateTimeScalar.parseValue('2026-03-30T09:00:00+02:00');
    expect(DateTimeScalar.serialize(date)).toBe('2026-03-30T07:00:00.000Z');
    expect(DateTimeScalar.parseLiteral(parseValue('"2026-03-30T07:00:00.5Z"'))).toEqual(
      new Date('2026-03-30T07:00:00.500Z'),
    );
  });

  it('refuses what is not an instant instead of storing an Invalid Date', () => {
    for (const bad of [
      'yesterday',
      '2026-03-30',
      '2026-02-30T10:00:00Z',
      '2026-03-30T25:00:00Z',
      1_700_000_000,
    ]) {
      expect(() => DateTimeScalar.parseValue(bad)).toThrow(/RFC 3339/);
    }
    expect(() => DateTimeScalar.parseLiteral(parseValue('42'))).toThrow(/got 42/);
  });
});
