import { randomBytes } from 'node:crypto';

/** The fields of Facebook's error body besides message, code and error_subcode. */
export interface GraphErrorDetails {
  /** `OAuthException` unless given. */
  type?: string;
  error_user_title?: string;
  error_user_msg?: string;
  is_transient?: boolean;
}

/**
 * A Graph API error as Facebook reports it: HTTP 400 (also for 190) with
 * `{"error":{"message","type":"OAuthException","code","error_subcode","fbtrace_id"}}`.
 * `error_subcode` is left out when Facebook has none for that case, as Facebook does; so are
 * `error_user_title`, `error_user_msg` and `is_transient` unless given in `details`.
 */
export class GraphError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly subcode?: number,
    readonly status = 400,
    readonly details: GraphErrorDetails = {},
  ) {
    super(message);
  }

  body(): { error: Record<string, unknown> } {
    const { type = 'OAuthException', error_user_title, error_user_msg, is_transient } = this.details;
    return {
      error: {
        message: this.message,
        type,
        code: this.code,
        ...(this.subcode === undefined ? {} : { error_subcode: this.subcode }),
        ...(is_transient === undefined ? {} : { is_transient }),
        ...(error_user_title === undefined ? {} : { error_user_title }),
        ...(error_user_msg === undefined ? {} : { error_user_msg }),
        fbtrace_id: fbtraceId(),
      },
    };
  }
}

/** Facebook's trace ids are opaque 11-character strings; ours only need to look alike. */
export const fbtraceId = (): string => randomBytes(8).toString('base64url').slice(0, 11);

/** Bad input to a `/_sim/` control: answered as `{"error": message}` with the given 4xx status. */
export class ControlError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

// The errors Parley branches on, worded as Facebook words them (code and subcode are what matter).
export const graphErrors = {
  tokenExpired: (at: number, now: number) =>
    new GraphError(
      `Error validating access token: Session has expired on ${new Date(at).toUTCString()}. ` +
        `The current time is ${new Date(now).toUTCString()}.`,
      190,
      463,
    ),
  passwordChanged: () =>
    new GraphError(
      'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
      190,
      460,
    ),
  invalidToken: () => new GraphError('Invalid OAuth access token - Cannot parse access token', 190, 467),
  missingToken: () =>
    new GraphError('An active access token must be used to query information about the current user.', 2500),
  badAppToken: () => new GraphError('Invalid OAuth access token signature.', 190, 467),
  badClientSecret: () => new GraphError('Error validating client secret.', 1),
  badClientId: () => new GraphError('Error validating application. Invalid application ID.', 101),
  unknownObject: (id: string) =>
    new GraphError(
      `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      100,
      33,
    ),
  param: (message: string, subcode?: number) => new GraphError(`(#100) ${message}`, 100, subcode),
  permission: (permission: string) =>
    new GraphError(`(#230) Requires ${permission} permission to manage the object`, 230),
  permissionsError: () => new GraphError('(#200) Permissions error', 200),
  outsideWindow: () =>
    new GraphError(
      '(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview',
      10,
      2018278,
    ),
  unavailable: () => new GraphError("(#551) This person isn't available right now.", 551, 1545041),
  noSuchUser: () => new GraphError('(#100) No matching user found', 100, 2018001),
  noProfile: () => new GraphError('(#100) No profile available for this user', 100, 2018218),
  rateLimited: () => new GraphError('(#613) Calls to this api have exceeded the rate limit.', 613),
  attachmentTooLarge: () => new GraphError('(#100) Attachment size exceeds allowable limit', 100, 2018109),
};
