import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { type AppConfig, rolesIncludeWorker } from '../../infrastructure/config/config.js';
import { APP_CONFIG } from '../../infrastructure/config/config.module.js';
import { JobHandler } from '../../infrastructure/queues/job-handler.decorator.js';
import { JobQueue } from '../../infrastructure/queues/job-queue.service.js';
import { JobName } from '../../infrastructure/queues/queue-registry.js';
import { REDIS } from '../../infrastructure/redis/redis.module.js';
import { FacebookConnectionService } from './facebook-connection.service.js';

const DAY_MS = 24 * 3600 * 1000;
/** A run that dies keeps the lock at most this long. */
const LOCK_MS = 15 * 60 * 1000;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * The token health and renewal jobs. Each repeats through a BullMQ job scheduler (one scheduler
 * id per job, upserted by every worker at start, so however many workers run there is one
 * schedule). The facebook queue runs one job at a time per process, and a Redis lock
 * (SET NX PX, released only by its holder) makes a run exclusive across processes too: a run
 * enqueued by hand, or one overlapping a slow previous run, finds the lock taken and skips.
 */
@Injectable()
export class FacebookTokenJobs implements OnApplicationBootstrap {
  private readonly logger = new Logger('FacebookTokenJobs');

  constructor(
    private readonly connection: FacebookConnectionService,
    private readonly jobs: JobQueue,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap() {
    if (!rolesIncludeWorker(this.config.role)) return;
    try {
      await this.jobs.repeat(JobName.CheckPageTokens, this.config.tokenCheckIntervalMinutes * 60_000);
      await this.jobs.repeat(JobName.RenewUserTokens, this.config.tokenRefreshIntervalMinutes * 60_000);
      // And once now: a token that died while Parley was stopped (or a simulator that restarted
      // and forgot its tokens) shows as INACTIVE within seconds of the start, not an hour later.
      await this.jobs.add(JobName.CheckPageTokens, {}, { jobId: `check-at-start-${Date.now()}` });
    } catch (error) {
      // Redis away at start: the schedules from an earlier start still stand; the next start upserts again.
      this.logger.warn(
        `Could not schedule the token jobs: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  @JobHandler(JobName.CheckPageTokens)
  checkPageTokens(): Promise<{ checked: number; failed: number } | 'busy'> {
    return this.exclusively(JobName.CheckPageTokens, async () => {
      let checked = 0;
      let failed = 0;
      for (const campaignId of await this.connection.connectedCampaignIds()) {
        try {
          await this.connection.checkToken(campaignId);
          checked++;
        } catch (error) {
          // Facebook unreachable or a campaign disconnected meanwhile: the others are still checked.
          failed++;
          this.logger.warn(
            `Token check of campaign ${campaignId} did not finish: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
      return { checked, failed };
    });
  }

  @JobHandler(JobName.RenewUserTokens)
  renewUserTokens(): Promise<Record<string, number> | 'busy'> {
    return this.exclusively(JobName.RenewUserTokens, async () => {
      const counts: Record<string, number> = { renewed: 0, refused: 0, skipped: 0 };
      const before = new Date(Date.now() + this.config.tokenRefreshBeforeDays * DAY_MS);
      for (const campaignId of await this.connection.campaignsToRenew(before)) {
        try {
          counts[await this.connection.renewUserToken(campaignId)]++;
        } catch (error) {
          counts.skipped++;
          this.logger.warn(
            `Renewal for campaign ${campaignId} did not finish: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
      return counts;
    });
  }

  private async exclusively<T>(job: JobName, run: () => Promise<T>): Promise<T | 'busy'> {
    const key = `${this.config.redisPrefix}:facebook:lock:${job}`;
    const holder = randomBytes(12).toString('hex');
    if ((await this.redis.set(key, holder, 'PX', LOCK_MS, 'NX')) !== 'OK') {
      this.logger.log(`${job} is already running elsewhere; skipped`);
      return 'busy';
    }
    try {
      return await run();
    } finally {
      await this.redis.eval(RELEASE, 1, key, holder).catch(() => undefined);
    }
  }
}
