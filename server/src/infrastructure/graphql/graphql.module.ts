import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Logger, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { GraphQLFormattedError } from 'graphql';
import { AuthModule } from '../../auth/auth.module.js';
import { SocketSessions, type WsConnectContext } from '../../auth/socket-sessions.service.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DateTimeScalar } from './date-time.scalar.js';
import { limitsRule, parseOptions } from './limits.js';
import { describeRequestError } from './request-errors.js';
import { schemaExposurePlugin } from './schema-exposure.js';
import { describeRootTypes } from './schema-docs.js';
import { SocketPayloadLimit, socketLimits } from './socket-limits.js';

/** What a resolver sees as its context, on HTTP and on graphql-ws alike. */
interface WsContextArgs {
  extra?: WsConnectContext['extra'];
  req?: unknown;
}

const errorLogger = new Logger('GraphQL');

/** Internal errors keep their code but never their message or stack. */
export function formatError(described: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const formatted = describeRequestError(described, error);
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
      inject: [APP_CONFIG, SocketSessions],
      useFactory: (config: AppConfig, sockets: SocketSessions): ApolloDriverConfig => ({
        path: '/graphql',
        autoSchemaFile: config.schemaFile ?? true,
        sortSchema: true,
        buildSchemaOptions: { scalarsMap: [{ type: Date, scalar: DateTimeScalar }] },
        transformSchema: describeRootTypes,
        transformAutoSchemaFile: true,
        introspection: true,
        graphiql: config.env !== 'production',
        includeStacktraceInErrorResponses: false,
        // The same limits as graphql-ws (socketLimits); Apollo checks each document once, then caches it.
        validationRules: [limitsRule],
        parseOptions,
        // No HTTP caching of GraphQL answers here, so skip cache-control's work on every field.
        plugins: [
          schemaExposurePlugin(config.env === 'production'),
          ApolloServerPluginCacheControlDisabled(),
        ],
        formatError,
        // Compact JSON: Apollo indents answers by default, which costs CPU and bytes on big lists.
        stringifyResult: (value: unknown) => JSON.stringify(value),
        subscriptions: {
          'graphql-ws': {
            path: '/graphql',
            onConnect: (ctx: unknown) => sockets.connect(ctx as unknown as WsConnectContext),
            onClose: (ctx: unknown) => sockets.disconnect(ctx as unknown as WsConnectContext),
            ...socketLimits,
          } as never,
        },
        // graphql-ws contexts carry the principal found in onConnect as a request-like object,
        // so guards and decorators read `req.user` the same way on both transports.
        context: (args: WsContextArgs) =>
          args.extra ? { req: { user: args.extra.principal, headers: {} } } : { req: args.req },
      }),
    }),
  ],
  providers: [SocketPayloadLimit],
})
export class GraphqlModule {}
