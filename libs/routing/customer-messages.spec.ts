import { describe, expect, it } from 'vitest';
import { Weekday } from '../shared/campaigns.js';
import {
  type AfterHoursCampaign,
  afterHoursReply,
  queuePositionAnnouncement,
  waitInWords,
} from './customer-messages.js';

const at = (iso: string) => new Date(iso);
const { MON, TUE, WED, THU, FRI } = Weekday;

// Buenos Aires is UTC-3 all year: 21:00 there is midnight UTC, so a UTC "day" would be wrong.
const campaign: AfterHoursCampaign = {
  schedule: [{ days: [MON, TUE, WED, THU, FRI], from: '09:00', to: '18:00' }],
  timezone: 'America/Argentina/Buenos_Aires',
  afterHoursMessage: '  We are closed; we answer from 9:00.  ',
  enabled: true,
};
const TEXT = 'We are closed; we answer from 9:00.';

describe('afterHoursReply', () => {
  it('sends the trimmed message to a closed campaign the first time', () => {
    // Tuesday 2025-06-03 20:00 in Buenos Aires.
    expect(afterHoursReply(campaign, at('2025-06-03T23:00:00Z'), null)).toEqual({ send: true, text: TEXT });
  });

  it('sends nothing while the campaign is open, disabled, or has no message', () => {
    const noon = at('2025-06-03T15:00:00Z'); // 12:00 local
    const night = at('2025-06-03T23:00:00Z');
    expect(afterHoursReply(campaign, noon, null)).toEqual({ send: false, why: 'open' });
    expect(afterHoursReply({ ...campaign, enabled: false }, night, null)).toEqual({
      send: false,
      why: 'disabled',
    });
    for (const afterHoursMessage of [null, '', '   ']) {
      expect(afterHoursReply({ ...campaign, afterHoursMessage }, night, null)).toEqual({
        send: false,
        why: 'no-message',
      });
    }
  });

  it('sends once per local day: again only after midnight in the campaign’s zone', () => {
    const first = at('2025-06-03T23:00:00Z'); // Tue 20:00 local
    // Tue 23:30 local is already Wednesday in UTC: still the same local day.
    expect(afterHoursReply(campaign, at('2025-06-04T02:30:00Z'), first)).toEqual({
      send: false,
      why: 'sent-today',
    });
    // Wed 00:10 local: a new day, though the same UTC day as the message just above.
    const sent = at('2025-06-04T02:30:00Z');
    expect(afterHoursReply(campaign, at('2025-06-04T03:10:00Z'), first)).toEqual({ send: true, text: TEXT });
    expect(afterHoursReply(campaign, at('2025-06-04T03:10:00Z'), sent)).toEqual({ send: true, text: TEXT });
    // Sent at Tue 23:59:59 local, asked at Wed 00:00:00 local.
    expect(afterHoursReply(campaign, at('2025-06-04T03:00:00Z'), at('2025-06-04T02:59:59Z')).send).toBe(true);
  });

  it('does not send again when the last one is on a later local day than the message (clocks differ)', () => {
    expect(afterHoursReply(campaign, at('2025-06-03T23:00:00Z'), at('2025-06-04T04:00:00Z'))).toEqual({
      send: false,
      why: 'sent-today',
    });
  });

  it('throws for an unknown zone, as isOpen does', () => {
    expect(() =>
      afterHoursReply({ ...campaign, timezone: 'Mars/Olympus' }, at('2025-06-03T23:00:00Z'), null),
    ).toThrow(RangeError);
  });
});

describe('queuePositionAnnouncement', () => {
  const now = at('2025-06-03T12:00:00Z');
  const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);

  it('says the place and the estimated wait in words', () => {
    expect(
      queuePositionAnnouncement({ position: 3, averageWaitSeconds: 250, lastAnnouncedAt: null, now }),
    ).toBe('You are number 3 in line; the estimated wait is about 4 minutes.');
    expect(
      queuePositionAnnouncement({ position: 1, averageWaitSeconds: 20, lastAnnouncedAt: null, now }),
    ).toBe('You are next in line; the estimated wait is less than a minute.');
  });

  it('leaves the wait out when there is no estimate', () => {
    expect(
      queuePositionAnnouncement({ position: 2, averageWaitSeconds: null, lastAnnouncedAt: null, now }),
    ).toBe('You are number 2 in line.');
  });

  it('speaks at most once a minute', () => {
    const ask = (lastAnnouncedAt: Date) =>
      queuePositionAnnouncement({ position: 2, averageWaitSeconds: 90, lastAnnouncedAt, now });
    expect(ask(ago(59.999))).toBeNull();
    expect(ask(ago(0))).toBeNull();
    expect(ask(ago(-30))).toBeNull();
    expect(ask(ago(60))).toBe('You are number 2 in line; the estimated wait is about 2 minutes.');
  });

  it('refuses a position that is not a whole number from 1', () => {
    for (const position of [0, -1, 1.5, Number.NaN]) {
      expect(() =>
        queuePositionAnnouncement({ position, averageWaitSeconds: null, lastAnnouncedAt: null, now }),
      ).toThrow(RangeError);
    }
  });
});

describe('waitInWords', () => {
  it.each([
    [0, 'less than a minute'],
    [59, 'less than a minute'],
    [60, 'about 1 minute'],
    [89, 'about 1 minute'],
    [90, 'about 2 minutes'],
    [3569, 'about 59 minutes'],
    [3570, 'about 1 hour'],
    [9000, 'about 3 hours'],
  ])('%i seconds is %s', (seconds, words) => {
    expect(waitInWords(seconds)).toBe(words);
  });
});
