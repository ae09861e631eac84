import { DateTime, IANAZone } from 'luxon';
import { ALL_WEEKDAYS, Weekday } from '../shared/campaigns.js';
import type { FieldProblem } from '../shared/validation.js';

/**
 * When a campaign is open: weekly ranges of local wall-clock time, read in the campaign's IANA zone
 * (docs/campaigns.md#schedule). `from` is inclusive and `to` exclusive; `to` may be `24:00` (end of the
 * day), so a range can run to midnight and a night shift is written as two ranges.
 */
export interface ScheduleRange {
  days: Weekday[];
  /** 24-hour `HH:MM`, 00:00 to 23:59. */
  from: string;
  /** 24-hour `HH:MM`, after `from`; 24:00 means the end of the day. */
  to: string;
}

/** A half-open interval of minutes since local midnight, [from, to). */
export interface MinuteInterval {
  from: number;
  to: number;
}

export const MINUTES_PER_DAY = 24 * 60;
/** Enough for any real week (several ranges per day); keeps a stored campaign small. */
export const MAX_SCHEDULE_RANGES = 50;

export const DEFAULT_SCHEDULE: readonly ScheduleRange[] = Object.freeze([
  { days: [Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI], from: '09:00', to: '18:00' },
]);

/** A fresh copy of the default schedule (MON-FRI 09:00-18:00), safe to modify. */
export const defaultSchedule = (): ScheduleRange[] =>
  DEFAULT_SCHEDULE.map((r) => ({ ...r, days: [...r.days] }));

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * Minutes since midnight of a 24-hour `HH:MM` (two digits each), or null when it is not one.
 * `24:00` is accepted (1440) so it can close a range at midnight; `validateSchedule` allows it in `to` only.
 */
export function parseTime(value: string): number | null {
  if (value === '24:00') return MINUTES_PER_DAY;
  const match = TIME.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** Whether the runtime's time-zone database knows this IANA zone (e.g. `Europe/Madrid`, `UTC`). */
export function isValidTimeZone(zone: string): boolean {
  if (typeof zone !== 'string' || zone.length === 0) return false;
  if (validZones.has(zone)) return true;
  // Luxon builds an Intl formatter per check: routing asks on every pass, so valid answers are kept.
  const valid = IANAZone.isValidZone(zone);
  if (valid && validZones.size < 1_000) validZones.add(zone);
  return valid;
}
const validZones = new Set<string>();

/** The zone's own spelling when only the letter case differs (`europe/madrid` -> `Europe/Madrid`). */
export function normalizeTimeZone(zone: string): string {
  if (!isValidTimeZone(zone)) return zone;
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  return resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone;
}

/** The zone this process runs in, the default for new campaigns. */
export const serverTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Every problem of a schedule, each naming its field (`schedule[1].from`). An empty schedule is valid: never open. */
export function validateSchedule(ranges: readonly ScheduleRange[], field = 'schedule'): FieldProblem[] {
  if (!Array.isArray(ranges)) return [{ field, problem: 'must be a list of ranges' }];
  if (ranges.length > MAX_SCHEDULE_RANGES) {
    return [{ field, problem: `must have at most ${MAX_SCHEDULE_RANGES} ranges` }];
  }
  const problems: FieldProblem[] = [];
  ranges.forEach((range, i) => {
    const at = `${field}[${i}]`;
    if (!Array.isArray(range?.days) || range.days.length === 0) {
      problems.push({ field: `${at}.days`, problem: 'must list at least one day' });
    } else {
      const unknown = (range.days as unknown[]).filter((d) => !ALL_WEEKDAYS.includes(d as Weekday));
      if (unknown.length) {
        problems.push({
          field: `${at}.days`,
          problem: `"${unknown[0]}" is not one of ${ALL_WEEKDAYS.join(', ')}`,
        });
      }
    }
    const from = typeof range?.from === 'string' ? parseTime(range.from) : null;
    const to = typeof range?.to === 'string' ? parseTime(range.to) : null;
    if (from === null || from === MINUTES_PER_DAY) {
      problems.push({
        field: `${at}.from`,
        problem: `"${range?.from}" is not a time between 00:00 and 23:59`,
      });
    }
    if (to === null) {
      problems.push({ field: `${at}.to`, problem: `"${range?.to}" is not a time between 00:00 and 24:00` });
    }
    if (from !== null && from !== MINUTES_PER_DAY && to !== null && to <= from) {
      problems.push({
        field: `${at}.to`,
        problem: `must be after from (${range.from}); use two ranges to cross midnight`,
      });
    }
  });
  return problems;
}

/** The open intervals of one weekday, overlapping and touching ranges merged, in order. Invalid ranges are ignored. */
export function openIntervals(schedule: readonly ScheduleRange[], day: Weekday): MinuteInterval[] {
  const intervals: MinuteInterval[] = [];
  for (const range of schedule) {
    if (!range.days.includes(day)) continue;
    const from = parseTime(range.from);
    const to = parseTime(range.to);
    if (from === null || to === null || to <= from) continue;
    intervals.push({ from, to });
  }
  intervals.sort((a, b) => a.from - b.from || a.to - b.to);
  const merged: MinuteInterval[] = [];
  for (const interval of intervals) {
    const last = merged[merged.length - 1];
    if (last && interval.from <= last.to) last.to = Math.max(last.to, interval.to);
    else merged.push({ ...interval });
  }
  return merged;
}

/**
 * Whether the schedule is open at an instant. The instant is turned into the zone's local weekday
 * and wall-clock time by luxon, so daylight-saving changes need no special case: on a spring-forward
 * day the skipped hour simply never occurs, and on a fall-back day the repeated hour is open twice.
 * Throws a RangeError for an unknown zone (campaigns are validated before they are saved).
 */
export function isOpen(
  schedule: readonly ScheduleRange[],
  timezone: string,
  instant: Date | number,
): boolean {
  if (!isValidTimeZone(timezone)) throw new RangeError(`Unknown time zone "${timezone}"`);
  const local = DateTime.fromMillis(typeof instant === 'number' ? instant : instant.getTime(), {
    zone: timezone,
  });
  if (!local.isValid) throw new RangeError(`Not a valid instant: ${String(instant)}`);
  const day = ALL_WEEKDAYS[local.weekday - 1];
  const minute = local.hour * 60 + local.minute;
  return openIntervals(schedule, day).some((i) => i.from <= minute && minute < i.to);
}

/**
 * When the open period containing `instant` began, or null when the schedule is closed then. An
 * opening that runs on from the day before (a range to 24:00 followed by one from 00:00) is
 * followed back, at most a week: a schedule open around the clock answers a week ago, which is as
 * good as "always" for anything that waits on it. Throws like `isOpen` for an unknown zone.
 */
export function openedAt(schedule: readonly ScheduleRange[], timezone: string, instant: Date): Date | null {
  if (!isOpen(schedule, timezone, instant)) return null;
  let local = DateTime.fromMillis(instant.getTime(), { zone: timezone });
  let minute = local.hour * 60 + local.minute;
  for (let daysBack = 0; daysBack <= 7; daysBack++) {
    const day = ALL_WEEKDAYS[local.weekday - 1];
    const open = openIntervals(schedule, day).find((i) => i.from <= minute && minute < i.to);
    if (!open) break;
    const start = local.startOf('day').plus({ minutes: open.from });
    if (open.from > 0 || daysBack === 7) return start.toJSDate();
    // Open since midnight: open since the day before, if that day's last range ran to 24:00.
    local = local.startOf('day').minus({ minutes: 1 });
    minute = MINUTES_PER_DAY - 1;
    const before = openIntervals(schedule, ALL_WEEKDAYS[local.weekday - 1]);
    if (!before.some((i) => i.to === MINUTES_PER_DAY)) return start.toJSDate();
  }
  return new Date(instant.getTime() - 7 * MINUTES_PER_DAY * 60_000);
}
