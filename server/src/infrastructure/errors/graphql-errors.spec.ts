import { BadRequestException, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { toGraphQLError } from './graphql-errors.js';
import { ErrorCode, ParleyError } from './parley-error.js';

describe('toGraphQLError', () => {
  it('keeps a ParleyError code, message and details', () => {
    const error = toGraphQLError(ParleyError.badInput('name', 'must not be empty'));
    expect(error.message).toBe('name: must not be empty');
    expect(error.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'name',
      problems: [{ field: 'name', problem: 'must not be empty' }],
    });
  });

  it('maps Nest HTTP exceptions from guards and pipes, with readable words', () => {
    expect(toGraphQLError(new UnauthorizedException()).extensions.code).toBe(ErrorCode.UNAUTHENTICATED);
    expect(toGraphQLError(new UnauthorizedException()).message).toMatch(/Sign in first/);
    expect(toGraphQLError(new ForbiddenException()).message).toBe('You are not allowed to do this');
    expect(toGraphQLError(new BadRequestException(['a is bad', 'b is bad'])).message).toBe(
      'a is bad; b is bad',
    );
  });

  it('hides anything unexpected behind INTERNAL_SERVER_ERROR', () => {
    const error = toGraphQLError(new Error('ER_ACCESS_DENIED for root@10.0.0.1'));
    expect(error.message).toBe('Internal server error');
    expect(error.extensions.code).toBe('INTERNAL_SERVER_ERROR');
  });
});
