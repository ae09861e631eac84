import {
  GraphQLError,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
} from 'graphql';
import { problemOfInputError } from '../errors/input-problems.js';
import { ErrorCode } from '../errors/parley-error.js';

/** Apollo's own code for a request it could not take, such as a persisted-query hash that does not match. */
export const BAD_REQUEST = 'BAD_REQUEST';

const httpStatusOf = (error: unknown): number | undefined => {
  const http = (error as { extensions?: { http?: { status?: unknown } } })?.extensions?.http;
  return typeof http?.status === 'number' ? http.status : undefined;
};

/**
 * HTTP (Apollo's formatError, before the internal-error mapping): a request error Apollo left
 * without a code (it answers it with a 4xx) is BAD_REQUEST, not an internal error; every
 * BAD_USER_INPUT lists its problems.
 */
export function describeRequestError(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const status = httpStatusOf(error);
  const uncoded = !(error instanceof GraphQLError && error.extensions?.code);
  if (uncoded && status !== undefined && status >= 400 && status < 500) {
    return { ...formatted, extensions: { ...formatted.extensions, code: BAD_REQUEST } };
  }
  if (formatted.extensions?.code === ErrorCode.BAD_USER_INPUT && !formatted.extensions.problems) {
    const problems = [problemOfInputError(formatted.message, formatted.extensions.field)];
    return { ...formatted, extensions: { ...formatted.extensions, problems } };
  }
  return formatted;
}

/**
 * graphql-ws (onNext): a result without data is a refused request, whose uncoded errors are
 * variable coercion errors (BAD_USER_INPUT, as on HTTP); every BAD_USER_INPUT lists its problems.
 * Undefined when there is nothing to change, which sends the result as it is.
 */
export function describeSocketResult(result: ExecutionResult): FormattedExecutionResult | undefined {
  if (!result.errors?.length) return undefined;
  const refused = result.data === undefined;
  const needsWork = (error: GraphQLError) =>
    (refused && !error.extensions?.code) ||
    (error.extensions?.code === ErrorCode.BAD_USER_INPUT && !error.extensions.problems);
  if (!result.errors.some(needsWork)) return undefined;
  const errors = result.errors.map((error): GraphQLFormattedError => {
    const formatted = error.toJSON();
    if (!needsWork(error)) return formatted;
    const extensions = { ...formatted.extensions, code: ErrorCode.BAD_USER_INPUT };
    return {
      ...formatted,
      extensions: { ...extensions, problems: [problemOfInputError(error.message, error.extensions?.field)] },
    };
  });
  const { errors: _raw, ...rest } = result;
  return { ...rest, errors };
}
