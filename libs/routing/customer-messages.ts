// The automatic messages a waiting customer gets (product.md section 5): the after-hours reply and the
// queue position. Both are throttled here, from timestamps the caller keeps per conversation.

import { DateTime } from 'luxon';
import { isOpen, type ScheduleRange } from '../schedule/schedule.js';

export interface AfterHoursCampaign {
  schedule: readonly ScheduleRange[];
  /** IANA zone the schedule, and "once a day", are read in. */
  timezone: string;
  afterHoursMessage: string | null;
  enabled: boolean;
}

export type AfterHoursReply =
  { send: true; text: string } | { send: false; why: 'disabled' | 'open' | 'no-message' | 'sent-today' };

/**
 * Whether a customer message arriving `at` gets the campaign's after-hours message: the campaign is
 * enabled, closed by its schedule, has a non-blank message, and this conversation has not had it yet
 * on this calendar day in the campaign's zone (`lastAfterHoursSentAt` is the conversation's last one).
 * The day is the campaign's because that is the day its schedule, and its customers' evening, follow.
 * A disabled campaign sends nothing here: it takes no chats, and what it answers is the server's call.
 * A `lastAfterHoursSentAt` on a later local day than `at` (clocks differ) also counts as sent today.
 */
export function afterHoursReply(
  campaign: AfterHoursCampaign,
  at: Date,
  lastAfterHoursSentAt: Date | null,
): AfterHoursReply {
  if (!campaign.enabled) return { send: false, why: 'disabled' };
  if (isOpen(campaign.schedule, campaign.timezone, at)) return { send: false, why: 'open' };
  const text = campaign.afterHoursMessage?.trim();
  if (!text) return { send: false, why: 'no-message' };
  if (lastAfterHoursSentAt) {
    const day = (d: Date) => DateTime.fromJSDate(d, { zone: campaign.timezone }).toISODate() ?? '';
    if (day(lastAfterHoursSentAt) >= day(at)) return { send: false, why: 'sent-today' };
  }
  return { send: true, text };
}

/** At most one queue-position message per conversation in this long. */
export const ANNOUNCEMENT_INTERVAL_MS = 60_000;

export interface AnnouncementInput {
  /** 1-based place in the campaign's queue (see `queueOrder`). */
  position: number;
  /**
   * The wait to announce, in seconds: the campaign's average wait today (queued to answered) is the
   * intended figure; null (no chat answered yet today) leaves the estimate out.
   */
  averageWaitSeconds: number | null;
  /** When this conversation was last told its position, null if never. */
  lastAnnouncedAt: Date | null;
  now: Date;
}

/**
 * The queue-position message for a waiting customer, or null when one was sent less than a minute
 * ago. Call it whenever the position may have changed; the throttle lives here so every caller gets
 * the same "at most once a minute". Example: "You are number 3 in line; the estimated wait is about 4
 * minutes." Throws a RangeError for a position that is not a whole number from 1.
 */
export function queuePositionAnnouncement(input: AnnouncementInput): string | null {
  const { position, averageWaitSeconds, lastAnnouncedAt, now } = input;
  if (!Number.isInteger(position) || position < 1) {
    throw new RangeError(`Queue position must be a whole number from 1, got ${position}`);
  }
  // A lastAnnouncedAt in the future (clocks differ) is not due either: the elapsed time is negative.
  if (lastAnnouncedAt && now.getTime() - lastAnnouncedAt.getTime() < ANNOUNCEMENT_INTERVAL_MS) return null;
  const place = position === 1 ? 'You are next in line' : `You are number ${position} in line`;
  if (averageWaitSeconds === null || !Number.isFinite(averageWaitSeconds) || averageWaitSeconds < 0) {
    return `${place}.`;
  }
  return `${place}; the estimated wait is ${waitInWords(averageWaitSeconds)}.`;
}

/** "less than a minute", "about 1 minute", "about 4 minutes", "about 2 hours": rounded, never falsely precise. */
export function waitInWords(seconds: number): string {
  if (seconds < 60) return 'less than a minute';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  return `about ${hours} hour${hours === 1 ? '' : 's'}`;
}
