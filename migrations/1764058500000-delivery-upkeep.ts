import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Upkeep of the inbound pipeline. `(status, processedAt)` lets the purge find old PROCESSED
 * deliveries by a range scan, so each batch DELETE touches only the rows it removes.
 * `messages.reactionAt` is Facebook's time of the reaction event last applied to a message: an
 * older react or unreact that arrives later is ignored, so the reaction shown is the newest one.
 */
export class DeliveryUpkeep1764058500000 implements MigrationInterface {
  name = 'DeliveryUpkeep1764058500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE webhook_deliveries ADD KEY IDX_webhook_deliveries_status_processedAt (status, processedAt)',
    );
    await q.query('ALTER TABLE messages ADD COLUMN reactionAt DATETIME(3) NULL AFTER reaction');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE messages DROP COLUMN reactionAt');
    await q.query('ALTER TABLE webhook_deliveries DROP INDEX IDX_webhook_deliveries_status_processedAt');
  }
}
