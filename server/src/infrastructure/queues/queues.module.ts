import { BullModule, Processor, WorkerHost } from '@nestjs/bullmq';
import { DynamicModule, Global, Inject, Module, type Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { Job } from 'bullmq';
import { type AppConfig, rolesIncludeWorker } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { awayFromRedis, REDIS_COMMAND_TIMEOUT_MS, redisRetryStrategy } from '../redis/redis.module.js';
import { JobHandlerRegistry } from './job-handler.registry.js';
import { JobQueue } from './job-queue.service.js';
import { type JobName, QUEUE_CONCURRENCY, QueueName } from './queue-registry.js';

export function redisConnection(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    // BullMQ's own strategy backs off to 20 s; ours retries every 2 s at most, so jobs resume promptly.
    retryStrategy: redisRetryStrategy,
  };
}

/**
 * Producers never queue commands while Redis is away and never wait long on one: adding a job fails
 * at once or within seconds, so nothing piles up. Workers keep the defaults and resume by themselves.
 */
export const producerConnection = (url: string) => ({
  ...redisConnection(url),
  enableOfflineQueue: false,
  commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
});

/** One BullMQ worker per queue, dispatching each job to its registered handler. */
function processorFor(queue: QueueName, config: AppConfig): Type {
  @Processor(queue, {
    concurrency: QUEUE_CONCURRENCY[queue],
    connection: redisConnection(config.redisUrl),
    // How soon the active jobs of a worker that died (kill -9) go back to waiting for another one.
    lockDuration: config.jobLockSeconds * 1000,
    stalledInterval: config.jobLockSeconds * 1000,
  })
  class QueueProcessor extends WorkerHost {
    constructor(@Inject(JobHandlerRegistry) private readonly registry: JobHandlerRegistry) {
      super();
    }
    process(job: Job): Promise<unknown> {
      return this.registry.run(job.name as JobName, job.data as never);
    }
    /** A worker's close waits on QUIT, which waits for Redis: while it is away, close at once. */
    async beforeApplicationShutdown() {
      if (await awayFromRedis(this.worker.client)) await this.worker.close(true);
    }
  }
  Object.defineProperty(QueueProcessor, 'name', { value: `${queue}QueueProcessor` });
  return QueueProcessor;
}

/**
 * BullMQ with its own Redis connections. Producers exist in every role; processors only where
 * ROLE includes worker, so API instances never spend their CPU on jobs.
 */
@Global()
@Module({})
export class QueuesModule {
  static forRoot(config: AppConfig): DynamicModule {
    const processors = rolesIncludeWorker(config.role)
      ? Object.values(QueueName).map((queue) => processorFor(queue, config))
      : [];
    return {
      module: QueuesModule,
      imports: [
        DiscoveryModule,
        BullModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (c: AppConfig) => ({
            connection: redisConnection(c.redisUrl),
            prefix: `${c.redisPrefix}:bull`,
          }),
        }),
        BullModule.registerQueue(
          ...Object.values(QueueName).map((name) => ({
            name,
            connection: producerConnection(config.redisUrl),
          })),
        ),
      ],
      providers: [JobQueue, JobHandlerRegistry, ...processors],
      exports: [JobQueue, BullModule],
    };
  }
}
