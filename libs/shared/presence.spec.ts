import { describe, expect, it } from 'vitest';
import { presenceChange } from './presence.js';

describe('presenceChange', () => {
  it('takes AVAILABLE and OFFLINE without a reason', () => {
    expect(presenceChange('AVAILABLE', null)).toEqual({ presence: 'AVAILABLE', breakReason: null });
    expect(presenceChange('OFFLINE', '  ')).toEqual({ presence: 'OFFLINE', breakReason: null });
  });

  it('wants a reason for a BREAK, trimmed and short', () => {
    expect(presenceChange('BREAK', ' Lunch ')).toEqual({ presence: 'BREAK', breakReason: 'Lunch' });
    expect(presenceChange('BREAK', undefined)).toEqual({
      field: 'breakReason',
      problem: 'is required for a BREAK',
    });
    expect(presenceChange('BREAK', 'x'.repeat(101))).toEqual({
      field: 'breakReason',
      problem: 'must be at most 100 characters',
    });
  });

  it('refuses a reason on anything but a BREAK', () => {
    expect(presenceChange('AVAILABLE', 'Lunch')).toEqual({
      field: 'breakReason',
      problem: 'is only for BREAK, not AVAILABLE',
    });
  });
});
