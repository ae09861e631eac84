import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel.js';
import { type JobName, type JobPayloads } from '../queues/queue-registry.js';
import { JobQueue } from '../queues/job-queue.service.js';
import type { EventDefinition } from './event.js';
import { EventBus, type Publication } from './event-bus.service.js';

/** Something to do once the data it announces is committed: publish an event, enqueue a job. */
export interface AfterCommitEffect {
  /** For the logs, e.g. `publish campaign.changed`. */
  label: string;
  run(): Promise<unknown>;
}

/** How long a write waits for its effects before answering anyway (they go on in the background). */
export const AFTER_COMMIT_WAIT_MS = 1_000;
/** Retries of a failed effect, with exponential backoff from 500 ms (about a minute in all). */
export const AFTER_COMMIT_ATTEMPTS = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs after-commit effects: each is tried at once and, if it fails, logged and retried with
 * backoff in the background. Nothing here ever throws: a write that committed answers what it
 * stored, whatever Redis is doing.
 */
/** MySQL chose this transaction as a deadlock victim (1213), or a lock wait timed out (1205). */
export const isLockConflict = (error: unknown): boolean => {
  const e = error as { errno?: number; driverError?: { errno?: number } };
  const errno = e?.errno ?? e?.driverError?.errno;
  return errno === 1213 || errno === 1205;
};

@Injectable()
export class AfterCommitEffects {
  private readonly logger = new Logger('AfterCommit');

  /** Starts the effects in order; resolves when they are done, or after AFTER_COMMIT_WAIT_MS. */
  async run(effects: readonly AfterCommitEffect[]): Promise<void> {
    if (!effects.length) return;
    const all = (async () => {
      for (const effect of effects) await this.attempt(effect, 1);
    })();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, AFTER_COMMIT_WAIT_MS)))]);
    clearTimeout(timer);
  }

  private async attempt(effect: AfterCommitEffect, attempt: number): Promise<void> {
    try {
      await effect.run();
      if (attempt > 1) this.logger.log(`${effect.label}: done on attempt ${attempt}`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (attempt >= AFTER_COMMIT_ATTEMPTS) {
        this.logger.error(`${effect.label}: gave up after ${attempt} attempts: ${reason}`);
        return;
      }
      this.logger.warn(`${effect.label}: attempt ${attempt} failed (${reason}); retrying`);
      // In the background: the next effects and the answer do not wait for this one's retries.
      void sleep(500 * 2 ** (attempt - 1)).then(() => this.attempt(effect, attempt + 1));
    }
  }
}

/** What a transaction's work can do besides reading and writing. */
export interface UnitOfWork {
  readonly em: EntityManager;
  /** Published once the transaction commits; never if it rolls back. */
  publish<P>(event: EventDefinition<P>, payload: P): void;
  /**
   * Enqueued once the transaction commits, so the job never reads a row that is not there yet. The
   * same job (name, data and options) asked twice in one transaction is enqueued once.
   */
  enqueue<J extends JobName>(
    job: J,
    data: JobPayloads[J],
    options?: { jobId?: string; delay?: number },
  ): void;
  afterCommit(effect: AfterCommitEffect): void;
}

/**
 * The one way services write: `run(work)` runs `work` in a MySQL transaction and, after commit,
 * publishes its events and enqueues its jobs (see AfterCommitEffects for failures).
 */
@Injectable()
export class Transactions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: EventBus,
    private readonly jobs: JobQueue,
    private readonly effects: AfterCommitEffects,
  ) {}

  /**
   * `isolation`: REPEATABLE READ (MySQL's own default) unless named; READ COMMITTED is for a
   * transaction that must not take gap locks, and is the sessions' default, so it starts in one
   * statement (see openDataSource). `retries`: how
   * many times `work` runs again, from the start, when MySQL picks the transaction as a deadlock
   * victim or a lock wait times out (its effects are those of the attempt that commits).
   */
  async run<T>(
    work: (uow: UnitOfWork) => Promise<T>,
    options: { isolation?: IsolationLevel; retries?: number } = {},
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const pending: AfterCommitEffect[] = [];
      // Events published one after another go to Redis together (one MULTI), still in order.
      let publications: Publication[] | null = null;
      // One add per identical job: a batch of messages to one campaign asks to route it many times.
      const enqueued = new Set<string>();
      const inTransaction = (em: EntityManager) =>
        work({
          em,
          publish: (event, payload) => {
            // Checked now, so a malformed payload fails the write rather than vanishing later.
            const valid = event.schema.parse(payload);
            if (!publications) {
              const group: Publication[] = (publications = []);
              pending.push({
                get label() {
                  return `publish ${group.map((p) => p.event.name).join(', ')}`;
                },
                run: () => this.bus.publishAll(group),
              });
            }
            publications.push({ event: event as EventDefinition<unknown>, payload: valid });
          },
          enqueue: (job, data, options) => {
            const key = JSON.stringify([job, data, options ?? null]);
            if (enqueued.has(key)) return;
            enqueued.add(key);
            publications = null;
            pending.push({ label: `enqueue ${job}`, run: () => this.jobs.add(job, data, options) });
          },
          afterCommit: (effect) => {
            publications = null;
            pending.push(effect);
          },
        });
      let result: T;
      try {
        // READ COMMITTED is every session's default (openDataSource): no SET TRANSACTION for it.
        result =
          options.isolation === 'READ COMMITTED'
            ? await this.dataSource.transaction(inTransaction)
            : await this.dataSource.transaction(options.isolation ?? 'REPEATABLE READ', inTransaction);
      } catch (error) {
        if (!isLockConflict(error) || attempt >= (options.retries ?? 0)) throw error;
        await new Promise((r) => setTimeout(r, 10 * (attempt + 1) + Math.random() * 20));
        continue;
      }
      await this.effects.run(pending);
      return result;
    }
  }

  /** Effects with no write of their own (a socket opened, say): same delivery and retries. */
  publishNow<P>(event: EventDefinition<P>, payload: P): Promise<void> {
    const valid = event.schema.parse(payload);
    return this.effects.run([{ label: `publish ${event.name}`, run: () => this.bus.publish(event, valid) }]);
  }
}
