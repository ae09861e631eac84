// "3 minutes ago": how long ago something happened, in words, for screens that show recent events
// (the last webhook, a token's last check).

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function count(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/**
 * How long before `now` the instant `then` was: "just now" under a minute (and for instants slightly
 * in the future: clocks differ), "3 minutes ago", "2 hours ago", "yesterday", "5 days ago", and past
 * a month the date itself ("on 2025-03-04"). An unreadable date gives "at an unknown time".
 */
export function relativeTime(then: string | Date, now: Date = new Date()): string {
  const at = typeof then === 'string' ? new Date(then) : then;
  if (Number.isNaN(at.getTime())) return 'at an unknown time';
  const elapsed = now.getTime() - at.getTime();
  if (elapsed < MINUTE) return 'just now';
  if (elapsed < HOUR) return `${count(Math.floor(elapsed / MINUTE), 'minute')} ago`;
  if (elapsed < DAY) return `${count(Math.floor(elapsed / HOUR), 'hour')} ago`;
  if (elapsed < 2 * DAY) return 'yesterday';
  if (elapsed < 31 * DAY) return `${Math.floor(elapsed / DAY)} days ago`;
  return `on ${at.toISOString().slice(0, 10)}`;
}
