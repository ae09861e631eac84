import { describe, expect, it } from 'vitest';
import { Weekday } from '../shared/campaigns.js';
import {
  DEFAULT_SCHEDULE,
  isOpen,
  isValidTimeZone,
  MAX_SCHEDULE_RANGES,
  normalizeTimeZone,
  openedAt,
  openIntervals,
  parseTime,
  type ScheduleRange,
  validateSchedule,
} from './schedule.js';

const { MON, TUE, WED, THU, FRI, SAT, SUN } = Weekday;
const WEEKDAYS = [MON, TUE, WED, THU, FRI];
const at = (iso: string) => new Date(iso);
const range = (days: Weekday[], from: string, to: string): ScheduleRange => ({ days, from, to });

describe('parseTime', () => {
  it.each([
    ['00:00', 0],
    ['09:30', 570],
    ['23:59', 1439],
    ['24:00', 1440],
  ])('reads %s as %i minutes', (value, minutes) => {
    expect(parseTime(value)).toBe(minutes);
  });

  it.each(['25:00', '24:01', '9:00', '12:60', '12:5', '', '12:00:00', 'noon', ' 09:00'])(
    'refuses %j',
    (value) => {
      expect(parseTime(value)).toBeNull();
    },
  );
});

describe('validateSchedule', () => {
  it('accepts the default schedule, an empty one and a range ending at 24:00', () => {
    expect(validateSchedule(DEFAULT_SCHEDULE)).toEqual([]);
    expect(validateSchedule([])).toEqual([]);
    expect(validateSchedule([range([SAT], '20:00', '24:00')])).toEqual([]);
  });

  it('names the range and the field of each problem', () => {
    const problems = validateSchedule([
      range(WEEKDAYS, '09:00', '18:00'),
      range([SAT], '25:00', '12:00'),
      range([SUN], '14:00', '10:00'),
      range([], '10:00', '11:00'),
    ]);
    expect(problems).toEqual([
      { field: 'schedule[1].from', problem: '"25:00" is not a time between 00:00 and 23:59' },
      { field: 'schedule[2].to', problem: 'must be after from (14:00); use two ranges to cross midnight' },
      { field: 'schedule[3].days', problem: 'must list at least one day' },
    ]);
  });

  it('refuses an empty range, 24:00 as a start, a bad end and an unknown day', () => {
    expect(validateSchedule([range([MON], '10:00', '10:00')])[0].field).toBe('schedule[0].to');
    expect(validateSchedule([range([MON], '24:00', '24:00')])).toEqual([
      { field: 'schedule[0].from', problem: '"24:00" is not a time between 00:00 and 23:59' },
    ]);
    expect(validateSchedule([range([MON], '10:00', '7pm')])).toEqual([
      { field: 'schedule[0].to', problem: '"7pm" is not a time between 00:00 and 24:00' },
    ]);
    expect(validateSchedule([range(['FUNDAY' as Weekday], '10:00', '11:00')])[0]).toMatchObject({
      field: 'schedule[0].days',
    });
  });

  it('refuses more ranges than a week needs', () => {
    const many = Array.from({ length: MAX_SCHEDULE_RANGES + 1 }, () => range([MON], '09:00', '10:00'));
    expect(validateSchedule(many)).toEqual([{ field: 'schedule', problem: 'must have at most 50 ranges' }]);
  });
});

describe('time zones', () => {
  it('knows IANA zones and nothing else', () => {
    for (const zone of ['Europe/Madrid', 'America/Montevideo', 'UTC', 'Etc/GMT+3'])
      expect(isValidTimeZone(zone)).toBe(true);
    for (const zone of ['Mars/Base', '', '+03:00', 'GMT+3', 'Europe/Madri'])
      expect(isValidTimeZone(zone)).toBe(false);
  });

  it('fixes only the letter case of a zone', () => {
    expect(normalizeTimeZone('europe/madrid')).toBe('Europe/Madrid');
    expect(normalizeTimeZone('America/Montevideo')).toBe('America/Montevideo');
    expect(normalizeTimeZone('Mars/Base')).toBe('Mars/Base');
  });
});

describe('openIntervals', () => {
  it('merges overlapping and touching ranges of the same day', () => {
    const schedule = [
      range([MON], '14:00', '18:00'),
      range([MON, TUE], '09:00', '12:00'),
      range([MON], '11:00', '13:00'),
      range([MON], '13:00', '14:00'),
      range([MON], '20:00', '21:00'),
    ];
    expect(openIntervals(schedule, MON)).toEqual([
      { from: 540, to: 1080 },
      { from: 1200, to: 1260 },
    ]);
    expect(openIntervals(schedule, TUE)).toEqual([{ from: 540, to: 720 }]);
    expect(openIntervals(schedule, WED)).toEqual([]);
  });
});

describe('isOpen', () => {
  describe('America/Montevideo (UTC-3 all year, no daylight saving)', () => {
    const zone = 'America/Montevideo';

    it('opens exactly at from and closes exactly at to', () => {
      // Monday 2026-03-30: 09:00 local is 12:00Z, 18:00 local is 21:00Z.
      expect(isOpen(DEFAULT_SCHEDULE, zone, at('2026-03-30T11:59:59.999Z'))).toBe(false);
      expect(isOpen(DEFAULT_SCHEDULE, zone, at('2026-03-30T12:00:00.000Z'))).toBe(true);
      expect(isOpen(DEFAULT_SCHEDULE, zone, at('2026-03-30T20:59:59.999Z'))).toBe(true);
      expect(isOpen(DEFAULT_SCHEDULE, zone, at('2026-03-30T21:00:00.000Z'))).toBe(false);
    });

    it('keeps the same offset in winter and on the days Madrid changes', () => {
      expect(isOpen(DEFAULT_SCHEDULE, zone, at('2026-07-06T12:00:00Z'))).toBe(true);
      expect(isOpen(DEFAULT_SCHEDULE, zone, at('2026-07-06T11:59:00Z'))).toBe(false);
      // Sunday 2026-03-29 in Montevideo: closed all day under MON-FRI.
      expect(isOpen(DEFAULT_SCHEDULE, zone, at('2026-03-29T15:00:00Z'))).toBe(false);
    });

    it('reads the weekday in the zone, not in UTC', () => {
      // 2026-03-28T01:00Z is Saturday in UTC but Friday 22:00 in Montevideo.
      const evenings = [range([FRI], '20:00', '24:00')];
      expect(isOpen(evenings, zone, at('2026-03-28T01:00:00Z'))).toBe(true);
      expect(isOpen(evenings, zone, at('2026-03-28T03:00:00Z'))).toBe(false);
    });
  });

  describe('Europe/Madrid (daylight saving)', () => {
    const zone = 'Europe/Madrid';

    it('follows the offset before and after the spring change', () => {
      // Friday 2026-03-27 is CET (UTC+1): 09:00 local is 08:00Z.
      expect(isOpen(DEFAULT_SCHEDULE, zone, at('2026-03-27T07:59:59Z'))).toBe(false);
      expect(isOpen(DEFAULT_SCHEDULE, zone, at('2026-03-27T08:00:00Z'))).toBe(true);
      expect(isOpen(DEFAULT_SCHEDULE, zone, at('2026-03-27T16:59:59Z'))).toBe(true);
      expect(isOpen(DEFAULT_SCHEDULE, zone, at('2026-03-27T17:00:00Z'))).toBe(false);
      // Monday 2026-03-30 is CEST (UTC+2): 09:00 local is 07:00Z, 18:00 local is 16:00Z.
      expect(isOpen(DEFAULT_SCHEDULE, zone, at('2026-03-30T06:59:59Z'))).toBe(false);
      expect(isOpen(DEFAULT_SCHEDULE, zone, at('2026-03-30T07:00:00Z'))).toBe(true);
      expect(isOpen(DEFAULT_SCHEDULE, zone, at('2026-03-30T15:59:59Z'))).toBe(true);
      expect(isOpen(DEFAULT_SCHEDULE, zone, at('2026-03-30T16:00:00Z'))).toBe(false);
    });

    it('on the spring-forward day (2026-03-29) the skipped hour is never open', () => {
      // At 01:00Z clocks jump from 02:00 CET to 03:00 CEST.
      const early = [range([SUN], '01:00', '03:00')];
      expect(isOpen(early, zone, at('2026-03-28T23:59:59Z'))).toBe(false); // 00:59 CET
      expect(isOpen(early, zone, at('2026-03-29T00:00:00Z'))).toBe(true); // 01:00 CET
      expect(isOpen(early, zone, at('2026-03-29T00:59:59Z'))).toBe(true); // 01:59 CET
      expect(isOpen(early, zone, at('2026-03-29T01:00:00Z'))).toBe(false); // 03:00 CEST
      const skipped = [range([SUN], '02:00', '03:00')];
      for (const iso of ['2026-03-29T00:59:59Z', '2026-03-29T01:00:00Z', '2026-03-29T01:30:00Z']) {
        expect(isOpen(skipped, zone, at(iso))).toBe(false);
      }
      const day = [range([SUN], '09:00', '18:00')];
      expect(isOpen(day, zone, at('2026-03-29T06:59:59Z'))).toBe(false);
      expect(isOpen(day, zone, at('2026-03-29T07:00:00Z'))).toBe(true); // 09:00 CEST
    });

    it('on the fall-back day (2026-10-25) the repeated hour is open both times', () => {
      // At 01:00Z clocks go back from 03:00 CEST to 02:00 CET.
      const repeated = [range([SUN], '02:00', '03:00')];
      expect(isOpen(repeated, zone, at('2026-10-24T23:59:59Z'))).toBe(false); // 01:59 CEST
      expect(isOpen(repeated, zone, at('2026-10-25T00:00:00Z'))).toBe(true); // 02:00 CEST
      expect(isOpen(repeated, zone, at('2026-10-25T00:59:59Z'))).toBe(true); // 02:59 CEST
      expect(isOpen(repeated, zone, at('2026-10-25T01:00:00Z'))).toBe(true); // 02:00 CET
      expect(isOpen(repeated, zone, at('2026-10-25T01:59:59Z'))).toBe(true); // 02:59 CET
      expect(isOpen(repeated, zone, at('2026-10-25T02:00:00Z'))).toBe(false); // 03:00 CET
      const day = [range([SUN], '09:00', '18:00')];
      expect(isOpen(day, zone, at('2026-10-25T07:59:59Z'))).toBe(false);
      expect(isOpen(day, zone, at('2026-10-25T08:00:00Z'))).toBe(true); // 09:00 CET
      expect(isOpen(day, zone, at('2026-10-25T17:00:00Z'))).toBe(false); // 18:00 CET
    });
  });

  it('is never open with an empty schedule', () => {
    for (const iso of ['2026-03-30T12:00:00Z', '2026-10-25T01:30:00Z', '2026-01-01T00:00:00Z']) {
      expect(isOpen([], 'UTC', at(iso))).toBe(false);
    }
  });

  it('is open in any of several ranges and closed between them', () => {
    const split = [
      range(WEEKDAYS, '09:00', '12:00'),
      range(WEEKDAYS, '14:00', '18:00'),
      range([SAT], '10:00', '13:00'),
    ];
    expect(isOpen(split, 'UTC', at('2026-03-30T10:00:00Z'))).toBe(true);
    expect(isOpen(split, 'UTC', at('2026-03-30T12:00:00Z'))).toBe(false);
    expect(isOpen(split, 'UTC', at('2026-03-30T13:59:59Z'))).toBe(false);
    expect(isOpen(split, 'UTC', at('2026-03-30T14:00:00Z'))).toBe(true);
    expect(isOpen(split, 'UTC', at('2026-04-04T12:59:00Z'))).toBe(true); // Saturday
    expect(isOpen(split, 'UTC', at('2026-04-05T12:00:00Z'))).toBe(false); // Sunday
  });

  it('merges overlapping ranges: open across the overlap and up to the later end', () => {
    const overlapping = [
      range([MON], '09:00', '13:00'),
      range([MON], '12:00', '15:00'),
      range([MON], '10:00', '11:00'),
    ];
    expect(isOpen(overlapping, 'UTC', at('2026-03-30T12:30:00Z'))).toBe(true);
    expect(isOpen(overlapping, 'UTC', at('2026-03-30T14:59:59Z'))).toBe(true);
    expect(isOpen(overlapping, 'UTC', at('2026-03-30T15:00:00Z'))).toBe(false);
  });

  it('runs a range to 24:00 up to midnight and not past it', () => {
    const lateSaturday = [range([SAT], '20:00', '24:00')];
    expect(isOpen(lateSaturday, 'UTC', at('2026-04-04T23:59:59Z'))).toBe(true);
    expect(isOpen(lateSaturday, 'UTC', at('2026-04-05T00:00:00Z'))).toBe(false);
  });

  it('accepts epoch milliseconds and refuses an unknown zone', () => {
    expect(isOpen(DEFAULT_SCHEDULE, 'UTC', Date.parse('2026-03-30T10:00:00Z'))).toBe(true);
    expect(() => isOpen(DEFAULT_SCHEDULE, 'Mars/Base', new Date())).toThrow(RangeError);
  });
});

describe('openedAt', () => {
  it('is the start of the open range, in the campaign zone, or null when closed', () => {
    const office = [range(WEEKDAYS, '09:00', '18:00')];
    // Monday 2026-03-02, 10:30 in Madrid (UTC+1) opened at 09:00 Madrid = 08:00 UTC.
    expect(openedAt(office, 'Europe/Madrid', at('2026-03-02T09:30:00Z'))).toEqual(at('2026-03-02T08:00:00Z'));
    expect(openedAt(office, 'Europe/Madrid', at('2026-03-02T17:30:00Z'))).toBeNull();
    expect(openedAt(office, 'Europe/Madrid', at('2026-03-01T10:00:00Z'))).toBeNull(); // Sunday
  });

  it('follows an opening back across midnight when the day before ran to 24:00', () => {
    const night = [range([MON], '22:00', '24:00'), range([TUE], '00:00', '06:00')];
    expect(openedAt(night, 'UTC', at('2026-03-03T03:00:00Z'))).toEqual(at('2026-03-02T22:00:00Z'));
    const fromMidnight = [range([TUE], '00:00', '06:00')];
    expect(openedAt(fromMidnight, 'UTC', at('2026-03-03T03:00:00Z'))).toEqual(at('2026-03-03T00:00:00Z'));
  });

  it('answers a week ago for a schedule open around the clock', () => {
    const always = [range([MON, TUE, WED, THU, FRI, SAT, SUN], '00:00', '24:00')];
    const now = at('2026-03-04T12:00:00Z');
    expect(openedAt(always, 'UTC', now)!.getTime()).toBeLessThanOrEqual(now.getTime() - 7 * 86_400_000);
  });
});
