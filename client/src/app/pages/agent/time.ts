const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A running timer: "0:07", "12:34", "1:02:03". Negative counts as zero. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / SECOND));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const ss = String(seconds).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}` : `${minutes}:${ss}`;
}

/** A span in the two largest units people read at a glance: "45 s", "12 min", "23 h 12 min", "5 d 3 h". */
export function span(ms: number): string {
  const value = Math.max(0, ms);
  if (value < MINUTE) return `${Math.ceil(value / SECOND)} s`;
  if (value < HOUR) return `${Math.floor(value / MINUTE)} min`;
  if (value < DAY) {
    const minutes = Math.floor((value % HOUR) / MINUTE);
    return `${Math.floor(value / HOUR)} h${minutes ? ` ${minutes} min` : ''}`;
  }
  const hours = Math.floor((value % DAY) / HOUR);
  return `${Math.floor(value / DAY)} d${hours ? ` ${hours} h` : ''}`;
}

/** Where a reply stands against Messenger's windows, from the 24-hour window's end. */
export type ReplyWindow =
  | { kind: 'standard'; left: number }
  | { kind: 'human-agent'; left: number }
  | { kind: 'closed' }
  | { kind: 'none' };

/** Replies are RESPONSE for 24 h after the customer's last message, HUMAN_AGENT until 7 days, then refused. */
export function replyWindow(windowExpiresAt: string | null, now: Date): ReplyWindow {
  if (!windowExpiresAt) return { kind: 'none' };
  const standardEnd = Date.parse(windowExpiresAt);
  const humanAgentEnd = standardEnd + 6 * DAY;
  const at = now.getTime();
  if (at < standardEnd) return { kind: 'standard', left: standardEnd - at };
  if (at < humanAgentEnd) return { kind: 'human-agent', left: humanAgentEnd - at };
  return { kind: 'closed' };
}

/** Midnight of today in the browser's zone: "today" for the agent's history. */
export function startOfToday(now = new Date()): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}

/** "14:05" today, "Mon 14:05" this week, "12 Mar 14:05" otherwise. */
export function when(iso: string, now = new Date()): string {
  const date = new Date(iso);
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (date >= startOfToday(now)) return time;
  if (now.getTime() - date.getTime() < 6 * DAY) {
    return `${date.toLocaleDateString([], { weekday: 'short' })} ${time}`;
  }
  return `${date.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${time}`;
}
