import {
  type BeforeApplicationShutdown,
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';

/** General-purpose Redis client (rate limits, health). Queues and PubSub open their own connections. */
export const REDIS = Symbol('REDIS');

/**
 * How long a command may wait for Redis, queued while it is away or sent, before it fails: a request
 * that needs Redis answers a clean error within seconds instead of hanging.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 2_000;

/** Reconnects for ever, at most every two seconds, so everything resumes by itself when Redis returns. */
export const redisRetryStrategy = (attempt: number) => Math.min(attempt * 100, 2_000);

export function createRedis(config: AppConfig, name: string, options: { subscriber?: boolean } = {}): Redis {
  const redis = new Redis(config.redisUrl, {
    connectionName: `parley:${name}`,
    // Subscribers and BullMQ workers block; they must never give up on a command.
    maxRetriesPerRequest: options.subscriber ? null : 1,
    ...(options.subscriber ? {} : { commandTimeout: REDIS_COMMAND_TIMEOUT_MS }),
    retryStrategy: redisRetryStrategy,
    enableReadyCheck: true,
    lazyConnect: false,
  });
  logRedisOutages(redis, `parley:${name}`);
  let opened = connectionsByApp.get(config);
  if (!opened) connectionsByApp.set(config, (opened = new Set()));
  opened.add(redis);
  redis.once('end', () => opened.delete(redis));
  return redis;
}

/** Connections each app (one config object) opened through createRedis, for its shutdown. */
const connectionsByApp = new WeakMap<AppConfig, Set<Redis>>();

/** Connected once and now waiting for Redis to come back. */
const isAway = (status: string) => !['ready', 'wait', 'end'].includes(status);

/**
 * True when a client that did connect is away from Redis now. Closing it with QUIT would wait for
 * Redis (or throw), so shutdown disconnects it instead. A client still connecting after 100 ms
 * never connected, and BullMQ closes those without Redis.
 */
export async function awayFromRedis(client: Promise<{ status: string }>): Promise<boolean> {
  const connected = await Promise.race([
    client.catch(() => undefined),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100)),
  ]);
  return connected !== undefined && isAway(connected.status);
}

const redisLogger = new Logger('Redis');

/**
 * One warning when a connection is lost and one line when it is back. Without an error listener
 * ioredis prints a stack trace on every reconnection attempt.
 */
export function logRedisOutages(connection: EventEmitter, name: string, logger = redisLogger): void {
  let down = false;
  connection.on('error', (error: unknown) => {
    if (down) return;
    down = true;
    const reason = error instanceof Error ? error.message : String(error);
    logger.warn(`Redis connection ${name} lost (${reason}); reconnecting`);
  });
  connection.on('ready', () => {
    if (!down) return;
    down = false;
    logger.log(`Redis connection ${name} is back`);
  });
}

@Global()
@Module({
  providers: [
    { provide: REDIS, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createRedis(config, 'main') },
  ],
  exports: [REDIS],
})
export class RedisModule implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Before the clients are closed: QUIT on a client that is away from Redis waits behind its queued
   * commands until Redis is back, so a shutdown during an outage would hang. Those clients stop
   * reconnecting and end at once; their queued commands are abandoned with the process.
   */
  beforeApplicationShutdown() {
    for (const connection of connectionsByApp.get(this.config) ?? []) {
      if (!isAway(connection.status)) continue;
      connection.disconnect();
      connection.quit = () => Promise.resolve('OK');
    }
  }

  async onApplicationShutdown() {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
