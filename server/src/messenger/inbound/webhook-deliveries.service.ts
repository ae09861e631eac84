import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { parseWebhookBytes, type WebhookEvent } from '@parley/libs/messenger/webhook-events.js';
import { type AppConfig, rolesIncludeWorker } from '../../infrastructure/config/config.js';
import { APP_CONFIG } from '../../infrastructure/config/config.module.js';
import { openPool } from '../../infrastructure/database/database.js';
import { Transactions, type UnitOfWork } from '../../infrastructure/events/after-commit.js';
import { ErrorCode, ParleyError } from '../../infrastructure/errors/parley-error.js';
import { JobHandler } from '../../infrastructure/queues/job-handler.decorator.js';
import { JobQueue } from '../../infrastructure/queues/job-queue.service.js';
import { JOB_DEFINITIONS, JobName, QueueName } from '../../infrastructure/queues/queue-registry.js';
import { InboundEvents } from './inbound-events.service.js';

/** Processing attempts of one delivery (all job generations together) before it is FAILED. */
export const DELIVERY_ATTEMPTS = Number(JOB_DEFINITIONS[JobName.ProcessDelivery].options.attempts);
const SWEEP_EVERY_MS = 60_000;
const SWEEP_BATCH = 1_000;
/** How often this instance retries the enqueues it could not make, and how many it remembers. */
const ENQUEUE_RETRY_MS = 2_000;
const ENQUEUE_RETRY_MAX = 10_000;
const PURGE_EVERY_MS = 3_600_000;
/** Rows per DELETE: each statement is short, so the purge never holds locks for long. */
const PURGE_BATCH = 1_000;
/** FAILED deliveries replayed per UPDATE by "replay all". */
const REPLAY_BATCH = 500;
/**
 * INSERTs of webhook POSTs running at once, each on a connection of its own apart from the shared
 * pool. POSTs arriving while they run wait and go together in the next one (up to STORE_BATCH_ROWS
 * rows, STORE_BATCH_BYTES bytes): one commit, so one log flush, for many acknowledgements.
 */
const ACK_CONNECTIONS = 4;
const STORE_BATCH_ROWS = 200;
/** Well under MariaDB's max_allowed_packet (16 MB by default); one body is at most 1 MB (WEBHOOK_BODY_LIMIT). */
const STORE_BATCH_BYTES = 8 * 1024 * 1024;

interface WaitingStore {
  body: Buffer;
  resolve: (deliveryId: number) => void;
  reject: (error: unknown) => void;
}

export type DeliveryStatus = 'PENDING' | 'PROCESSED' | 'FAILED';

/**
 * What an admin sees of a delivery: where it came from and why it failed, never its body (which
 * holds what customers wrote). Read by MariaDB's JSON functions, so the body never leaves MySQL.
 */
export interface DeliverySummary {
  id: string;
  receivedAt: Date;
  status: DeliveryStatus;
  /** The body's `object` ("page" for Messenger); null when the body is not JSON. */
  object: string | null;
  /** The distinct `entry[].id`: the pages it is for. */
  pageIds: string[];
  /** How many `messaging` events it carries. */
  events: number;
  attempts: number;
  lastError: string | null;
  /** The body's size in bytes. */
  size: number;
}

/**
 * The summary of the deliveries `filter` selects (WHERE, ORDER BY, LIMIT). JSON_VALID first:
 * MySQL, unlike MariaDB, refuses invalid JSON in JSON_EXTRACT instead of answering NULL.
 */
const summarySql = (filter: string) => `
  SELECT id, receivedAt, status, attempts, lastError, size,
         LEFT(JSON_UNQUOTE(JSON_EXTRACT(doc, '$.object')), 100) AS object,
         JSON_EXTRACT(doc, '$.entry[*].id') AS pageIds,
         JSON_LENGTH(JSON_EXTRACT(doc, '$.entry[*].messaging[*]')) AS events
    FROM (SELECT id, receivedAt, status, attempts, lastError, OCTET_LENGTH(body) AS size,
                 IF(JSON_VALID(CONVERT(body USING utf8mb4)), CONVERT(body USING utf8mb4), NULL) AS doc
            FROM webhook_deliveries ${filter}) AS d`;

interface SummaryRow {
  id: number | string;
  receivedAt: Date;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  size: number | string;
  object: string | null;
  /** MariaDB answers JSON as text; MySQL's JSON type arrives parsed. */
  pageIds: string | unknown[] | null;
  events: number | string | null;
}

function summaryOf(row: SummaryRow): DeliverySummary {
  let pageIds: string[] = [];
  try {
    const ids = typeof row.pageIds === 'string' ? (JSON.parse(row.pageIds) as unknown) : (row.pageIds ?? []);
    if (Array.isArray(ids))
      pageIds = [
        ...new Set(ids.filter((v) => v != null && typeof v !== 'object').map((v) => String(v).slice(0, 64))),
      ];
  } catch {
    pageIds = [];
  }
  return {
    id: String(row.id),
    receivedAt: row.receivedAt,
    status: row.status,
    object: row.object,
    pageIds: pageIds.slice(0, 50),
    events: Number(row.events ?? 0),
    attempts: Number(row.attempts),
    lastError: row.lastError,
    size: Number(row.size),
  };
}

/** A delivery id as the API gives it (a BIGINT); anything else names no delivery. */
const deliveryIdOf = (id: string): number | null => (/^[1-9]\d{0,14}$/.test(id) ? Number(id) : null);

export const deliveryJobId = (deliveryId: number) => `delivery-${deliveryId}`;

/** Deliveries applied together at most (see WebhookDeliveries.apply). */
const DELIVERY_BATCH = 25;

/** A delivery's events in Facebook's timestamp order (a stable sort keeps equal ones as sent). */
const eventsOf = (entries: { events: WebhookEvent[] }[]): WebhookEvent[] =>
  entries.flatMap((entry) => entry.events).sort((a, b) => a.timestamp - b.timestamp);

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 1000);

/**
 * The durable side of the webhook: each POST's exact bytes go into webhook_deliveries before
 * Facebook gets its 200; a BullMQ job then applies its events and marks it PROCESSED. A delivery
 * whose job never ran or was lost is found by the sweep (at start and every minute). FAILED ones
 * wait for an admin to replay them; PROCESSED ones are purged after DELIVERY_RETENTION_DAYS.
 */
@Injectable()
export class WebhookDeliveries implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('WebhookDeliveries');
  /** Acknowledged deliveries whose jobs go to Redis together at the end of this turn. */
  private readonly toEnqueue: { deliveryId: number; resolve: (added: boolean) => void }[] = [];
  /** Stored deliveries whose job could not be added (Redis away), retried from here every few seconds. */
  private readonly unqueued = new Set<number>();
  private retryTimer?: NodeJS.Timeout;
  private readonly ackPool: Pool;
  /** POSTs waiting for an INSERT, and how many INSERTs are running. */
  private readonly toStore: WaitingStore[] = [];
  private storing = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobQueue,
    private readonly inbound: InboundEvents,
    private readonly transactions: Transactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.ackPool = openPool(config.databaseUrl, ACK_CONNECTIONS);
  }

  /**
   * Resolves with the delivery's id once its bytes are durable (committed). On connections of its
   * own: from the shared pool, under a burst, the acknowledgement queued behind the delivery and
   * routing jobs' transactions (hundreds of waiters, a third of a second per ack in the bench).
   * Alone it is inserted at once; under load it joins the next multi-row INSERT (group commit), so
   * a burst costs a few commits instead of one per POST. A failed INSERT fails every POST in it.
   */
  store(body: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      this.toStore.push({ body, resolve, reject });
      this.storeWaiting();
    });
  }

  private storeWaiting(): void {
    while (this.toStore.length && this.storing < ACK_CONNECTIONS) {
      let bytes = 0;
      let rows = 0;
      while (
        rows < this.toStore.length &&
        rows < STORE_BATCH_ROWS &&
        (rows === 0 || bytes + this.toStore[rows].body.length <= STORE_BATCH_BYTES)
      ) {
        bytes += this.toStore[rows].body.length;
        rows++;
      }
      const batch = this.toStore.splice(0, rows);
      this.storing++;
      void this.insert(batch).finally(() => {
        this.storing--;
        this.storeWaiting();
      });
    }
  }

  /** One INSERT (autocommit) of the batch; MariaDB's RETURNING gives the ids in the rows' order. */
  private async insert(batch: WaitingStore[]): Promise<void> {
    try {
      const [rows] = await this.ackPool.query<({ id: number | string } & RowDataPacket)[]>(
        `INSERT INTO webhook_deliveries (body) VALUES ${batch.map(() => '(?)').join(', ')} RETURNING id`,
        batch.map((w) => w.body),
      );
      if (!Array.isArray(rows) || rows.length !== batch.length) {
        throw new Error(
          'the database returned no ids for the stored deliveries (MariaDB 10.5 or later is needed)',
        );
      }
      batch.forEach((w, i) => w.resolve(Number(rows[i].id)));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }

  /**
   * Best effort, never failing. The deliveries acknowledged in one turn of the event loop (a group
   * commit answers many POSTs at once) get their jobs in one round trip to Redis. What could not be
   * enqueued is retried from here every ENQUEUE_RETRY_MS, so chats written during a Redis outage
   * reach agents seconds after it ends, not at the next minute's sweep; the sweep still covers a
   * crash of this instance meanwhile. Resolves whether it was enqueued.
   */
  enqueue(deliveryId: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.toEnqueue.push({ deliveryId, resolve });
      if (this.toEnqueue.length === 1) setImmediate(() => void this.enqueueWaiting());
    });
  }

  private async enqueueWaiting(): Promise<void> {
    const batch = this.toEnqueue.splice(0);
    const added = await this.jobs.addAllInBackground(
      JobName.ProcessDelivery,
      batch.map(({ deliveryId }) => ({
        data: { deliveryId },
        options: { jobId: deliveryJobId(deliveryId) },
      })),
    );
    if (!added) {
      for (const { deliveryId } of batch) {
        if (this.unqueued.size < ENQUEUE_RETRY_MAX) this.unqueued.add(deliveryId);
      }
      this.retryUnqueuedSoon();
    }
    for (const { resolve } of batch) resolve(added);
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

  /** After the HTTP server has stopped taking webhooks. */
  async onApplicationShutdown() {
    await this.ackPool.end();
  }

  @JobHandler(JobName.ProcessDelivery)
  async process({ deliveryId }: { deliveryId: number }): Promise<string> {
    // `waiting`: whether other deliveries wait, to batch with (none: no batch query in the transaction).
    const [row] = (await this.dataSource.query(
      `SELECT id, status, body, EXISTS (SELECT 1 FROM webhook_deliveries
                WHERE status = 'PENDING' AND attempts = 0 AND id <> ?) AS waiting
         FROM webhook_deliveries WHERE id = ?`,
      [deliveryId, deliveryId],
    )) as { id: number; status: string; body: Buffer; waiting: number | string }[];
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
    try {
      const batch = { size: 1 };
      try {
        const others = Number(row.waiting) ? DELIVERY_BATCH - 1 : 0;
        return await this.apply(deliveryId, eventsOf(parsed.entries), others, batch);
      } catch (error) {
        if (batch.size === 1) throw error;
        // Maybe another delivery of the batch: this one alone, so a bad one fails only itself.
        this.logger.warn(`A batch with delivery ${deliveryId} failed (${reasonOf(error)}); trying it alone`);
        return await this.apply(deliveryId, eventsOf(parsed.entries), 0, batch);
      }
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
   * Applies the delivery, and up to `others` more PENDING deliveries no other worker holds, in one
   * transaction with their PROCESSED marks: a burst costs one commit per batch, not per delivery
   * (their own jobs then find them PROCESSED). Wholly or not at all; a second worker on the same
   * delivery waits on its row, then finds it PROCESSED. The others come oldest first (SKIP LOCKED:
   * never waiting for another worker's), and one that is not a page delivery is left to its own job.
   * `batch.size`: how many it took.
   */
  private async apply(
    deliveryId: number,
    events: WebhookEvent[],
    others: number,
    batch: { size: number },
  ): Promise<string> {
    return this.transactions.run(
      async (uow) => {
        // Marked first: the UPDATE takes the row's lock, or finds another worker has processed it.
        // The mark is undone with everything else if the transaction rolls back.
        if (!(await this.markProcessed(uow, [deliveryId]))) return 'PROCESSED';
        const taken = [{ id: deliveryId, events }];
        if (others > 0) {
          const more = (await uow.em.query(
            // Only first attempts: one failing again and again would fail every batch it joined.
            `SELECT id, body FROM webhook_deliveries WHERE status = 'PENDING' AND attempts = 0
              ORDER BY id LIMIT ${others} FOR UPDATE SKIP LOCKED`,
          )) as { id: number | string; body: Buffer }[];
          for (const row of more) {
            const parsed = parseWebhookBytes(row.body);
            if (!parsed.ok) continue;
            taken.push({ id: Number(row.id), events: eventsOf(parsed.entries) });
          }
          if (taken.length > 1)
            await this.markProcessed(
              uow,
              taken.slice(1).map((t) => t.id),
            );
        }
        // In the order Facebook's deliveries arrived.
        taken.sort((a, b) => a.id - b.id);
        const all = taken.flatMap((t) => t.events);
        batch.size = taken.length;
        await this.inbound.applyAll(uow, all, await this.inbound.owners(all));
        return 'PROCESSED';
      },
      // Two deliveries of one customer may still deadlock on an index: run again at once.
      { isolation: 'READ COMMITTED', retries: 3 },
    );
  }

  /** Marks PENDING deliveries PROCESSED (inside the transaction applying them); whether any was. */
  private async markProcessed(uow: UnitOfWork, ids: number[]): Promise<boolean> {
    const result = (await uow.em.query(
      "UPDATE webhook_deliveries SET status = 'PROCESSED', processedAt = NOW(3), lastError = NULL WHERE id IN (?) AND status = 'PENDING'",
      [ids],
    )) as { affectedRows: number };
    return result.affectedRows > 0;
  }

  /**
   * Enqueues every PENDING delivery older than DELIVERY_SWEEP_AFTER_SECONDS (it has lost its job:
   * crash, Redis away).
   */
  @JobHandler(JobName.SweepDeliveries)
  async sweep(): Promise<{ enqueued: number }> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM webhook_deliveries
        WHERE status = 'PENDING' AND receivedAt < NOW(3) - INTERVAL ${this.config.deliverySweepAfterSeconds} SECOND
        ORDER BY id LIMIT ${SWEEP_BATCH}`,
    )) as { id: number }[];
    let enqueued = 0;
    for (const { id } of rows) if (await this.requeue(Number(id))) enqueued++;
    if (enqueued) this.logger.log(`Sweep enqueued ${enqueued} pending webhook deliveries`);
    return { enqueued };
  }

  /**
   * Gives a PENDING delivery its job again. BullMQ ignores an add whose jobId exists in any state,
   * so a finished (completed or failed) job of that id is removed first; a waiting, delayed or
   * active one is left alone (it will run, or the sweep comes back). Whether it added one.
   */
  private async requeue(deliveryId: number): Promise<boolean> {
    const jobId = deliveryJobId(deliveryId);
    const existing = await this.jobs.queue(QueueName.Messenger).getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return false;
      try {
        await existing.remove();
      } catch {
        return false; // taken by a worker meanwhile
      }
    }
    await this.jobs.add(JobName.ProcessDelivery, { deliveryId }, { jobId });
    return true;
  }

  /** How many deliveries are FAILED (the index on (status, id) counts them). */
  async failedCount(): Promise<number> {
    const [row] = (await this.dataSource.query(
      "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'FAILED'",
    )) as { n: number | string }[];
    return Number(row.n);
  }

  /** FAILED deliveries, newest first: `first` of those with an id below `before` (the last one listed). */
  async failed(first: number, before: string | null): Promise<DeliverySummary[]> {
    const beforeId = before === null ? null : deliveryIdOf(before);
    if (before !== null && beforeId === null)
      throw ParleyError.badInput('before', `"${before}" is not a delivery id`);
    const rows = (await this.dataSource.query(
      summarySql("WHERE status = 'FAILED' AND id < ? ORDER BY id DESC LIMIT ?") + ' ORDER BY id DESC',
      [beforeId ?? Number.MAX_SAFE_INTEGER, first],
    )) as SummaryRow[];
    return rows.map(summaryOf);
  }

  /**
   * Puts a FAILED delivery back to PENDING with a fresh count of attempts and enqueues it. Its
   * events are applied again; those already applied change nothing (mids are deduplicated), so
   * a delivery that failed halfway ends up applied exactly once. NOT_FOUND for an unknown id,
   * CONFLICT when it is not FAILED (already replayed, processed, or still being processed).
   */
  async replay(id: string): Promise<DeliverySummary> {
    const deliveryId = deliveryIdOf(id);
    if (deliveryId === null) throw ParleyError.notFound('Webhook delivery', id);
    const result = (await this.dataSource.query(
      "UPDATE webhook_deliveries SET status = 'PENDING', attempts = 0 WHERE id = ? AND status = 'FAILED'",
      [deliveryId],
    )) as { affectedRows: number };
    if (!result.affectedRows) {
      const [row] = (await this.dataSource.query('SELECT status FROM webhook_deliveries WHERE id = ?', [
        deliveryId,
      ])) as { status: DeliveryStatus }[];
      if (!row) throw ParleyError.notFound('Webhook delivery', id);
      throw new ParleyError(
        ErrorCode.CONFLICT,
        row.status === 'PROCESSED'
          ? `Webhook delivery ${id} was processed already; only a FAILED delivery can be replayed`
          : `Webhook delivery ${id} is waiting to be processed (PENDING); only a FAILED delivery can be replayed`,
        { id, status: row.status },
      );
    }
    await this.requeueSoon(deliveryId);
    const [row] = (await this.dataSource.query(summarySql('WHERE id = ?'), [deliveryId])) as SummaryRow[];
    return summaryOf(row);
  }

  /**
   * Replays every delivery FAILED now (in batches, by ascending id; one that fails again meanwhile
   * is not taken twice). Resolves with how many were put back.
   */
  async replayAllFailed(): Promise<number> {
    let replayed = 0;
    let after = 0;
    for (;;) {
      const rows = (await this.dataSource.query(
        `SELECT id FROM webhook_deliveries WHERE status = 'FAILED' AND id > ? ORDER BY id LIMIT ${REPLAY_BATCH}`,
        [after],
      )) as { id: number | string }[];
      if (!rows.length) break;
      const ids = rows.map((r) => Number(r.id));
      after = ids[ids.length - 1];
      const result = (await this.dataSource.query(
        "UPDATE webhook_deliveries SET status = 'PENDING', attempts = 0 WHERE id IN (?) AND status = 'FAILED'",
        [ids],
      )) as { affectedRows: number };
      replayed += result.affectedRows;
      // A row another replay took meanwhile is requeued twice at worst: BullMQ keeps one job per id.
      for (const deliveryId of ids) await this.requeueSoon(deliveryId);
    }
    if (replayed) this.logger.log(`An admin replayed ${replayed} failed webhook deliveries`);
    return replayed;
  }

  /** The row is PENDING already: if Redis refuses now, the sweep enqueues it within a minute. */
  private async requeueSoon(deliveryId: number): Promise<void> {
    try {
      await this.requeue(deliveryId);
    } catch (error) {
      this.logger.warn(`Delivery ${deliveryId} replayed; the sweep will enqueue it: ${reasonOf(error)}`);
    }
  }

  /**
   * Deletes PROCESSED deliveries processed over DELIVERY_RETENTION_DAYS ago, PURGE_BATCH rows per
   * DELETE (autocommit), so no statement holds many row locks or blocks the webhook's INSERTs for
   * long; the (status, processedAt) index makes each one a range scan. FAILED ones are kept until
   * replayed, PENDING ones are never touched.
   */
  @JobHandler(JobName.PurgeDeliveries)
  async purge(): Promise<{ deleted: number }> {
    let deleted = 0;
    for (;;) {
      const result = (await this.dataSource.query(
        `DELETE FROM webhook_deliveries
          WHERE status = 'PROCESSED' AND processedAt < NOW(3) - INTERVAL ? DAY
          LIMIT ${PURGE_BATCH}`,
        [this.config.deliveryRetentionDays],
      )) as { affectedRows: number };
      deleted += result.affectedRows;
      if (result.affectedRows < PURGE_BATCH) break;
    }
    if (deleted) this.logger.log(`Purged ${deleted} processed webhook deliveries`);
    return { deleted };
  }

  /** Worker role: one sweep now (what a crash left behind), then the repeating sweep and purge. */
  async onApplicationBootstrap() {
    if (!rolesIncludeWorker(this.config.role)) return;
    try {
      await this.jobs.repeat(JobName.SweepDeliveries, SWEEP_EVERY_MS);
      await this.jobs.repeat(JobName.PurgeDeliveries, PURGE_EVERY_MS);
      await this.jobs.add(JobName.SweepDeliveries, {});
    } catch (error) {
      this.logger.warn(`Could not schedule the delivery sweep and purge: ${reasonOf(error)}`);
    }
  }
}
