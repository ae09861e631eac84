import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { Redis } from 'ioredis';
import { Public } from '../access/access.js';
import { JobQueue } from '../queues/job-queue.service.js';
import { REDIS } from '../redis/redis.module.js';

@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly jobs: JobQueue,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** Liveness: the process answers. */
  @Get()
  alive() {
    return { status: 'ok' };
  }

  /** Readiness: MySQL, Redis and every queue's Redis connection answer. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.db.pingCheck('mysql', { timeout: 2_000 }),
      () => this.ping('redis', () => this.redis.ping()),
      ...this.jobs
        .all()
        .map(
          (queue) => () =>
            this.ping(`queue:${queue.name}`, async () => ((await queue.client) as unknown as Redis).ping()),
        ),
    ]);
  }

  private async ping(key: string, ping: () => Promise<string>) {
    const indicator = this.indicators.check(key);
    try {
      await Promise.race([
        ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2s')), 2_000)),
      ]);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
