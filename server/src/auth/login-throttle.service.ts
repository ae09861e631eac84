import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { normalizeUsername } from '@parley/libs/shared/usernames.js';
import type { AppConfig } from '../infrastructure/config/config.js';
import { APP_CONFIG } from '../infrastructure/config/config.module.js';
import { ErrorCode, ParleyError } from '../infrastructure/errors/parley-error.js';
import { REDIS } from '../infrastructure/redis/redis.module.js';

/** Failed sign-ins allowed per window before that username, or that address, must wait. */
export const LOGIN_LIMITS = {
  perUsername: { points: 5, duration: 15 * 60 },
  perIp: { points: 30, duration: 15 * 60 },
};

/** The account a sign-in attempt is counted against: the user if the name exists. */
export interface SignInAccount {
  id: string;
  sessionVersion: number;
}

/**
 * The per-username key. For an existing user it is their id and password generation, so every
 * spelling the database would match counts against the same account, and a password reset (which
 * bumps sessionVersion) starts a fresh count. For an unknown name it is the normalised name.
 */
export function accountKey(user: SignInAccount | null, username: string): string {
  return user ? `id:${user.id}:${user.sessionVersion}` : `name:${normalizeUsername(username)}`;
}

/**
 * Slows password guessing: failures are counted in Redis (shared by every instance) per account
 * (see accountKey) and per client address; a success clears the account's count, and so can an admin.
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

  async assertAllowed(account: string, ip: string): Promise<void> {
    const [user, address] = await Promise.all([this.byUsername.get(account), this.byIp.get(ip)]);
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

  async recordFailure(account: string, ip: string): Promise<void> {
    // penalty() adds points without throwing when the limit is passed; assertAllowed decides.
    await Promise.all([this.byUsername.penalty(account), this.byIp.penalty(ip)]);
  }

  async recordSuccess(account: string): Promise<void> {
    await this.byUsername.delete(account);
  }

  /** When the user may try again, or null when their sign-in is not locked. */
  async lockedUntil(user: SignInAccount): Promise<Date | null> {
    const state = await this.byUsername.get(accountKey(user, ''));
    if (!state || state.consumedPoints < LOGIN_LIMITS.perUsername.points) return null;
    return new Date(Date.now() + state.msBeforeNext);
  }

  /** An admin lifts the lockout: the failure count starts again (the address limit stays). */
  async lift(user: SignInAccount): Promise<void> {
    await this.byUsername.delete(accountKey(user, ''));
  }
}
