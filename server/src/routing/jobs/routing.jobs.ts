import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type AppConfig, rolesIncludeWorker } from '../../infrastructure/config/config.js';
import { APP_CONFIG } from '../../infrastructure/config/config.module.js';
import { JobHandler } from '../../infrastructure/queues/job-handler.decorator.js';
import { JobQueue } from '../../infrastructure/queues/job-queue.service.js';
import { JobName, type JobPayloads } from '../../infrastructure/queues/queue-registry.js';
import { RoutingService } from '../routing.service.js';

/** How often the routing sweep runs (the safety net for a lost job or a crash between commit and enqueue). */
export const ROUTING_SWEEP_EVERY_MS = 10_000;

/**
 * Routing's jobs. Every trigger routing must not miss is a job enqueued after the commit that
 * caused it (ingest, close, transfer, presence, membership and campaign changes, offer timeouts);
 * each handler re-reads everything under the campaign's lock, so running one twice is harmless.
 */
@Injectable()
export class RoutingJobs implements OnApplicationBootstrap {
  private readonly logger = new Logger('RoutingJobs');

  constructor(
    private readonly routing: RoutingService,
    private readonly jobs: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @JobHandler(JobName.RouteCampaign)
  async routeCampaign({ campaignId, announce }: JobPayloads[JobName.RouteCampaign]) {
    return { offered: await this.routing.routeCampaign(campaignId, announce) };
  }

  @JobHandler(JobName.OfferExpired)
  async offerExpired({ offerId }: JobPayloads[JobName.OfferExpired]) {
    return { expired: await this.routing.expireOffer(offerId) };
  }

  @JobHandler(JobName.AgentPresenceRouting)
  async presenceChanged({ userId }: JobPayloads[JobName.AgentPresenceRouting]) {
    await this.routing.presenceChanged(userId);
    return {};
  }

  /** Routing the campaign abandons every overdue QUEUED interaction (and offers the others if it can). */
  @JobHandler(JobName.CheckAbandoned)
  async checkAbandoned({ campaignId }: JobPayloads[JobName.CheckAbandoned]) {
    return { offered: await this.routing.routeCampaign(campaignId) };
  }

  @JobHandler(JobName.SweepRouting)
  sweep() {
    return this.routing.sweep();
  }

  /** Worker role: the repeating sweep (one scheduler across instances: upsert by name). */
  async onApplicationBootstrap() {
    if (!rolesIncludeWorker(this.config.role)) return;
    try {
      await this.jobs.repeat(JobName.SweepRouting, ROUTING_SWEEP_EVERY_MS);
    } catch (error) {
      this.logger.warn(`Could not schedule the routing sweep: ${String(error)}`);
    }
  }
}
