import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Logger, Module } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { GraphQLFormattedError } from 'graphql';
import type { IncomingMessage } from 'node:http';
import { AuthModule } from '../../auth/auth.module.js';
import { SocketSessions, type WsConnectContext } from '../../auth/socket-sessions.service.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { upgradeClientAddress } from './client-address.js';
import { complexityPlugin, depthRule, validateWithLimits } from './limits.js';

/** What a resolver sees as its context, on HTTP and on graphql-ws alike. */
interface WsContextArgs {
  extra?: WsConnectContext['extra'] & { request?: IncomingMessage };
  req?: unknown;
}

const errorLogger = new Logger('GraphQL');

/** Internal errors keep their code but never their message or stack. */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (code === 'INTERNAL_SERVER_ERROR' || code === undefined) {
    const original = (error as { originalError?: unknown })?.originalError ?? error;
    errorLogger.error(original instanceof Error ? (original.stack ?? original.message) : String(original));
    return {
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
      path: formatted.path,
    };
  }
  const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
  return { ...formatted, extensions };
}

@Module({
  imports: [
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      imports: [AuthModule],
      inject: [APP_CONFIG, SocketSessions, HttpAdapterHost],
      useFactory: (
        config: AppConfig,
        sockets: SocketSessions,
        http: HttpAdapterHost,
      ): ApolloDriverConfig => ({
        path: '/graphql',
        autoSchemaFile: config.schemaFile ?? true,
        sortSchema: true,
        introspection: true,
        graphiql: config.env !== 'production',
        includeStacktraceInErrorResponses: false,
        validationRules: [depthRule],
        // No HTTP caching of GraphQL answers here, so skip cache-control's work on every field.
        plugins: [complexityPlugin(), ApolloServerPluginCacheControlDisabled()],
        formatError,
        // Compact JSON: Apollo indents answers by default, which costs CPU and bytes on big lists.
        stringifyResult: (value: unknown) => JSON.stringify(value),
        subscriptions: {
          'graphql-ws': {
            path: '/graphql',
            onConnect: (ctx: unknown) => sockets.connect(ctx as unknown as WsConnectContext),
            onClose: (ctx: unknown) => sockets.disconnect(ctx as unknown as WsConnectContext),
            validate: validateWithLimits,
          } as never,
        },
        // graphql-ws contexts carry the principal found in onConnect as a request-like object,
        // so guards and decorators read `req.user` (and sign-in `req.ip`) the same way on both transports.
        context: (args: WsContextArgs) =>
          args.extra
            ? {
                req: {
                  user: args.extra.principal,
                  headers: {},
                  ip: upgradeClientAddress(http, args.extra.request),
                },
              }
            : { req: args.req },
      }),
    }),
  ],
})
export class GraphqlModule {}
