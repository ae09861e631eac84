import { describe, expect, it } from 'vitest';
import { replyWindow, sendFields } from './reply-window.js';

const HOUR = 3600 * 1000;
const wrote = new Date('2026-11-01T10:00:00Z');
const after = (hours: number) => new Date(wrote.getTime() + hours * HOUR);

describe('reply windows', () => {
  it('answers with RESPONSE inside 24 h', () => {
    const window = replyWindow(wrote, after(23.9));
    expect(window).toEqual({ kind: 'RESPONSE', closesAt: after(24) });
    expect(sendFields(window, false)).toEqual({ messaging_type: 'RESPONSE' });
  });

  it("tags a person's reply HUMAN_AGENT between 24 h and 7 days, and refuses an automatic one", () => {
    const window = replyWindow(wrote, after(72));
    expect(window).toEqual({ kind: 'HUMAN_AGENT', closesAt: after(168) });
    expect(sendFields(window, true)).toEqual({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    expect(sendFields(window, false)).toEqual({ refused: expect.stringContaining('24-hour window') });
  });

  it('refuses everything after 7 days, and to someone who never wrote', () => {
    expect(sendFields(replyWindow(wrote, after(8 * 24)), true)).toEqual({
      refused: expect.stringContaining('7-day window'),
    });
    expect(sendFields(replyWindow(null, after(1)), true)).toEqual({
      refused: 'the customer has never written to this page',
    });
  });

  it('closes at the exact boundaries', () => {
    expect(replyWindow(wrote, after(24)).kind).toBe('HUMAN_AGENT');
    expect(replyWindow(wrote, after(168)).kind).toBe('CLOSED');
  });
});
