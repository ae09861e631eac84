import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { AppConfig } from '../infrastructure/config/config.js';
import { APP_CONFIG } from '../infrastructure/config/config.module.js';
import { ErrorCode, ParleyError } from '../infrastructure/errors/parley-error.js';
import { REDIS } from '../infrastructure/redis/redis.module.js';

/** Failed sign-ins allowed per window before that username, or that address, must wait. */
export const LOGIN_LIMITS = {
  perUsername: { points: 5, duration: 15 * 60 },
  perIp: { points: 30, duration: 15 * 60 },
};

/**
 * Slows password guessing: failures are counted in Redis (shared by every instance) per username
 * and per client address; a success clears the username's count.
 */
@Injectable()
export class LoginThrottle {
  private readonly byUsername: RateLimiterRedis;
  private readonly byIp: RateLimiterRedis;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    const base = { storeClient: redis, useRedisPackage: false, blockDuration: 0 };
    this.byUsername = new RateLimiterRedis({
      ...base,
      ...LOGIN_LIMITS.perUsername,
      keyPrefix: `${config.redisPrefix}:login-fail:user`,
    });
    this.byIp = new RateLimiterRedis({
      ...base,
      ...LOGIN_LIMITS.perIp,
      keyPrefix: `${config.redisPrefix}:login-fail:ip`,
    });
  }

  async assertAllowed(username: string, ip: string): Promise<void> {
    const [user, address] = await Promise.all([
      this.byUsername.get(username.toLowerCase()),
      this.byIp.get(ip),
    ]);
    const blocked = [
      user && user.consumedPoints >= LOGIN_LIMITS.perUsername.points ? user : null,
      address && address.consumedPoints >= LOGIN_LIMITS.perIp.points ? address : null,
    ].filter((r): r is RateLimiterRes => r !== null);
    if (blocked.length) {
      const wait = Math.max(...blocked.map((r) => r.msBeforeNext));
      const minutes = Math.max(1, Math.ceil(wait / 60_000));
      throw new ParleyError(
        ErrorCode.RATE_LIMITED,
        `Too many failed sign-in attempts; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`,
        { retryAfterSeconds: Math.ceil(wait / 1000) },
      );
    }
  }

  async recordFailure(username: string, ip: string): Promise<void> {
    // penalty() adds points without throwing when the limit is passed; assertAllowed decides.
    await Promise.all([this.byUsername.penalty(username.toLowerCase()), this.byIp.penalty(ip)]);
  }

  async recordSuccess(username: string): Promise<void> {
    await this.byUsername.delete(username.toLowerCase());
  }
}
