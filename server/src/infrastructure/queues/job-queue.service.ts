import { getQueueToken } from '@nestjs/bullmq';
import { type BeforeApplicationShutdown, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Job, JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { awayFromRedis } from '../redis/redis.module.js';
import { COALESCE_BY, JOB_DEFINITIONS, JobName, type JobPayloads, QueueName } from './queue-registry.js';

type AddOptions = Pick<JobsOptions, 'jobId' | 'delay' | 'priority'>;

/** Producer side: services enqueue by job name; the registry decides queue and retry policy. */
@Injectable()
export class JobQueue implements OnModuleInit, BeforeApplicationShutdown {
  private readonly queues = new Map<QueueName, Queue>();
  private readonly logger = new Logger('JobQueue');
  /** Set while background adds fail, so an outage is logged once rather than once per request. */
  private backgroundFailing = false;

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit() {
    for (const name of Object.values(QueueName)) {
      this.queues.set(name, this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }));
    }
  }

  /**
   * BullMQ closes a queue with QUIT, which a producer connection refuses while Redis is away, and
   * its own disconnect waits for an 'end' that a reconnecting client never emits. So: stop the
   * reconnection, and let QUIT (with nothing queued) end the client at once, as ioredis does.
   */
  async beforeApplicationShutdown() {
    await Promise.all(
      this.all().map(async (queue) => {
        if (!(await awayFromRedis(queue.client))) return;
        const client = (await queue.client) as unknown as Redis;
        client.options.enableOfflineQueue = true;
        client.disconnect();
      }),
    );
  }

  add<J extends JobName>(name: J, data: JobPayloads[J], options: AddOptions = {}): Promise<Job> {
    return this.queue(JOB_DEFINITIONS[name].queue).add(name, data, this.options(name, data, options));
  }

  /** Several jobs of one name in one round trip to Redis (BullMQ's addBulk: one MULTI). */
  addAll<J extends JobName>(name: J, jobs: readonly { data: JobPayloads[J]; options?: AddOptions }[]) {
    return this.queue(JOB_DEFINITIONS[name].queue).addBulk(
      jobs.map(({ data, options }) => ({ name, data, opts: this.options(name, data, options ?? {}) })),
    );
  }

  private options<J extends JobName>(name: J, data: JobPayloads[J], options: AddOptions): JobsOptions {
    const key = COALESCE_BY[name]?.(data);
    return {
      ...JOB_DEFINITIONS[name].options,
      ...(key ? { deduplication: { id: key, keepLastIfActive: true } } : {}),
      ...options,
    };
  }

  /**
   * Enqueues without making the caller wait: for best-effort work that must never slow or fail a
   * request. A failure is logged once until an add succeeds again. Resolves whether it was added.
   */
  addInBackground<J extends JobName>(
    name: J,
    data: JobPayloads[J],
    options: AddOptions = {},
  ): Promise<boolean> {
    return this.inBackground(name, this.add(name, data, options));
  }

  /** addAll, in the background as addInBackground; resolves whether they were added. */
  addAllInBackground<J extends JobName>(
    name: J,
    jobs: readonly { data: JobPayloads[J]; options?: AddOptions }[],
  ): Promise<boolean> {
    return this.inBackground(name, this.addAll(name, jobs));
  }

  private inBackground(name: JobName, adding: Promise<unknown>): Promise<boolean> {
    return adding.then(
      () => {
        if (this.backgroundFailing) this.logger.log('Background jobs are being enqueued again');
        this.backgroundFailing = false;
        return true;
      },
      (error: unknown) => {
        if (this.backgroundFailing) return false;
        this.backgroundFailing = true;
        const reason = error instanceof Error ? error.message : String(error);
        this.logger.warn(
          `Could not enqueue ${name} (${reason}); later failures are not logged until it works`,
        );
        return false;
      },
    );
  }

  /**
   * Runs the job every `everyMs`, once per period across all instances: a BullMQ job scheduler,
   * upserted by the job's name, so every worker that starts may call this and one schedule stands.
   */
  async repeat(name: JobName, everyMs: number): Promise<void> {
    const { queue, options } = JOB_DEFINITIONS[name];
    const { attempts, removeOnComplete, removeOnFail } = options;
    await this.queue(queue).upsertJobScheduler(
      name,
      { every: everyMs },
      { name, data: {}, opts: { attempts, removeOnComplete, removeOnFail } },
    );
  }

  queue(name: QueueName): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`Queue "${name}" is not registered`);
    return queue;
  }

  all(): Queue[] {
    return [...this.queues.values()];
  }
}
