import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { parseWebhookBytes, type WebhookEvent } from '@parley/libs/messenger/webhook-events.js';
import { type AppConfig, rolesIncludeWorker } from '../../infrastructure/config/config.js';
import { APP_CONFIG } from '../../infrastructure/config/config.module.js';
import { JobHandler } from '../../infrastructure/queues/job-handler.decorator.js';
import { JobQueue } from '../../infrastructure/queues/job-queue.service.js';
import { JOB_DEFINITIONS, JobName, QueueName } from '../../infrastructure/queues/queue-registry.js';
import { InboundEvents, type PageOwner } from './inbound-events.service.js';

/** Processing attempts of one delivery (all job generations together) before it is FAILED. */
export const DELIVERY_ATTEMPTS = Number(JOB_DEFINITIONS[JobName.ProcessDelivery].options.attempts);
const SWEEP_EVERY_MS = 60_000;
const SWEEP_BATCH = 1_000;
/** How often this instance retries the enqueues it could not make, and how many it remembers. */
const ENQUEUE_RETRY_MS = 2_000;
const ENQUEUE_RETRY_MAX = 10_000;

export const deliveryJobId = (deliveryId: number) => `delivery-${deliveryId}`;

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 1000);

/**
 * The durable side of the webhook: each POST's exact bytes go into webhook_deliveries before
 * Facebook gets its 200; a BullMQ job then applies its events and marks it PROCESSED. A delivery
 * whose job never ran or was lost is found by the sweep (at start and every minute).
 */
@Injectable()
export class WebhookDeliveries implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WebhookDeliveries');
  /** Stored deliveries whose job could not be added (Redis away), retried from here every few seconds. */
  private readonly unqueued = new Set<number>();
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobQueue,
    private readonly inbound: InboundEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One INSERT (autocommit): resolves with the id once the bytes are durable. */
  async store(body: Buffer): Promise<number> {
    const result = (await this.dataSource.query('INSERT INTO webhook_deliveries (body) VALUES (?)', [
      body,
    ])) as {
      insertId: number | string;
    };
    return Number(result.insertId);
  }

  /**
   * Best effort, never failing. What could not be enqueued is retried from here every
   * ENQUEUE_RETRY_MS, so chats written during a Redis outage reach agents seconds after it ends,
   * not at the next minute's sweep; the sweep still covers a crash of this instance meanwhile.
   */
  async enqueue(deliveryId: number): Promise<boolean> {
    const added = await this.jobs.addInBackground(
      JobName.ProcessDelivery,
      { deliveryId },
      { jobId: deliveryJobId(deliveryId) },
    );
    if (!added && this.unqueued.size < ENQUEUE_RETRY_MAX) {
      this.unqueued.add(deliveryId);
      this.retryUnqueuedSoon();
    }
    return added;
  }

  private retryUnqueuedSoon(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => void this.retryUnqueued(), ENQUEUE_RETRY_MS);
    this.retryTimer.unref();
  }

  private async retryUnqueued(): Promise<void> {
    for (const deliveryId of this.unqueued) {
      try {
        await this.jobs.add(JobName.ProcessDelivery, { deliveryId }, { jobId: deliveryJobId(deliveryId) });
        this.unqueued.delete(deliveryId);
      } catch {
        break; // still away: all of them wait for the next try
      }
    }
    this.retryTimer = undefined;
    if (this.unqueued.size) this.retryUnqueuedSoon();
  }

  onModuleDestroy() {
    clearTimeout(this.retryTimer);
  }

  @JobHandler(JobName.ProcessDelivery)
  async process({ deliveryId }: { deliveryId: number }): Promise<string> {
    const [row] = (await this.dataSource.query(
      'SELECT id, status, body FROM webhook_deliveries WHERE id = ?',
      [deliveryId],
    )) as { id: number; status: string; body: Buffer }[];
    if (!row) return 'gone';
    if (row.status !== 'PENDING') return row.status; // a second run (sweep, retry): nothing to do
    const parsed = parseWebhookBytes(row.body);
    if (!parsed.ok) {
      // Signed by Facebook yet not a page delivery: retrying cannot help; kept for an admin to see.
      this.logger.warn(`Delivery ${deliveryId} is FAILED: ${parsed.error}`);
      await this.dataSource.query(
        "UPDATE webhook_deliveries SET status = 'FAILED', attempts = attempts + 1, lastError = ? WHERE id = ?",
        [parsed.error, deliveryId],
      );
      return 'FAILED';
    }
    // Facebook's timestamps order the events of a batch (a stable sort keeps equal ones as sent).
    const events: WebhookEvent[] = parsed.entries
      .flatMap((entry) => entry.events)
      .sort((a, b) => a.timestamp - b.timestamp);
    const owners = new Map<string, PageOwner>();
    try {
      for (const event of events) await this.inbound.apply(event, owners);
      await this.dataSource.query(
        "UPDATE webhook_deliveries SET status = 'PROCESSED', processedAt = NOW(3), lastError = NULL WHERE id = ? AND status = 'PENDING'",
        [deliveryId],
      );
      return 'PROCESSED';
    } catch (error) {
      const reason = reasonOf(error);
      this.logger.warn(`Delivery ${deliveryId} failed: ${reason}`);
      // attempts is incremented first, so the IF sees the new count (MySQL assigns left to right).
      await this.dataSource
        .query(
          `UPDATE webhook_deliveries
              SET attempts = attempts + 1, lastError = ?, status = IF(attempts >= ?, 'FAILED', status)
            WHERE id = ? AND status = 'PENDING'`,
          [reason, DELIVERY_ATTEMPTS, deliveryId],
        )
        .catch(() => undefined); // MySQL away: the row stays PENDING and the sweep tries again
      throw error;
    }
  }

  /**
   * Enqueues every PENDING delivery older than DELIVERY_SWEEP_AFTER_SECONDS (it has lost its job:
   * crash, Redis away). BullMQ ignores an add whose
   * jobId exists in any state, so a finished (completed or failed) job of that id is removed
   * first; a waiting, delayed or active one is left alone.
   */
  @JobHandler(JobName.SweepDeliveries)
  async sweep(): Promise<{ enqueued: number }> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM webhook_deliveries
        WHERE status = 'PENDING' AND receivedAt < NOW(3) - INTERVAL ${this.config.deliverySweepAfterSeconds} SECOND
        ORDER BY id LIMIT ${SWEEP_BATCH}`,
    )) as { id: number }[];
    const queue = this.jobs.queue(QueueName.Messenger);
    let enqueued = 0;
    for (const { id } of rows) {
      const jobId = deliveryJobId(Number(id));
      const existing = await queue.getJob(jobId);
      if (existing) {
        const state = await existing.getState();
        if (state !== 'completed' && state !== 'failed' && state !== 'unknown') continue;
        try {
          await existing.remove();
        } catch {
          continue; // taken by a worker meanwhile
        }
      }
      await this.jobs.add(JobName.ProcessDelivery, { deliveryId: Number(id) }, { jobId });
      enqueued++;
    }
    if (enqueued) this.logger.log(`Sweep enqueued ${enqueued} pending webhook deliveries`);
    return { enqueued };
  }

  /** Worker role: one sweep now (what a crash left behind), then the repeating one. */
  async onApplicationBootstrap() {
    if (!rolesIncludeWorker(this.config.role)) return;
    try {
      await this.jobs.repeat(JobName.SweepDeliveries, SWEEP_EVERY_MS);
      await this.jobs.add(JobName.SweepDeliveries, {});
    } catch (error) {
      this.logger.warn(`Could not schedule the delivery sweep: ${reasonOf(error)}`);
    }
  }
}
