import { describeError, graphQLErrorsOf, hasErrorCode, inputProblemsOf, sentence } from './graphql/errors';

const FIELD_LABELS: Readonly<Record<string, string>> = {
  pageId: 'Page id',
  pageAccessToken: 'Page access token',
  campaignId: 'Campaign',
};

/** Facebook's own error number, from `extensions.facebook.code` of a FACEBOOK_ERROR. */
function facebookCode(error: unknown): number | null {
  for (const e of graphQLErrorsOf(error)) {
    if (e.extensions?.['code'] !== 'FACEBOOK_ERROR') continue;
    const facebook = e.extensions['facebook'];
    if (typeof facebook === 'object' && facebook !== null) {
      const code = (facebook as Record<string, unknown>)['code'];
      if (typeof code === 'number') return code;
    }
  }
  return null;
}

/**
 * Why a Facebook action (connect a page, check a token, disconnect) failed, as a sentence for the
 * place the person is looking: Facebook's refusal with its reason, a page already used elsewhere,
 * or the input problems by field.
 */
export function describeFacebookError(error: unknown, action: string): string {
  if (hasErrorCode(error, 'FACEBOOK_ERROR')) {
    const code = facebookCode(error);
    return `Facebook refused${code !== null ? ` (error ${code})` : ''}: ${sentence(describeError(error))}`;
  }
  if (hasErrorCode(error, 'CONFLICT')) return sentence(describeError(error));
  const problems = inputProblemsOf(error);
  if (problems.length > 0) {
    return problems
      .map(({ field, problem }) => {
        const label = field ? (FIELD_LABELS[field] ?? field) : '';
        return sentence(label ? `${label}: ${problem}` : problem);
      })
      .join(' ');
  }
  return `Could not ${action}: ${describeError(error)}`;
}
