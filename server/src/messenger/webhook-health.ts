import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { AppConfig } from '../infrastructure/config/config.js';
import { APP_CONFIG } from '../infrastructure/config/config.module.js';
import { REDIS } from '../infrastructure/redis/redis.module.js';

export type WebhookArrival = 'accepted' | 'rejected';

/**
 * When the last signed webhook POST arrived and when the last badly signed one was refused, in
 * Redis (shared by every instance): what messengerSettings shows an admin setting up the Meta app.
 */
@Injectable()
export class WebhookHealth {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private key(arrival: WebhookArrival) {
    return `${this.config.redisPrefix}:messenger:last-webhook:${arrival}`;
  }

  async record(arrival: WebhookArrival, at = new Date()): Promise<void> {
    await this.redis.set(this.key(arrival), at.toISOString());
  }

  async last(): Promise<{ lastWebhookAt: Date | null; lastRejectedWebhookAt: Date | null }> {
    const [accepted, rejected] = await this.redis.mget(this.key('accepted'), this.key('rejected'));
    return {
      lastWebhookAt: accepted ? new Date(accepted) : null,
      lastRejectedWebhookAt: rejected ? new Date(rejected) : null,
    };
  }
}
