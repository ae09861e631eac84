import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { Redis } from 'ioredis';
import { Presence } from '@parley/libs/shared/roles.js';
import { SocketClosed, SocketConnected, type SocketEvent } from '../events/catalogue.js';
import { type AppConfig, rolesIncludeWorker } from '../infrastructure/config/config.js';
import { APP_CONFIG, INSTANCE_ID } from '../infrastructure/config/config.module.js';
import { ANY_OWNER } from '../infrastructure/events/event.js';
import { EventBus } from '../infrastructure/events/event-bus.service.js';
import { JobHandler } from '../infrastructure/queues/job-handler.decorator.js';
import { JobQueue } from '../infrastructure/queues/job-queue.service.js';
import { JobName, type JobPayloads } from '../infrastructure/queues/queue-registry.js';
import { REDIS } from '../infrastructure/redis/redis.module.js';
import { UsersService } from '../members/users.service.js';

/** Keep a socket set a day past its last change, so nothing in Redis outlives its use for long. */
const SOCKETS_TTL_SECONDS = 24 * 3600;
/** An instance silent for this many heartbeats is taken as gone (crashed, killed, cut off). */
const BEATS_MISSED_FOR_LOST = 3;

/**
 * Presence follows an agent's connections: when their last graphql-ws socket closes they go
 * OFFLINE after PRESENCE_GRACE_SECONDS, unless a socket reconnects first (a page reload or a
 * network blip changes nothing). Every instance hears every socket event; the Redis set of a
 * user's open sockets is changed idempotently (SADD/SREM), and the grace job's id is derived from
 * the closing event, so however many instances react, one job runs per close.
 *
 * An instance that crashes never publishes its sockets' closes. So each instance also keeps a
 * heartbeat key alive in Redis, and each socket is recorded under the instance holding it too; the
 * repeating presence sweep finds instances whose heartbeat lapsed and closes their sockets for them.
 */
@Injectable()
export class SocketPresenceService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SocketPresence');
  private readonly stops: (() => void)[] = [];
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly bus: EventBus,
    private readonly users: UsersService,
    private readonly jobs: JobQueue,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(INSTANCE_ID) private readonly instanceId: string,
  ) {}

  async onModuleInit() {
    // Alive before any socket can be accepted, so no sweep takes a starting instance for a lost one.
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat(), this.config.presenceHeartbeatSeconds * 1000);
    this.heartbeat.unref();
    this.stops.push(
      await this.bus.subscribe(SocketConnected, ANY_OWNER, (event) => void this.connected(event)),
      await this.bus.subscribe(SocketClosed, ANY_OWNER, (event) => void this.closed(event)),
    );
  }

  /** Worker role: the repeating sweep for instances that went away without closing their sockets. */
  async onApplicationBootstrap() {
    if (!rolesIncludeWorker(this.config.role)) return;
    try {
      await this.jobs.repeat(JobName.SweepPresence, this.config.presenceHeartbeatSeconds * 1000);
    } catch (error) {
      this.logger.warn(`Could not schedule the presence sweep: ${String(error)}`);
    }
  }

  onModuleDestroy() {
    clearInterval(this.heartbeat);
    for (const stop of this.stops.splice(0)) stop();
  }

  private socketsKey(userId: string): string {
    return `${this.config.redisPrefix}:presence:sockets:${userId}`;
  }

  /** `<userId> <socketId>` of every socket an instance holds. */
  private instanceSocketsKey(instanceId: string): string {
    return `${this.config.redisPrefix}:presence:instance-sockets:${instanceId}`;
  }

  private aliveKey(instanceId: string): string {
    return `${this.config.redisPrefix}:presence:alive:${instanceId}`;
  }

  private get instancesKey(): string {
    return `${this.config.redisPrefix}:presence:instances`;
  }

  private async beat(): Promise<void> {
    const ttl = this.config.presenceHeartbeatSeconds * BEATS_MISSED_FOR_LOST;
    try {
      // The alive key first: an instance is never listed without one.
      await this.redis
        .multi()
        .set(this.aliveKey(this.instanceId), '1', 'EX', ttl)
        .sadd(this.instancesKey, this.instanceId)
        .exec();
    } catch (error) {
      this.logger.warn(`Could not renew this instance's presence heartbeat: ${String(error)}`);
    }
  }

  /** How many sockets the user has open on any instance. */
  openSockets(userId: string): Promise<number> {
    return this.redis.scard(this.socketsKey(userId));
  }

  private async connected(event: SocketEvent): Promise<void> {
    if (!event.userId) return;
    const key = this.socketsKey(event.userId);
    const held = this.instanceSocketsKey(event.instanceId);
    try {
      await this.redis
        .multi()
        .sadd(key, event.socketId)
        .expire(key, SOCKETS_TTL_SECONDS)
        .sadd(held, `${event.userId} ${event.socketId}`)
        .expire(held, SOCKETS_TTL_SECONDS)
        .exec();
    } catch (error) {
      this.logger.warn(`Could not record socket ${event.socketId}: ${String(error)}`);
    }
  }

  private async closed(event: SocketEvent): Promise<void> {
    if (!event.userId) return;
    try {
      await this.redis
        .multi()
        .srem(this.socketsKey(event.userId), event.socketId)
        .srem(this.instanceSocketsKey(event.instanceId), `${event.userId} ${event.socketId}`)
        .exec();
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

  /**
   * Closes, for them, the sockets of instances whose heartbeat lapsed. Their agents already waited
   * three heartbeats, longer than a reconnect takes, so the grace job runs at once: an agent whose
   * client reconnected elsewhere has a socket again and keeps their presence. Idempotent (SREM, a
   * jobId per lost instance and user), so two sweeps at once do the same as one.
   */
  @JobHandler(JobName.SweepPresence)
  async sweepLostInstances(): Promise<{ lostInstances: number; closedSockets: number }> {
    let lostInstances = 0;
    let closedSockets = 0;
    for (const instanceId of await this.redis.smembers(this.instancesKey)) {
      if (await this.redis.exists(this.aliveKey(instanceId))) continue;
      lostInstances++;
      const held = this.instanceSocketsKey(instanceId);
      const lostAt = new Date().toISOString();
      for (const entry of await this.redis.smembers(held)) {
        const [userId, socketId] = entry.split(' ');
        if (!userId || !socketId) continue;
        closedSockets += await this.redis.srem(this.socketsKey(userId), socketId);
        if ((await this.openSockets(userId)) > 0) continue;
        await this.jobs.add(
          JobName.PresenceGrace,
          { userId, closedAt: lostAt },
          { jobId: `grace-${userId}-lost-${instanceId}` },
        );
      }
      await this.redis.multi().del(held).srem(this.instancesKey, instanceId).exec();
      this.logger.warn(
        `Instance ${instanceId} stopped its heartbeat: its agents' sockets were closed for it`,
      );
    }
    return { lostInstances, closedSockets };
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
