import type { JobsOptions } from 'bullmq';

/**
 * Every queue and job Parley has, by name. One queue per kind of work, so heavy jobs never starve
 * light ones; each job names its queue and states its retry and retention policy explicitly.
 */
export enum QueueName {
  Auth = 'auth',
}

export enum JobName {
  /** Stamps an API key's lastUsedAt off the request path (one job per key per minute). */
  RecordApiKeyUse = 'auth.record-api-key-use',
}

export interface JobPayloads {
  [JobName.RecordApiKeyUse]: { apiKeyId: string; usedAt: string };
}

export interface JobDefinition {
  queue: QueueName;
  options: JobsOptions;
}

const DAY = 24 * 3600;

export const JOB_DEFINITIONS: { readonly [J in JobName]: JobDefinition } = {
  [JobName.RecordApiKeyUse]: {
    queue: QueueName.Auth,
    options: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: { age: 3600, count: 1_000 },
      removeOnFail: { age: 7 * DAY, count: 5_000 },
    },
  },
};

/** Worker concurrency per queue. */
export const QUEUE_CONCURRENCY: { readonly [Q in QueueName]: number } = {
  [QueueName.Auth]: 4,
};
