import { describe, expect, it } from 'vitest';
import { relativeTime } from './relative-time.js';

const now = new Date('2025-06-10T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

describe('relativeTime', () => {
  it.each([
    [0, 'just now'],
    [59_000, 'just now'],
    [-30_000, 'just now'],
    [60_000, '1 minute ago'],
    [3 * 60_000 + 5_000, '3 minutes ago'],
    [60 * 60_000, '1 hour ago'],
    [5 * 60 * 60_000, '5 hours ago'],
    [30 * 60 * 60_000, 'yesterday'],
    [3 * 24 * 60 * 60_000, '3 days ago'],
    [40 * 24 * 60 * 60_000, 'on 2025-05-01'],
  ])('%i ms ago reads "%s"', (ms, words) => {
    expect(relativeTime(ago(ms), now)).toBe(words);
  });

  it('says so when the date cannot be read', () => {
    expect(relativeTime('not a date', now)).toBe('at an unknown time');
  });
});
