import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Queue-position announcements: the campaign's switch, and when each interaction's customer was last
 * told their place (they are told at most once a minute; docs/routing.md#queue-position).
 */
export class QueuePosition1764058400000 implements MigrationInterface {
  name = 'QueuePosition1764058400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE campaigns ADD COLUMN announceQueuePosition TINYINT(1) NOT NULL DEFAULT 0 AFTER afterHoursMessage',
    );
    // The campaign's average wait today (the announced estimate) reads answered interactions by day.
    await q.query(`
      ALTER TABLE interactions
        ADD COLUMN positionAnnouncedAt DATETIME(3) NULL AFTER afterHoursSentAt,
        ADD KEY IDX_interactions_campaign_assigned (campaignId, assignedAt)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE interactions DROP INDEX IDX_interactions_campaign_assigned, DROP COLUMN positionAnnouncedAt',
    );
    await q.query('ALTER TABLE campaigns DROP COLUMN announceQueuePosition');
  }
}
