/**
 * Whether a page token Facebook described (debug_token) is one Parley can use for a page: pure, so
 * connectFacebookPage, the health check and their tests agree on every rule.
 */
export interface TokenFacts {
  isValid: boolean;
  type: string | null;
  appId: string | null;
  profileId: string | null;
  scopes: string[];
  error: { code: number | null; subcode: number | null; message: string } | null;
}

/** Scopes a page token must carry: answering in Messenger, and subscribing the page to webhooks. */
export const PAGE_TOKEN_SCOPES = ['pages_messaging', 'pages_manage_metadata'] as const;

export type TokenProblem =
  | { kind: 'invalid'; reason: string; code: number | null; subcode: number | null }
  | { kind: 'not-usable'; reason: string };

/** Null when the token is a valid PAGE token of this app for this page with the scopes; else why not. */
export function pageTokenProblem(
  facts: TokenFacts,
  expected: { pageId: string; appId: string },
  describe: (code: number | null, subcode: number | null, message: string) => string,
): TokenProblem | null {
  if (!facts.isValid) {
    const code = facts.error?.code ?? 190;
    const subcode = facts.error?.subcode ?? null;
    return { kind: 'invalid', code, subcode, reason: describe(code, subcode, facts.error?.message ?? '') };
  }
  if (facts.type !== 'PAGE') {
    return {
      kind: 'not-usable',
      reason: `the token is a ${facts.type ?? 'unknown'} token, not a page access token`,
    };
  }
  if (facts.appId !== expected.appId) {
    return {
      kind: 'not-usable',
      reason: `the token was made for Meta app ${facts.appId ?? '(unknown)'}, not for Parley's app ${expected.appId}`,
    };
  }
  if (facts.profileId !== expected.pageId) {
    return {
      kind: 'not-usable',
      reason: `the token belongs to page ${facts.profileId ?? '(unknown)'}, not to page ${expected.pageId}`,
    };
  }
  const missing = PAGE_TOKEN_SCOPES.filter((scope) => !facts.scopes.includes(scope));
  if (missing.length) {
    return { kind: 'not-usable', reason: `the token lacks the permission ${missing.join(' and ')}` };
  }
  return null;
}

/** What each permission the login dialog asks for is needed for, in the words the popup uses. */
export const PERMISSION_PURPOSE: Record<string, string> = {
  pages_show_list: 'list the pages you administer so you can pick one',
  pages_messaging: "receive and answer the page's Messenger conversations",
  pages_manage_metadata: "subscribe the page to Messenger's webhooks so messages reach Parley",
  pages_read_engagement: "read the page's name and the people who write to it",
};

/** The popup's words for declined permissions, e.g. "You declined pages_messaging; Parley needs it to …". */
export function declinedPermissionsMessage(declined: readonly string[]): string {
  const parts = declined.map(
    (p) => `${p}; Parley needs it to ${PERMISSION_PURPOSE[p] ?? 'work with the page'}`,
  );
  return `You declined ${parts.join('. You also declined ')}. Activate again and allow ${declined.length > 1 ? 'them' : 'it'}.`;
}
