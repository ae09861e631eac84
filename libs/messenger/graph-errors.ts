/**
 * What a Graph API error means for Parley, decided by Facebook's `code` and `error_subcode` only,
 * never by the message text (docs/facebook.md, shared meta-platform notes).
 */
export type GraphErrorKind =
  /** The token is invalid or expired (190): the campaign goes INACTIVE. */
  | 'token'
  /** A permission is missing (10, 200-299): the campaign goes INACTIVE. */
  | 'permission'
  /** Outside the 24-hour / 7-day messaging window (10/2018278, 2018065): that message fails. */
  | 'window'
  /** The person cannot be reached (551): that message fails. */
  | 'unavailable'
  /** Too many calls (4, 17, 32, 613, 80001): retry later, slower. */
  | 'rate-limit'
  /** Facebook had a passing problem, or could not be reached (1, 2, 1200, network, timeout, 5xx). */
  | 'temporary'
  /** A bad parameter (100) or anything else: retrying the same call will not help. */
  | 'bad-request';

export interface GraphErrorFacts {
  /** Facebook's `error.code`; null when no Facebook error came back (network failure, timeout, bare 5xx). */
  code: number | null;
  subcode?: number | null;
  /** The HTTP status; 0 when no answer arrived. */
  httpStatus?: number;
}

const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80001]);
const TEMPORARY_CODES = new Set([1, 2, 1200]);
const WINDOW_SUBCODES = new Set([2018278, 2018065]);

export function classifyGraphError({ code, subcode, httpStatus }: GraphErrorFacts): GraphErrorKind {
  if (code === null || code === undefined) {
    // No Facebook error body: nothing reached us, or a proxy/gateway failed in between.
    return !httpStatus || httpStatus >= 500 || httpStatus === 429 ? 'temporary' : 'bad-request';
  }
  if (subcode !== null && subcode !== undefined && WINDOW_SUBCODES.has(subcode)) return 'window';
  if (code === 190) return 'token';
  if (code === 10 || (code >= 200 && code <= 299)) return 'permission';
  if (code === 551) return 'unavailable';
  if (RATE_LIMIT_CODES.has(code)) return 'rate-limit';
  if (TEMPORARY_CODES.has(code)) return 'temporary';
  return 'bad-request';
}

/** `190/463`, or `190` without a subcode; empty when there is no code. */
export function graphErrorCodeText(code: number | null, subcode?: number | null): string {
  if (code === null || code === undefined) return '';
  return subcode ? `${code}/${subcode}` : String(code);
}

const TOKEN_SUBCODE_WORDS: Record<number, string> = {
  458: 'the app was removed from the account',
  459: 'the account must log in to Facebook to unlock it',
  460: 'the password of the account was changed',
  463: 'the page token has expired',
  464: 'the account is not confirmed',
  467: 'the page token is no longer valid',
  492: 'the person who connected the page lost their role on it',
};

/**
 * The reason in words, for tokenError and for people, e.g. "the page token has expired (Facebook
 * error 190/463)". `detail` (Facebook's own message) is added for kinds whose codes say little.
 */
export function graphErrorReason(facts: GraphErrorFacts, detail?: string): string {
  const kind = classifyGraphError(facts);
  const codes = graphErrorCodeText(facts.code, facts.subcode);
  const tail = codes ? ` (Facebook error ${codes})` : '';
  const said = detail ? `: ${detail}` : '';
  switch (kind) {
    case 'token':
      return `${(facts.subcode && TOKEN_SUBCODE_WORDS[facts.subcode]) || 'the page token is not valid any more'}${tail}`;
    case 'permission':
      return `a permission Parley needs is missing or was revoked${tail}${said}`;
    case 'window':
      return `outside the 24-hour window for replies${tail}`;
    case 'unavailable':
      return `this person isn't available right now${tail}`;
    case 'rate-limit':
      return `Facebook is limiting how fast Parley may call it; retrying later${tail}`;
    case 'temporary':
      return codes
        ? `Facebook had a temporary problem${tail}`
        : `Facebook could not be reached${facts.httpStatus ? ` (HTTP ${facts.httpStatus})` : ''}${said}`;
    case 'bad-request':
      return `Facebook refused the request${tail}${said}`;
  }
}
