import { SetMetadata } from '@nestjs/common';
import type { JobName } from './queue-registry.js';

export const JOB_HANDLER = Symbol('JOB_HANDLER');

/** Marks the one method that runs a job. Handlers must be safe to run twice (BullMQ retries). */
export const JobHandler = (name: JobName) => SetMetadata(JOB_HANDLER, name);
