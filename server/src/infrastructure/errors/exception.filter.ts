import { ArgumentsHost, Catch, HttpException, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';
import { isRedisUnavailable } from '../redis/redis-unavailable.js';
import { HTTP_STATUS_BY_CODE, ParleyError } from './parley-error.js';
import { isInternal, toGraphQLError } from './graphql-errors.js';

/**
 * Catches everything. GraphQL resolvers get a GraphQLError with `extensions.code`; HTTP routes get
 * a JSON `{ code, message }` with the matching status. Internal errors are logged, never shown.
 */
@Catch()
export class ParleyExceptionFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('Errors');

  override catch(exception: unknown, host: ArgumentsHost) {
    if ((host.getType() as string) === 'graphql') {
      const error = toGraphQLError(exception);
      if (isInternal(error))
        this.logger.error(exception instanceof Error ? exception.stack : String(exception));
      return error;
    }
    if (isRedisUnavailable(exception)) exception = ParleyError.serviceUnavailable();
    if (exception instanceof ParleyError) {
      const response = host.switchToHttp().getResponse<Response>();
      response
        .status(HTTP_STATUS_BY_CODE[exception.code])
        .json({ code: exception.code, message: exception.message, ...exception.details });
      return;
    }
    if (!(exception instanceof HttpException)) {
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    }
    return super.catch(exception, host);
  }
}
