import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { GRAPHQL_LIMITS, PARSE_FAILED, parseWithLimits, validateWithLimits } from './limits.js';
import { describeSocketResult } from './request-errors.js';

/**
 * graphql-ws options that give sockets the HTTP rules: the same token limit and validation
 * (limits included), errors with their codes, and input errors with their problems. A syntax
 * error is answered as an error message; thrown from `parse` it would close the socket (4500).
 */
export const socketLimits = {
  parse: parseWithLimits,
  validate: validateWithLimits,
  onSubscribe: (_ctx: unknown, _id: string, payload: { query: string }) => {
    try {
      parseWithLimits(payload.query);
      return undefined;
    } catch (error) {
      return [
        error instanceof GraphQLError
          ? error
          : new GraphQLError(String(error), { extensions: { code: PARSE_FAILED } }),
      ];
    }
  },
  onNext: (_ctx: unknown, _id: string, _payload: unknown, _args: unknown, result: ExecutionResult) =>
    describeSocketResult(result),
};

/**
 * Caps graphql-ws messages (ws accepts 100 MiB by default). Nest creates the WebSocketServer without
 * options, so the cap is set on it once it exists; ws reads `maxPayload` for each new connection.
 */
@Injectable()
export class SocketPayloadLimit implements OnApplicationBootstrap {
  private readonly logger = new Logger('GraphQL');

  constructor(private readonly modules: ModuleRef) {}

  onApplicationBootstrap() {
    const graphql = this.modules.get(GraphQLModule, { strict: false });
    const adapter = graphql?.graphQlAdapter as
      { _subscriptionService?: { wss?: { options: { maxPayload?: number } } } } | undefined;
    const server = adapter?._subscriptionService?.wss;
    if (!server) {
      this.logger.error('graphql-ws server not found: socket messages are not size-limited');
      return;
    }
    server.options.maxPayload = GRAPHQL_LIMITS.maxSocketPayloadBytes;
  }
}
