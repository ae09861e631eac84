import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { createRedis } from '../redis/redis.module.js';

/** Names of the events that fan out to every instance (scoped by REDIS_PREFIX on the wire). */
export enum Trigger {
  UserChanged = 'user.changed',
  /** A campaign's settings, canned responses, members or token changed, or it was deleted. */
  CampaignChanged = 'campaign.changed',
  /** A credential lost its rights: every instance closes that credential's open sockets. */
  CredentialRevoked = 'auth.credential-revoked',
  /** An API key was created or revoked (admins' API keys screen). */
  ApiKeyChanged = 'auth.api-key-changed',
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * Redis-backed PubSub: an event published by one server process reaches subscribers connected
 * to any other, which the in-memory PubSub of the NestJS samples cannot do.
 */
@Injectable()
export class PubSubService implements OnApplicationShutdown {
  private readonly pubsub: RedisPubSub;
  private readonly prefix: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.prefix = `${config.redisPrefix}:events:`;
    this.pubsub = new RedisPubSub({
      publisher: createRedis(config, 'pubsub-publisher'),
      subscriber: createRedis(config, 'pubsub-subscriber', { subscriber: true }),
      // JSON through Redis turns Dates into strings; turn them back so DateTime fields serialise.
      reviver: (_key, value) => (typeof value === 'string' && ISO_DATE.test(value) ? new Date(value) : value),
    });
  }

  publish<T>(trigger: Trigger, payload: T): Promise<void> {
    return this.pubsub.publish(this.prefix + trigger, payload);
  }

  asyncIterator<T>(trigger: Trigger): AsyncIterableIterator<T> {
    return this.pubsub.asyncIterableIterator<T>(this.prefix + trigger) as AsyncIterableIterator<T>;
  }

  /** Plain callback subscription, for server-side listeners that are not GraphQL subscriptions. */
  subscribe<T>(trigger: Trigger, onMessage: (payload: T) => void): Promise<number> {
    return this.pubsub.subscribe(this.prefix + trigger, onMessage);
  }

  async onApplicationShutdown() {
    await this.pubsub.close();
  }
}
