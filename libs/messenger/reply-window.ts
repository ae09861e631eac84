// Messenger's reply windows (meta-platform.md, "Send API"): what a page may send, and how, depending on
// how long ago the customer last wrote.

export const STANDARD_WINDOW_MS = 24 * 3600 * 1000;
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * 3600 * 1000;

export type ReplyWindow =
  | { kind: 'RESPONSE'; closesAt: Date }
  | { kind: 'HUMAN_AGENT'; closesAt: Date }
  | { kind: 'CLOSED'; closedAt: Date | null };

/** The window open now: 24 h for anything, then 7 days for a person's reply, then nothing. */
export function replyWindow(lastCustomerMessageAt: Date | null, now: Date): ReplyWindow {
  if (!lastCustomerMessageAt) return { kind: 'CLOSED', closedAt: null };
  const since = lastCustomerMessageAt.getTime();
  if (now.getTime() < since + STANDARD_WINDOW_MS) {
    return { kind: 'RESPONSE', closesAt: new Date(since + STANDARD_WINDOW_MS) };
  }
  if (now.getTime() < since + HUMAN_AGENT_WINDOW_MS) {
    return { kind: 'HUMAN_AGENT', closesAt: new Date(since + HUMAN_AGENT_WINDOW_MS) };
  }
  return { kind: 'CLOSED', closedAt: new Date(since + HUMAN_AGENT_WINDOW_MS) };
}

/**
 * The Send API fields for a message sent now, or why it may not be sent: past 24 h only a person's
 * reply goes, tagged HUMAN_AGENT; past 7 days nothing does.
 */
export function sendFields(
  window: ReplyWindow,
  writtenByAPerson: boolean,
):
  | { messaging_type: 'RESPONSE' }
  | { messaging_type: 'MESSAGE_TAG'; tag: 'HUMAN_AGENT' }
  | { refused: string } {
  if (window.kind === 'RESPONSE') return { messaging_type: 'RESPONSE' };
  if (window.kind === 'HUMAN_AGENT') {
    if (writtenByAPerson) return { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
    return { refused: 'outside the 24-hour window, where only a reply written by an agent may be sent' };
  }
  return {
    refused: window.closedAt
      ? 'outside the 7-day window: the customer has not written for more than 7 days'
      : 'the customer has never written to this page',
  };
}
