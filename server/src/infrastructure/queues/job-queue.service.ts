import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Job, JobsOptions, Queue } from 'bullmq';
import { JOB_DEFINITIONS, JobName, type JobPayloads, QueueName } from './queue-registry.js';

/** Producer side: services enqueue by job name; the registry decides queue and retry policy. */
@Injectable()
export class JobQueue implements OnModuleInit {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit() {
    for (const name of Object.values(QueueName)) {
      this.queues.set(name, this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }));
    }
  }

  add<J extends JobName>(
    name: J,
    data: JobPayloads[J],
    options: Pick<JobsOptions, 'jobId' | 'delay' | 'priority'> = {},
  ): Promise<Job> {
    const definition = JOB_DEFINITIONS[name];
    return this.queue(definition.queue).add(name, data, { ...definition.options, ...options });
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
