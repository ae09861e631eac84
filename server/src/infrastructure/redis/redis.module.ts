import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
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
  return redis;
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
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown() {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
