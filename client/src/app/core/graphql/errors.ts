import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import type { GraphQLFormattedError } from 'graphql';

export const SERVER_UNREACHABLE = 'Cannot reach the Parley server. Check the connection and try again.';
export const SESSION_ENDED = 'Your session has ended; please sign in again.';
export const ACCESS_REVOKED = 'Your access was revoked or your account deactivated; please sign in again.';

/** The error codes the server puts in `extensions.code`. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'FACEBOOK_ERROR';

/** Raised in place of Angular's status-0 HTTP error: the request never got an answer. */
export class ServerUnreachableError extends Error {
  constructor() {
    super(SERVER_UNREACHABLE);
    this.name = 'ServerUnreachableError';
  }
}

/** The GraphQL errors carried by an Apollo error, whether in a 200 or in a non-2xx body. */
export function graphQLErrorsOf(error: unknown): readonly GraphQLFormattedError[] {
  if (CombinedGraphQLErrors.is(error)) return error.errors;
  if (ServerError.is(error)) {
    try {
      const body: unknown = JSON.parse(error.bodyText);
      if (isObject(body) && Array.isArray(body['errors'])) {
        return (body['errors'] as unknown[]).filter(
          (e): e is GraphQLFormattedError => isObject(e) && typeof e['message'] === 'string',
        );
      }
    } catch {
      // Not JSON: a proxy's page, for instance.
    }
  }
  return [];
}

export function hasErrorCode(error: unknown, code: ErrorCode): boolean {
  return graphQLErrorsOf(error).some((e) => e.extensions?.['code'] === code);
}

/** A problem as a sentence: "must be between 1 and 50" -> "Must be between 1 and 50." */
export function sentence(problem: string): string {
  const text = problem.trim();
  const capitalized = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capitalized) ? capitalized : `${capitalized}.`;
}

/** One thing the server refused in the input: `field` is a path such as `schedule[1].from`, or null. */
export interface InputProblem {
  field: string | null;
  problem: string;
}

/** `schedule[1].from: must be HH:MM` -> path and problem; several may be joined with "; ". */
const FIELD_MESSAGE = /^([A-Za-z_][\w.[\]]*): (.+)$/s;

/**
 * The problems of the BAD_USER_INPUT errors in an error, each with the field it names: from
 * `extensions.problems` when the server lists them, otherwise from messages that start with the
 * field path, otherwise with `extensions.field`. Empty when the error is of another kind.
 */
export function inputProblemsOf(error: unknown): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const e of graphQLErrorsOf(error)) {
    if (e.extensions?.['code'] !== 'BAD_USER_INPUT') continue;
    const listed = e.extensions['problems'];
    if (Array.isArray(listed) && listed.length > 0 && listed.every(isFieldProblem)) {
      problems.push(...listed.map((p) => ({ field: p.field, problem: p.problem })));
      continue;
    }
    const field = e.extensions['field'];
    for (const part of e.message.split(/;\s+(?=[A-Za-z_][\w.[\]]*: )/)) {
      const match = FIELD_MESSAGE.exec(part.trim());
      if (match) problems.push({ field: match[1], problem: match[2] });
      else problems.push({ field: typeof field === 'string' ? field : null, problem: part.trim() });
    }
  }
  return problems;
}

function isFieldProblem(value: unknown): value is { field: string; problem: string } {
  return isObject(value) && typeof value['field'] === 'string' && typeof value['problem'] === 'string';
}

/** The close code of a graphql-ws socket closed by the server, from the link's error. */
export function socketCloseCode(error: unknown): number | null {
  if (isObject(error) && typeof error['code'] === 'number' && 'reason' in error) return error['code'];
  const match = error instanceof Error ? /^Socket closed with event (\d+)/.exec(error.message) : null;
  return match ? Number(match[1]) : null;
}

/** True when the request got no answer from Parley itself (network down, server stopped or restarting). */
export function isUnreachable(error: unknown): boolean {
  if (error instanceof ServerUnreachableError) return true;
  if (graphQLErrorsOf(error).length > 0) return false;
  return ServerError.is(error) && [502, 503, 504].includes(error.statusCode);
}

/** A sentence that tells a person what went wrong. Never empty. */
export function describeError(error: unknown): string {
  if (error instanceof ServerUnreachableError) return error.message;
  const graphQLErrors = graphQLErrorsOf(error);
  if (graphQLErrors.length > 0) {
    const messages = [...new Set(graphQLErrors.map((e) => e.message.trim()).filter((m) => m !== ''))];
    if (messages.length > 0) return messages.join(' ');
  }
  if (ServerError.is(error)) {
    if ([502, 503, 504].includes(error.statusCode)) return SERVER_UNREACHABLE;
    return `The Parley server answered with an error (HTTP ${error.statusCode}).`;
  }
  const closeCode = socketCloseCode(error);
  if (closeCode === 4401) return SESSION_ENDED;
  if (closeCode === 4403) return ACCESS_REVOKED;
  if (closeCode !== null) return `The live connection to the Parley server closed (code ${closeCode}).`;
  if (error instanceof Error && error.message.trim() !== '') return error.message;
  return 'Something went wrong, and the reason is unknown.';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
