import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { JOB_HANDLER } from './job-handler.decorator.js';
import { JobName, type JobPayloads } from './queue-registry.js';

type Handler = (data: unknown) => Promise<unknown>;

/** Pure check used at boot: every job has exactly one handler. */
export function checkJobHandlers(found: { job: string; where: string }[], jobs: readonly string[]): string[] {
  const problems: string[] = [];
  for (const job of jobs) {
    const owners = found.filter((f) => f.job === job).map((f) => f.where);
    if (owners.length === 0) problems.push(`job "${job}" has no handler`);
    if (owners.length > 1) problems.push(`job "${job}" has ${owners.length} handlers: ${owners.join(', ')}`);
  }
  for (const f of found) {
    if (!jobs.includes(f.job)) problems.push(`${f.where} handles unknown job "${f.job}"`);
  }
  return problems;
}

/** Finds every @JobHandler at boot and refuses to start unless each job has exactly one. */
@Injectable()
export class JobHandlerRegistry implements OnModuleInit {
  private readonly handlers = new Map<string, Handler>();
  private readonly logger = new Logger('Jobs');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit() {
    const found: { job: string; where: string; run: Handler }[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || wrapper.isAlias) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = instance[method];
        if (typeof fn !== 'function') continue;
        const job = this.reflector.get<string | undefined>(JOB_HANDLER, fn as () => unknown);
        if (job) found.push({ job, where: `${instance.constructor.name}.${method}`, run: fn.bind(instance) });
      }
    }
    const problems = checkJobHandlers(found, Object.values(JobName));
    if (problems.length) throw new Error(`Job handlers are wrong:\n  - ${problems.join('\n  - ')}`);
    for (const f of found) this.handlers.set(f.job, f.run);
    this.logger.log(`${found.length} job handlers registered`);
  }

  run<J extends JobName>(name: J, data: JobPayloads[J]): Promise<unknown> {
    const handler = this.handlers.get(name);
    if (!handler) throw new Error(`No handler for job "${name}"`);
    return handler(data);
  }
}
