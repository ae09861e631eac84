import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { AppConfig } from '../infrastructure/config/config.js';
import { APP_CONFIG } from '../infrastructure/config/config.module.js';
import { REDIS } from '../infrastructure/redis/redis.module.js';

export type WebhookArrival = 'accepted' | 'rejected';

const RECORD_EVERY_MS = 1_000;

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

  /** Per kind: when this instance last wrote, and the latest arrival waiting for the next second. */
  private readonly pace: Record<WebhookArrival, { writtenAt: number; latest: Date | null }> = {
    accepted: { writtenAt: 0, latest: null },
    rejected: { writtenAt: 0, latest: null },
  };

  private key(arrival: WebhookArrival) {
    return `${this.config.redisPrefix}:messenger:last-webhook:${arrival}`;
  }

  /**
   * At most one write a second per kind and instance (a burst of webhooks is one Redis command a
   * second, not one each): the first of a second is written at once, the latest of the rest when
   * the second ends.
   */
  async record(arrival: WebhookArrival, at = new Date()): Promise<void> {
    const pace = this.pace[arrival];
    const now = Date.now();
    if (now - pace.writtenAt >= RECORD_EVERY_MS) {
      pace.writtenAt = now;
      await this.write(arrival, at);
      return;
    }
    const first = pace.latest === null;
    pace.latest = at;
    if (!first) return;
    setTimeout(
      () => {
        const latest = pace.latest!;
        pace.latest = null;
        pace.writtenAt = Date.now();
        this.write(arrival, latest).catch(() => undefined);
      },
      RECORD_EVERY_MS - (now - pace.writtenAt),
    ).unref();
  }

  private async write(arrival: WebhookArrival, at: Date): Promise<void> {
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
