import { describe, expect, it } from 'vitest';
import { declinedPermissionsMessage, pageTokenProblem, type TokenFacts } from './page-token.js';

const good: TokenFacts = {
  isValid: true,
  type: 'PAGE',
  appId: '42',
  profileId: '1001',
  scopes: ['pages_messaging', 'pages_manage_metadata', 'pages_show_list'],
  error: null,
};
const expected = { pageId: '1001', appId: '42' };
const describeError = (code: number | null, subcode: number | null) => `error ${code}/${subcode}`;

describe('pageTokenProblem', () => {
  it('accepts a valid page token of this app for this page', () => {
    expect(pageTokenProblem(good, expected, describeError)).toBeNull();
  });

  it("reports an invalid token with Facebook's codes", () => {
    expect(
      pageTokenProblem(
        { ...good, isValid: false, error: { code: 190, subcode: 463, message: 'expired' } },
        expected,
        describeError,
      ),
    ).toEqual({ kind: 'invalid', code: 190, subcode: 463, reason: 'error 190/463' });
    expect(pageTokenProblem({ ...good, isValid: false }, expected, describeError)).toMatchObject({
      code: 190,
    });
  });

  it('names what is wrong with a valid token Parley cannot use', () => {
    expect(pageTokenProblem({ ...good, type: 'USER' }, expected, describeError)?.reason).toBe(
      'the token is a USER token, not a page access token',
    );
    expect(pageTokenProblem({ ...good, appId: '7' }, expected, describeError)?.reason).toMatch(/Meta app 7/);
    expect(pageTokenProblem({ ...good, profileId: '9' }, expected, describeError)?.reason).toBe(
      'the token belongs to page 9, not to page 1001',
    );
    expect(pageTokenProblem({ ...good, scopes: ['pages_show_list'] }, expected, describeError)?.reason).toBe(
      'the token lacks the permission pages_messaging and pages_manage_metadata',
    );
  });
});

describe('declinedPermissionsMessage', () => {
  it('names each declined permission and what it is for', () => {
    expect(declinedPermissionsMessage(['pages_messaging'])).toBe(
      "You declined pages_messaging; Parley needs it to receive and answer the page's Messenger conversations. Activate again and allow it.",
    );
    expect(declinedPermissionsMessage(['pages_messaging', 'pages_show_list'])).toMatch(
      /pages_messaging; .*You also declined pages_show_list; .*allow them\.$/,
    );
  });
});
