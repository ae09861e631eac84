/**
 * The one domain exception. Services throw it with a code; the GraphQL layer maps it in one place
 * (`graphql-errors.ts`), and HTTP controllers map it to a status (`HTTP_STATUS_BY_CODE`).
 */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  RATE_LIMITED = 'RATE_LIMITED',
  /** HTTP only (POST /uploads): the body is larger than allowed. */
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  /** HTTP only (POST /uploads): a kind of content Parley does not take. */
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  FACEBOOK_ERROR = 'FACEBOOK_ERROR',
  /** A service Parley depends on (Redis) is briefly unreachable; the same call can be retried. */
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: 415,
  [ErrorCode.FACEBOOK_ERROR]: 502,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
  [ErrorCode.INTERNAL_SERVER_ERROR]: 500,
};

export class ParleyError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra machine-readable details, e.g. `{ field: 'username' }` or `{ retryAfterSeconds: 60 }`. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ParleyError';
  }

  /** Bad input on one field: the message starts with the field's name so people see what to fix. */
  static badInput(field: string, problem: string): ParleyError {
    return ParleyError.invalid([{ field, problem }]);
  }

  /**
   * Several bad fields at once: the message lists each as `field: problem` (the first field leads),
   * `extensions.field` names the first and `extensions.problems` carries all of them for forms.
   */
  static invalid(problems: readonly { field: string; problem: string }[]): ParleyError {
    return new ParleyError(
      ErrorCode.BAD_USER_INPUT,
      problems.map((p) => `${p.field}: ${p.problem}`).join('; '),
      {
        field: problems[0]?.field,
        problems,
      },
    );
  }

  static notFound(what: string, id: string): ParleyError {
    return new ParleyError(ErrorCode.NOT_FOUND, `${what} ${id} does not exist`, { id });
  }

  static forbidden(message = 'You are not allowed to do this'): ParleyError {
    return new ParleyError(ErrorCode.FORBIDDEN, message);
  }

  static serviceUnavailable(
    message = 'Parley cannot reach one of its services (Redis) right now; try again in a few seconds',
  ): ParleyError {
    return new ParleyError(ErrorCode.SERVICE_UNAVAILABLE, message, { retryAfterSeconds: 5 });
  }

  static unauthenticated(message = 'Sign in first: send a valid access token or API key'): ParleyError {
    return new ParleyError(ErrorCode.UNAUTHENTICATED, message);
  }
}
