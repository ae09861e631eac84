import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type DynamicModule, Logger, Module, type Type } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type AccessRequest, Authenticator, credentialsFrom, type Principal } from '../access/access.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG, INSTANCE_ID } from '../config/config.module.js';
import { Transactions } from '../events/after-commit.js';
import { EventBus } from '../events/event-bus.service.js';
import { SocketClosed, SocketConnected, type SocketEvent } from '../events/socket-events.js';
import { toGraphQLError } from '../errors/graphql-errors.js';
import { ParleyError } from '../errors/parley-error.js';
import { upgradeClientAddress } from './client-address.js';
import { DateTimeScalar } from './date-time.scalar.js';
import { limitsRule, parseOptions } from './limits.js';
import { type ClosableSocket, CLOSE_UNAUTHORIZED, OpenSockets } from './open-sockets.service.js';
import { describeRequestError } from './request-errors.js';
import { ResponseCache } from './response-cache.js';
import { schemaExposurePlugin } from './schema-exposure.js';
import { describeRootTypes } from './schema-docs.js';
import { SocketPayloadLimit, socketLimits } from './socket-limits.js';

/** What graphql-ws keeps per connection. */
interface SocketExtra {
  socket: ClosableSocket;
  principal?: Principal;
  socketId?: string;
  expiryTimer?: NodeJS.Timeout;
  /** The HTTP upgrade request that opened the socket. */
  request?: IncomingMessage;
}
interface WsConnectContext {
  connectionParams?: Readonly<Record<string, unknown>>;
  extra: SocketExtra;
}

const errorLogger = new Logger('GraphQL');

/** MySQL or Redis away while checking credentials: a retryable 503, not an internal error. */
const CREDENTIALS_UNCHECKABLE = new GraphQLError(
  'Parley cannot check credentials right now (MySQL or Redis is away); try again in a few seconds',
  { extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 5, http: { status: 503 } } },
);
/** The WebSocket standard's "Try Again Later". */
const CLOSE_TRY_AGAIN_LATER = 1013;

/** Internal errors keep their code but never their message or stack. */
export function formatError(described: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const formatted = describeRequestError(parleyErrorOf(described, error), error);
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

/**
 * Field resolvers run without Nest's exception filter, so a ParleyError thrown there (a bad `last`
 * argument) arrives here bare: it keeps its code and words instead of becoming an internal error.
 */
function parleyErrorOf(described: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = (error as { originalError?: unknown })?.originalError;
  if (!(original instanceof ParleyError)) return described;
  const mapped = toGraphQLError(original);
  return { ...described, message: mapped.message, extensions: { ...mapped.extensions } };
}

function socketEvent(extra: SocketExtra, instanceId: string): SocketEvent {
  const principal = extra.principal!;
  return {
    socketId: extra.socketId!,
    instanceId,
    userId: principal.kind === 'user' ? principal.userId : null,
    apiKeyId: principal.kind === 'apiKey' ? principal.apiKeyId : null,
    role: principal.role,
    at: new Date().toISOString(),
  };
}

/**
 * GraphQL over HTTP and graphql-ws. The caller is authenticated once, when the context is built
 * (per HTTP request, per socket connection), through the Authenticator the auth module provides:
 * this floor knows no product module.
 */
@Module({})
export class GraphqlModule {
  static forRoot(options: { authenticatorModule: Type | DynamicModule }): DynamicModule {
    return {
      module: GraphqlModule,
      imports: [
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [options.authenticatorModule],
          inject: [
            APP_CONFIG,
            INSTANCE_ID,
            Authenticator,
            OpenSockets,
            Transactions,
            EventBus,
            HttpAdapterHost,
          ],
          useFactory: (
            config: AppConfig,
            instanceId: string,
            authenticator: Authenticator,
            sockets: OpenSockets,
            transactions: Transactions,
            bus: EventBus,
            http: HttpAdapterHost,
          ): ApolloDriverConfig => {
            const responses = new ResponseCache(bus);
            const publish = (event: typeof SocketConnected, extra: SocketExtra) =>
              void transactions.publishNow(event, socketEvent(extra, instanceId));

            async function onConnect(ctx: WsConnectContext): Promise<boolean> {
              let result: Awaited<ReturnType<Authenticator['authenticate']>>;
              try {
                result = await authenticator.authenticate(credentialsFrom(ctx.connectionParams));
              } catch (error) {
                errorLogger.error(`Could not check a socket's credentials: ${String(error)}`);
                ctx.extra.socket.close(
                  CLOSE_TRY_AGAIN_LATER,
                  'Credentials cannot be checked now; try again later',
                );
                return false;
              }
              if (!result?.principal) {
                ctx.extra.socket.close(
                  CLOSE_UNAUTHORIZED,
                  result
                    ? `Unauthorized: ${result.problem}`
                    : 'Unauthorized: send authorization or apiKey in connectionParams',
                );
                return false;
              }
              const principal = result.principal;
              Object.assign(ctx.extra, { principal, socketId: randomUUID() });
              sockets.add(ctx.extra.socket, principal);
              if (principal.kind === 'user' && principal.tokenExpiresAt) {
                // A socket must not outlive the token that opened it.
                const ms = principal.tokenExpiresAt * 1000 - Date.now();
                ctx.extra.expiryTimer = setTimeout(
                  () => ctx.extra.socket.close(CLOSE_UNAUTHORIZED, 'Unauthorized: access token expired'),
                  Math.min(Math.max(ms, 0), 2_147_000_000),
                );
              }
              publish(SocketConnected, ctx.extra);
              return true;
            }

            function onClose(ctx: WsConnectContext) {
              if (ctx.extra.expiryTimer) clearTimeout(ctx.extra.expiryTimer);
              sockets.remove(ctx.extra.socket);
              if (ctx.extra.socketId) publish(SocketClosed, ctx.extra);
            }

            return {
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
              plugins: [
                schemaExposurePlugin(config.env === 'production'),
                responses.plugin(),
                // No HTTP caching of GraphQL answers here, so skip cache-control's work on every field.
                ApolloServerPluginCacheControlDisabled(),
              ],
              formatError,
              // Compact JSON (Apollo indents by default), and cached answers are not serialised again.
              stringifyResult: responses.stringify,
              subscriptions: {
                'graphql-ws': {
                  path: '/graphql',
                  onConnect: (ctx: unknown) => onConnect(ctx as WsConnectContext),
                  onClose: (ctx: unknown) => onClose(ctx as WsConnectContext),
                  ...socketLimits,
                } as never,
              },
              // Both transports give resolvers and guards the same `req`, with the caller on it (and
              // the client address that sign-in limits count against).
              context: async (args: { extra?: SocketExtra; req?: AccessRequest }) => {
                if (args.extra) {
                  const ip = upgradeClientAddress(http, args.extra.request);
                  return { req: { user: args.extra.principal, headers: {}, ip } };
                }
                const req = args.req!;
                const result = await authenticator
                  .authenticate(credentialsFrom(req.headers))
                  .catch((error) => {
                    errorLogger.error(`Could not check credentials: ${String(error)}`);
                    throw CREDENTIALS_UNCHECKABLE;
                  });
                if (result?.principal) req.user = result.principal;
                else if (result) req.authProblem = result.problem;
                return { req };
              },
            };
          },
        }),
      ],
      providers: [SocketPayloadLimit],
    };
  }
}
