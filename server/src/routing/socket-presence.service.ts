import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Presence } from '@parley/libs/shared/roles.js';
import { SocketClosed, SocketConnected, type SocketEvent } from '../events/catalogue.js';
import type { AppConfig } from '../infrastructure/config/config.js';
import { APP_CONFIG } from '../infrastructure/config/config.module.js';
import { ANY_OWNER } from '../infrastructure/events/event.js';
import { EventBus } from '../infrastructure/events/event-bus.service.js';
import { JobHandler } from '../infrastructure/queues/job-handler.decorator.js';
import { JobQueue } from '../infrastructure/queues/job-queue.service.js';
import { JobName, type JobPayloads } from '../infrastructure/queues/queue-registry.js';
import { REDIS } from '../infrastructure/redis/redis.module.js';
import { UsersService } from '../members/users.service.js';

/** Keep a user's socket set a day past its last change: a set left by a crashed instance fades. */
const SOCKETS_TTL_SECONDS = 24 * 3600;

/**
 * Presence follows an agent's connections: when their last graphql-ws socket closes they go
 * OFFLINE after PRESENCE_GRACE_SECONDS, unless a socket reconnects first (a page reload or a
 * network blip changes nothing). Every instance hears every socket event; the Redis set of a
 * user's open sockets is changed idempotently (SADD/SREM), and the grace job's id is derived from
 * the closing event, so however many instances react, one job runs per close.
 */
@Injectable()
export class SocketPresenceService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('SocketPresence');
  private readonly stops: (() => void)[] = [];

  constructor(
    private readonly bus: EventBus,
    private readonly users: UsersService,
    private readonly jobs: JobQueue,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit() {
    this.stops.push(
      await this.bus.subscribe(SocketConnected, ANY_OWNER, (event) => void this.connected(event)),
      await this.bus.subscribe(SocketClosed, ANY_OWNER, (event) => void this.closed(event)),
    );
  }

  onModuleDestroy() {
    for (const stop of this.stops.splice(0)) stop();
  }

  private socketsKey(userId: string): string {
    return `${this.config.redisPrefix}:presence:sockets:${userId}`;
  }

  /** How many sockets the user has open on any instance. */
  openSockets(userId: string): Promise<number> {
    return this.redis.scard(this.socketsKey(userId));
  }

  private async connected(event: SocketEvent): Promise<void> {
    if (!event.userId) return;
    const key = this.socketsKey(event.userId);
    try {
      await this.redis.multi().sadd(key, event.socketId).expire(key, SOCKETS_TTL_SECONDS).exec();
    } catch (error) {
      this.logger.warn(`Could not record socket ${event.socketId}: ${String(error)}`);
    }
  }

  private async closed(event: SocketEvent): Promise<void> {
    if (!event.userId) return;
    try {
      await this.redis.srem(this.socketsKey(event.userId), event.socketId);
      if ((await this.openSockets(event.userId)) > 0) return;
      await this.jobs.add(
        JobName.PresenceGrace,
        { userId: event.userId, closedAt: event.at },
        {
          jobId: `grace-${event.userId}-${Date.parse(event.at)}`,
          delay: this.config.presenceGraceSeconds * 1000,
        },
      );
    } catch (error) {
      this.logger.warn(`Could not follow the close of socket ${event.socketId}: ${String(error)}`);
    }
  }

  /** The grace is over: OFFLINE if no socket came back, and only over a presence the agent set before. */
  @JobHandler(JobName.PresenceGrace)
  async graceOver({
    userId,
  }: JobPayloads[JobName.PresenceGrace]): Promise<'offline' | 'reconnected' | 'unchanged'> {
    if ((await this.openSockets(userId)) > 0) return 'reconnected';
    const changed = await this.users.setPresence(
      userId,
      { presence: Presence.OFFLINE, breakReason: null },
      (current) => current !== Presence.OFFLINE,
    );
    if (changed)
      this.logger.log(`User ${userId} went OFFLINE: no socket reconnected within the grace period`);
    return changed ? 'offline' : 'unchanged';
  }
}
