import {
  classifyGraphError,
  type GraphErrorKind,
  graphErrorReason,
} from '@parley/libs/messenger/graph-errors.js';

/** A failed Graph API call: Facebook's error (code, subcode, fbtrace_id) or a network failure (code null). */
export class GraphError extends Error {
  readonly kind: GraphErrorKind;

  constructor(
    message: string,
    readonly code: number | null,
    readonly subcode: number | null,
    readonly httpStatus: number,
    readonly fbtraceId: string | null = null,
  ) {
    super(message);
    this.name = 'GraphError';
    this.kind = classifyGraphError({ code, subcode, httpStatus });
  }

  /** What went wrong in words, e.g. "the page token has expired (Facebook error 190/463)". */
  get reason(): string {
    return graphErrorReason(
      { code: this.code, subcode: this.subcode, httpStatus: this.httpStatus },
      this.message,
    );
  }

  /** Facebook could not be reached or had a passing problem: nothing is known about the token. */
  get isTransient(): boolean {
    return this.kind === 'temporary' || this.kind === 'rate-limit';
  }

  /** The token no longer works (or lacks a permission): the campaign must go INACTIVE. */
  get refusesToken(): boolean {
    return this.kind === 'token' || this.kind === 'permission';
  }
}
