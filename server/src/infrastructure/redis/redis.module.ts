import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';

/** General-purpose Redis client (rate limits, health). Queues and PubSub open their own connections. */
export const REDIS = Symbol('REDIS');

export function createRedis(config: AppConfig, name: string, options: { subscriber?: boolean } = {}): Redis {
  return new Redis(config.redisUrl, {
    connectionName: `parley:${name}`,
    // Subscribers and BullMQ workers block; they must never give up on a command.
    maxRetriesPerRequest: options.subscriber ? null : 3,
    enableReadyCheck: true,
    lazyConnect: false,
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
