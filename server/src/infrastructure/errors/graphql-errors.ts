import { HttpException } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import { isRedisUnavailable } from '../redis/redis-unavailable.js';
import { ErrorCode, ParleyError } from './parley-error.js';

/** Nest's HTTP exceptions (from guards and pipes) mapped to Parley codes, by status. */
const CODE_BY_HTTP_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.BAD_USER_INPUT,
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  409: ErrorCode.CONFLICT,
  429: ErrorCode.RATE_LIMITED,
};

const DEFAULT_MESSAGE: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.UNAUTHENTICATED]: 'Sign in first: send a valid access token or API key',
  [ErrorCode.FORBIDDEN]: 'You are not allowed to do this',
};

/** The single mapping from anything a resolver may throw to a GraphQL error with `extensions.code`. */
export function toGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  if (isRedisUnavailable(error)) return toGraphQLError(ParleyError.serviceUnavailable());
  if (error instanceof ParleyError) {
    return new GraphQLError(error.message, { extensions: { code: error.code, ...error.details } });
  }
  if (error instanceof HttpException) {
    const code = CODE_BY_HTTP_STATUS[error.getStatus()];
    if (code) {
      const response = error.getResponse();
      const raw =
        typeof response === 'object' && response !== null && 'message' in response
          ? (response as { message: unknown }).message
          : error.message;
      const message = Array.isArray(raw) ? raw.join('; ') : String(raw);
      // Passport's bare "Unauthorized" tells nobody anything; say what is needed instead.
      const readable = /^(Unauthorized|Forbidden)( resource)?$/i.test(message)
        ? DEFAULT_MESSAGE[code]
        : message;
      return new GraphQLError(readable ?? message, { extensions: { code } });
    }
  }
  return new GraphQLError('Internal server error', {
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    originalError: error instanceof Error ? error : undefined,
  });
}

export const isInternal = (error: GraphQLError) =>
  error.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR || error.extensions?.code === undefined;
