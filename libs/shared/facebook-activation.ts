// The message the "Activate with Facebook" popup posts to the console that opened it
// (notes agreed with the server: the popup's last page sends it with window.opener.postMessage).
// Shared so that the server's popup script and the console read the same contract.

export const FACEBOOK_ACTIVATION_MESSAGE = 'parley:facebook-activation';

export const ACTIVATION_OUTCOMES = ['connected', 'declined', 'cancelled', 'no-pages', 'failed'] as const;
export type ActivationOutcome = (typeof ACTIVATION_OUTCOMES)[number];

export interface FacebookActivationMessage {
  type: typeof FACEBOOK_ACTIVATION_MESSAGE;
  campaignId: string;
  outcome: ActivationOutcome;
  /** Words for the person: "Connected to Parley Demo Bakery", "You declined pages_messaging: ...". */
  message: string;
  pageName?: string;
}

/** What the console knows of a `message` event (a MessageEvent fits). */
export interface ReceivedMessage {
  origin: string;
  data: unknown;
}

/**
 * The popup's message for this campaign, or null for anything else: another origin (only Parley's own
 * pages may speak), another kind of message (browser extensions post too), another campaign's popup,
 * or a malformed one.
 */
export function acceptActivationMessage(
  event: ReceivedMessage,
  expected: { origin: string; campaignId: string },
): FacebookActivationMessage | null {
  if (event.origin !== expected.origin) return null;
  const data = event.data;
  if (typeof data !== 'object' || data === null) return null;
  const fields = data as Record<string, unknown>;
  if (fields['type'] !== FACEBOOK_ACTIVATION_MESSAGE) return null;
  if (fields['campaignId'] !== expected.campaignId) return null;
  const outcome = fields['outcome'];
  if (typeof outcome !== 'string' || !(ACTIVATION_OUTCOMES as readonly string[]).includes(outcome))
    return null;
  const message = typeof fields['message'] === 'string' ? fields['message'].trim() : '';
  const pageName = typeof fields['pageName'] === 'string' ? fields['pageName'] : undefined;
  return {
    type: FACEBOOK_ACTIVATION_MESSAGE,
    campaignId: expected.campaignId,
    outcome: outcome as ActivationOutcome,
    message,
    ...(pageName !== undefined ? { pageName } : {}),
  };
}

/** Whether the outcome is good news (shown as a status) or a problem (shown as an alert). */
export function isActivationSuccess(outcome: ActivationOutcome): boolean {
  return outcome === 'connected';
}

/**
 * The words to show for an outcome: the popup's own words when it sent some (they name the declined
 * permission or Facebook's reason), else a sentence of our own.
 */
export function describeActivationOutcome(
  message: Pick<FacebookActivationMessage, 'outcome' | 'message' | 'pageName'>,
): string {
  if (message.message.trim() !== '') return message.message.trim();
  switch (message.outcome) {
    case 'connected':
      return message.pageName ? `Connected to ${message.pageName}.` : 'The page is connected.';
    case 'declined':
      return 'A permission Parley needs was declined, so the page was not connected. Activate again and allow everything Parley asks for.';
    case 'cancelled':
      return 'Activation was cancelled: nothing changed.';
    case 'no-pages':
      return 'That Facebook account administers no page: sign in as an administrator of the campaign\u2019s page.';
    case 'failed':
      return 'Activation failed, and Facebook gave no reason. Try again.';
  }
}
