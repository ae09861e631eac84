import { Injectable, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { UserChanged, UserSessionsEnded } from '../events/catalogue.js';
import type { AppConfig } from '../infrastructure/config/config.js';
import { EventBus } from '../infrastructure/events/event-bus.service.js';
import type { UserEntity } from '../members/user.entity.js';
import { UsersService } from '../members/users.service.js';

/** The JWT secret as a key object, built once (see AuthService.principalFromAccessToken). */
export const jwtKeyOf = (config: AppConfig): KeyObject =>
  createSecretKey(Buffer.from(config.jwtSecret, 'utf8'));

/**
 * How long a user's access (role, active, session version) is trusted without reading MySQL.
 * Events end it at once on every instance; this bounds it should an event be lost (Redis away),
 * so a deactivated user or a reset password is refused within a second in every case.
 */
export const USER_ACCESS_TTL_MS = 1_000;

type UserAccess = Pick<UserEntity, 'id' | 'username' | 'role' | 'active' | 'sessionVersion'>;
const MISSING = 'missing' as const;

/** What every authenticated request needs about its user, without a MySQL read per request. */
@Injectable()
export class UserAccessCache implements OnModuleInit {
  private readonly cache = new LRUCache<string, UserAccess | typeof MISSING>({
    max: 10_000,
    ttl: USER_ACCESS_TTL_MS,
    // Concurrent requests of one user share one read.
    fetchMethod: async (id) => {
      const user = await this.users.findById(id);
      return user
        ? {
            id: user.id,
            username: user.username,
            role: user.role,
            active: user.active,
            sessionVersion: user.sessionVersion,
          }
        : MISSING;
    },
  });

  constructor(
    private readonly users: UsersService,
    private readonly bus: EventBus,
  ) {}

  async onModuleInit() {
    const forget = ({ userId }: { userId: string }) => this.cache.delete(userId);
    await this.bus.subscribe(UserSessionsEnded, undefined, forget);
    await this.bus.subscribe(UserChanged, undefined, forget);
  }

  async get(userId: string): Promise<UserAccess | null> {
    const access = await this.cache.fetch(userId);
    return access && access !== MISSING ? access : null;
  }
}
